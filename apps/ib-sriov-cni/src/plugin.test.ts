// The flow's order and its DEL convergence, on an in-memory node (no root needed). What the kernel and sysfs
// really say is tested in test/*.netns.test.ts.
import { parseIbSriovNetConf } from '@sriov-ts/netconf-schema';
import { describe, expect, it } from 'vitest';
import type { IbCache } from './cache.js';
import type { IbOps } from './ops.js';
import { cmdAdd, cmdCheck, cmdDel, cmdGc } from './plugin.js';

const VF = '0000:3f:00.3';
const PF = '0000:3f:00.0';
const POD = '/var/run/netns/pod';

function memoryNode() {
  const calls: string[] = [];
  const links = new Map<string, string | undefined>([['ib0v1', undefined]]); // name → netns (ifindex 7)
  const rdma = new Map<string, string | undefined>([['mlx5_3', undefined]]);
  const cache = new Map<string, IbCache>();
  const failOnce = new Set<string>();
  const step = (name: string) => {
    calls.push(name);
    if (failOnce.delete(name)) throw new Error(`${name} refused`);
  };
  const ops: IbOps = {
    hasDevice: (pci) => pci === VF || pci === PF,
    isVf: (pci) => pci === VF,
    driver: () => 'mlx5_core',
    locateVf: () => ({ pf: 'ib0', vfIndex: 1 }),
    vfNetdev: () => [...links].find(([, ns]) => ns === undefined)?.[0],
    netdevGuid: () => '00:11:22:33:44:55:66:77',
    rdmaDevices: () => ['mlx5_3'],
    rebindVf: () => step('rebind'),
    setVfGuid: (_p, which, guid) => step(`${which} ${guid}`),
    setVfLinkState: (_p, state) => step(`link ${state}`),
    netnsState: (p) => (p === POD ? 'ok' : 'missing'),
    getLink(netns, link) {
      // One VF netdev (ifindex 7): by index, whichever name it has in that netns.
      const name = typeof link === 'number' ? [...links].find(([, ns]) => ns === netns)?.[0] : link;
      if (name === undefined || !links.has(name) || links.get(name) !== netns) return undefined;
      return { index: 7, name, mac: '', mtu: 2044, altNames: [] };
    },
    moveIntoNetns(host, netns, name) {
      step('move in');
      links.delete(host);
      links.set(name, netns);
    },
    moveToHost(netns, link, host) {
      step('move out');
      links.delete(typeof link === 'number' ? [...links].find(([, ns]) => ns === netns)![0] : link);
      links.set(host, undefined);
    },
    renameHostLink: (name, newName) => step(`rename ${name} ${newName}`),
    delAltName: () => undefined,
    rdmaNetnsMode: () => 'exclusive',
    moveRdmaToPod(name, netns) {
      step('rdma in');
      rdma.set(name, netns);
    },
    moveRdmaToHost(name, netns) {
      if (rdma.get(name) !== netns) return false;
      step('rdma out');
      rdma.set(name, undefined);
      return true;
    },
    lock: async () => {
      calls.push('lock');
      return () => calls.push('unlock');
    },
    readCache: (e) => cache.get(e),
    writeCache: (cid, ifName, c) => {
      step('cache');
      cache.set(`${cid}-${ifName}`, c);
    },
    deleteCache: (e) => void cache.delete(e),
    listCacheEntries: () => [...cache.keys()],
    ipamAdd: async () => {
      step('ipam add');
      return { interfaces: [], ips: [{ address: '10.0.0.2/24', interface: 0 }], routes: [], dns: {} };
    },
    ipamDel: async () => step('ipam del'),
    ipamCheck: async () => undefined,
    configureIp: async () => step('configure'),
    podAddresses: () => [],
    log: () => undefined,
  };
  return { ops, calls, links, rdma, cache, failOnce };
}

const conf = (extra: Record<string, unknown> = {}) => {
  const r = parseIbSriovNetConf(
    JSON.stringify({
      cniVersion: '1.0.0',
      name: 'n',
      type: 'ib-sriov',
      deviceID: VF,
      ipam: { type: 'host-local' },
      ...extra,
    }),
  );
  if (!r.ok) throw new Error(r.error.message);
  return r.config;
};
const inv = { containerId: 'c1', netns: POD, ifName: 'net1' };
const full = {
  link_state: 'enable',
  rdmaIsolation: true,
  runtimeConfig: { infinibandGUID: '02:00:00:00:00:00:00:0a' },
};

