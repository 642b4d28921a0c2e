import { createNetlinkOps, createRecordingTransport, encodeLinkPayload } from '@sriov-ts/netlink-ops';
import { describe, expect, it } from 'vitest';
import {
  enablePodNotify,
  type NetdevLink,
  type NetdevOps,
  netlinkNetdevOps,
  releaseToHost,
  sameMac,
  setMacVerified,
} from './vf-netdev.js';

/** Links by netns ('' = host); moves keep the ifindex, as the kernel does when the index is free. */
function node(links: (NetdevLink & { ns: string })[]) {
  const calls: string[] = [];
  const ops: NetdevOps = {
    getLink: (netns, link) => {
      const l = links.find((x) => x.ns === (netns ?? '') && (x.name === link || x.index === link));
      return l && { index: l.index, name: l.name, mac: l.mac, mtu: l.mtu, altNames: l.altNames };
    },
    moveToHost(netns, link, hostName, mac, mtu) {
      const l = links.find((x) => x.ns === netns && (x.name === link || x.index === link))!;
      calls.push(`move ${l.name}@${netns} -> ${hostName} mac=${mac} mtu=${mtu}`);
      Object.assign(l, { ns: '', name: hostName, ...(mac ? { mac } : {}), ...(mtu ? { mtu } : {}) });
    },
    setMac: (_netns, name, mac) => {
      calls.push(`mac ${name} ${mac}`);
    },
    delAltName: (netns, name, alt) => {
      calls.push(`delalt ${name}@${netns ?? ''} ${alt}`);
    },
    setSysctl: (_netns, path) => {
      calls.push(`sysctl ${path}`);
      if (path.includes('ipv6')) throw new Error('ipv6 disabled');
    },
    sleep: async () => undefined,
  };
  return { ops, calls, links };
}
const link = (ns: string, index: number, name: string, altNames: string[] = []) => ({
  ns,
  index,
  name,
  mac: '02:00:00:00:00:01',
  mtu: 1500,
  altNames,
});

describe('releaseToHost', () => {
  it('moves the pod link back under its host name with MAC/MTU, and drops the pod-name altname the kernel left', () => {
    const n = node([link('/ns', 7, 'net1')]);
    n.links[0]!.altNames = ['net1'];
    expect(
      releaseToHost(
        { netns: '/ns', podName: 'net1', hostName: 'ens1f0v1', mac: '02:aa:00:00:00:01', mtu: 9000 },
        n.ops,
      ),
    ).toBe(true);
    expect(n.calls).toEqual(['move net1@/ns -> ens1f0v1 mac=02:aa:00:00:00:01 mtu=9000', 'delalt ens1f0v1@ net1']);
  });

  it('finds a half-done move under the host name; with an ifindex it never takes a foreign pod link', () => {
    const n = node([link('/ns', 3, 'net1'), link('/ns', 7, 'ens1f0v1')]);
    expect(releaseToHost({ netns: '/ns', podName: 'net1', hostName: 'ens1f0v1', index: 7 }, n.ops)).toBe(true);
    expect(n.calls).toEqual(['move ens1f0v1@/ns -> ens1f0v1 mac=undefined mtu=undefined']);
    expect(n.links.find((l) => l.index === 3)?.ns).toBe('/ns');
  });

  it('is false when the VF is not in the pod (already released, netns gone)', () => {
    const n = node([link('', 7, 'ens1f0v1')]);
    expect(releaseToHost({ netns: '/ns', podName: 'net1', hostName: 'ens1f0v1' }, n.ops)).toBe(false);
    expect(n.calls).toEqual([]);
  });
});

describe('pod-side helpers', () => {
  it('setMacVerified retries until the read-back matches, then reports the last failure after 20 tries', async () => {
    const n = node([link('/ns', 7, 'net1')]);
    let sets = 0;
    n.ops.setMac = (_ns, _name, mac) => {
      if (++sets === 3) n.links[0]!.mac = mac;
    };
    await setMacVerified('/ns', 'net1', '02:BB:00:00:00:01', n.ops);
    expect(sets).toBe(3);
    n.ops.setMac = () => undefined;
    await expect(setMacVerified('/ns', 'net1', '02:cc:00:00:00:01', n.ops)).rejects.toThrow(
      'failed to set MAC address to 02:cc:00:00:00:01: hardware mac address is different from requested one',
    );
  });

  it('enablePodNotify sets the three sysctls and ignores refusals; sameMac ignores case and dashes', () => {
    const n = node([]);
    enablePodNotify('/ns', 'net1', n.ops);
    expect(n.calls).toEqual([
      'sysctl /proc/sys/net/ipv4/conf/net1/arp_notify',
      'sysctl /proc/sys/net/ipv6/conf/net1/ndisc_notify',
      'sysctl /proc/sys/net/ipv6/conf/net1/optimistic_dad',
    ]);
    expect(sameMac('02-AA-00-00-00-01', '02:aa:00:00:00:01')).toBe(true);
    expect(sameMac('02:aa:00:00:00:01', '02:aa:00:00:00:02')).toBe(false);
  });
});

describe('netlinkNetdevOps (over a recording netlink-ops, nothing reaches the kernel)', () => {
  it('looks links up in the given netns, releases with down + MAC/MTU then a move to the own netns, renamed', () => {
    const transport = createRecordingTransport({
      inner: null,
      answer: (r) =>
        r.type === 18 // RTM_GETLINK
          ? {
              messages: [
                {
                  type: 16,
                  payload: encodeLinkPayload({ index: 7, name: 'net1', mtu: 9000, mac: '02:00:00:00:00:07' }),
                },
              ],
            }
          : undefined,
    });
    const ops = netlinkNetdevOps(createNetlinkOps({ transport }));
    expect(ops.getLink('/var/run/netns/pod', 'net1')).toEqual({
      index: 7,
      name: 'net1',
      mac: '02:00:00:00:00:07',
      mtu: 9000,
      altNames: [],
    });
    ops.moveToHost('/var/run/netns/pod', 'net1', 'ens1f0v1', '02:aa:00:00:00:01', 1500);
    ops.moveIntoNetns('ens1f0v2', '/var/run/netns/pod', 'net2');
    ops.moveToHost('/var/run/netns/pod', 7, 'ens1f0v1', undefined, undefined);
    ops.moveIntoNetns(7, '/var/run/netns/pod', 'net2');
    expect(transport.requests.map((r) => [r.type, r.netns])).toEqual([
      [18, '/var/run/netns/pod'], // getLink
      [19, '/var/run/netns/pod'], // down + MAC + MTU, by name
      [18, '/var/run/netns/pod'], // moveLink resolves the name
      [16, '/var/run/netns/pod'], // move (+ rename)
      [18, undefined],
      [16, undefined],
      // by ifindex: no lookup before the rename
      [19, '/var/run/netns/pod'],
      [16, '/var/run/netns/pod'],
      [16, undefined],
    ]);
    // the ifindex is the selector of each request (ifinfomsg.ifi_index, bytes 4..8 after the 16-byte header)
    expect(transport.requests.slice(6).map((r) => Buffer.from(r.bytes).readInt32LE(16 + 4))).toEqual([7, 7, 7]);
    expect(transport.netnsFdPaths).toEqual([
      '/proc/self/ns/net',
      '/var/run/netns/pod',
      '/proc/self/ns/net',
      '/var/run/netns/pod',
    ]);
  });
});