describe('ib-sriov flow', () => {
  it('ADD in the reference order under the lock: link state, node, port, rebind, RDMA, netdev, IPAM, cache', async () => {
    const n = memoryNode();
    const result = await cmdAdd(conf(full), inv, n.ops);
    expect(n.calls).toEqual([
      'lock',
      'link enable',
      'node 02:00:00:00:00:00:00:0a',
      'port 02:00:00:00:00:00:00:0a',
      'rebind',
      'rdma in',
      'move in',
      'ipam add',
      'configure',
      'cache',
      'unlock',
    ]);
    expect(result).toEqual({
      interfaces: [{ name: 'net1', sandbox: POD }],
      ips: [{ address: '10.0.0.2/24', interface: 0 }],
      routes: [],
      dns: {},
    });
  });

  it('DEL: IPAM first, netdev out, RDMA out, link state auto, GUID back + rebind; a refused reset keeps the cache and the retry converges', async () => {
    const n = memoryNode();
    await cmdAdd(conf(full), inv, n.ops);
    n.calls.length = 0;
    n.failOnce.add('node 00:11:22:33:44:55:66:77');
    await expect(cmdDel(inv, n.ops)).rejects.toThrow(/failed to reset VF config for 0000:3f:00.3: node .* refused/);
    expect(n.calls).toEqual([
      'ipam del',
      'lock',
      'move out',
      'rdma out',
      'link auto',
      'node 00:11:22:33:44:55:66:77',
      'unlock',
    ]);
    expect(n.cache.size).toBe(1);
    n.calls.length = 0;
    await cmdDel(inv, n.ops);
    expect(n.calls).toEqual([
      'ipam del',
      'lock',
      'link auto',
      'node 00:11:22:33:44:55:66:77',
      'port 00:11:22:33:44:55:66:77',
      'rebind',
      'unlock',
    ]);
    expect(n.cache.size).toBe(0);
    expect(n.links.get('ib0v1')).toBeUndefined(); // in the host
    expect(n.rdma.get('mlx5_3')).toBeUndefined();
    n.calls.length = 0;
    await cmdDel(inv, n.ops); // and again: no cache, nothing to do
    expect(n.calls).toEqual([]);
  });

  it('the ib-kubernetes GUID requirement exempts a VFIO PF', async () => {
    const n = memoryNode();
    n.ops.driver = () => 'vfio-pci';
    const gated = { ibKubernetesEnabled: true, args: { cni: { 'mellanox.infiniband.app': 'configured' } } };
    await expect(cmdAdd(conf(gated), inv, n.ops)).rejects.toThrow('GUID must be provided by ib-kubernetes');
    await cmdAdd({ ...conf(gated), deviceID: PF }, inv, n.ops);
    expect(n.calls).toEqual(['lock', 'cache', 'unlock']);
  });

  it('GC releases stale attachments of its network only; a cache without netns only loses its file', async () => {
    const n = memoryNode();
    await cmdAdd(conf(), inv, n.ops);
    const other = { ...n.cache.get('c1-net1')!, name: 'other' };
    const goWritten = { ...n.cache.get('c1-net1')! };
    delete goWritten.netns;
    n.cache.set('c2-net1', other);
    n.cache.set('c3-net1', goWritten);
    n.calls.length = 0;
    await cmdGc('n', ['c1-net1', 'c2-net1', 'c3-net1'], n.ops);
    expect(n.calls).toEqual(['lock', 'move out', 'unlock']);
    expect([...n.cache.keys()]).toEqual(['c2-net1']);
  });

  it("CHECK compares only this interface's addresses of the chain's prevResult", async () => {
    const n = memoryNode();
    await cmdAdd(conf(), inv, n.ops);
    n.ops.podAddresses = () => ['10.0.0.2/24'];
    const prev = {
      interfaces: [{ name: 'net1', sandbox: POD }, { name: 'other' }],
      ips: [
        { address: '10.0.0.2/24', interface: 0 },
        { address: '192.168.9.9/24', interface: 1 },
      ],
      routes: [],
      dns: {},
    };
    await cmdCheck(inv, prev, n.ops);
    n.ops.podAddresses = () => [];
    await expect(cmdCheck(inv, prev, n.ops)).rejects.toMatchObject({
      code: 103,
      msg: 'Failed to match addr 10.0.0.2/24 on interface net1',
    });
    await expect(cmdCheck(inv, null, n.ops)).rejects.toMatchObject({ code: 999, msg: 'Required prevResult missing' });
  });
});
