// ConfigureIface semantics (ordering, index rules, gateway fallback, DAD outcomes) against a recording PodNet.
// The same function runs against the real kernel in ipam.netns.test.ts.
import type { Result } from '@sriov-ts/cni';
import { describe, expect, it } from 'vitest';
import { announce } from './announce.js';
import { bindIpamResult } from './bind.js';
import { ConfigureInterfaceError, configureInterface } from './configure.js';
import type { PodAddress, PodLink, PodNet, PodRoute } from './pod-net.js';

class RecordingNet implements PodNet {
  calls: string[] = [];
  link: PodLink = { index: 7, name: 'net1', mac: '02:00:00:00:00:07', up: false, running: false };
  v6: PodAddress[][] = [];
  failSysctl = new Map<string, NodeJS.ErrnoException>();
  frames: Uint8Array[] = [];
  async getLink(_netns: string, name: string) {
    if (name !== this.link.name) throw new Error('Link not found');
    return { ...this.link };
  }
  async setLinkUp(_n: string, i: number) {
    this.calls.push(`up ${i}`);
    this.link.up = true;
  }
  async addAddress(_n: string, i: number, cidr: string) {
    this.calls.push(`addr ${i} ${cidr}`);
  }
  async listIpv6Addresses() {
    this.calls.push('list6');
    return this.v6.length > 1 ? this.v6.shift()! : (this.v6[0] ?? []);
  }
  async appendRoute(_n: string, r: PodRoute) {
    this.calls.push(`route ${JSON.stringify(r)}`);
  }
  /** Current sysctl values; a path not listed reads as ENOENT. A new netns starts with IPv6 enabled. */
  sysctls = new Map<string, string>([
    ['net/ipv6/conf/lo/disable_ipv6', '0'],
    ['net/ipv6/conf/net1/disable_ipv6', '0'],
  ]);
  async readSysctl(_n: string, path: string) {
    this.calls.push(`read ${path}`);
    const value = this.sysctls.get(path);
    if (value === undefined) throw Object.assign(new Error(`open /proc/sys/${path}: ENOENT`), { code: 'ENOENT' });
    return `${value}\n`;
  }
  async writeSysctl(_n: string, path: string, value: string) {
    const err = this.failSysctl.get(path);
    if (err) throw err;
    this.calls.push(`sysctl ${path}=${value}`);
    this.sysctls.set(path, value);
  }
  async sendFrame(_n: string, i: number, frame: Uint8Array) {
    this.calls.push(`frame ${i} ${frame.length}`);
    this.frames.push(frame);
  }
}

const iface = { name: 'net1', sandbox: '/var/run/netns/pod' };
function bound(partial: Partial<Result>): Result {
  return bindIpamResult({ interfaces: [], ips: [], routes: [], dns: {}, ...partial }, iface);
}

describe('configureInterface', () => {
  it('adds addresses, then link up, then routes with gateway fallback; no default route from a gateway', async () => {
    const net = new RecordingNet();
    await configureInterface(
      '/var/run/netns/pod',
      'net1',
      bound({
        ips: [
          { address: '10.1.0.5/16', gateway: '10.1.0.1' },
          { address: '10.2.0.5/16', gateway: '10.2.0.1' },
        ],
        routes: [
          { dst: '192.168.0.0/16' },
          { dst: '172.16.0.0/12', gw: '10.2.0.9', priority: 5, table: 100, scope: 0 },
        ],
      }),
      { net },
    );
    expect(net.calls).toEqual([
      'addr 7 10.1.0.5/16',
      'addr 7 10.2.0.5/16',
      'up 7',
      `route ${JSON.stringify({ dst: '192.168.0.0/16', ifindex: 7, gateway: '10.1.0.1' })}`,
      `route ${JSON.stringify({ dst: '172.16.0.0/12', ifindex: 7, gateway: '10.2.0.9', priority: 5, table: 100, scope: 0 })}`,
    ]);
  });

  it('with the ifindex given, skips the lookup and names the link by that index', async () => {
    const net = new RecordingNet();
    let looked = 0;
    net.getLink = async () => {
      looked++;
      throw new Error('Link not found');
    };
    await configureInterface('/var/run/netns/pod', 'net1', bound({ ips: [{ address: '10.1.0.5/16' }] }), {
      net,
      ifindex: 9,
    });
    expect(looked).toBe(0);
    expect(net.calls).toEqual(['addr 9 10.1.0.5/16', 'up 9']);
    await expect(
      configureInterface('/var/run/netns/pod', 'net1', bound({ ips: [{ address: '10.1.0.5/16' }] }), { net }),
    ).rejects.toThrow('failed to lookup "net1": Link not found');
  });

  it('enables IPv6 once before the first IPv6 address and waits for DAD when there is an IPv6 gateway', async () => {
    const net = new RecordingNet();
    net.sysctls.set('net/ipv6/conf/lo/disable_ipv6', '1');
    net.sysctls.set('net/ipv6/conf/net1/disable_ipv6', '1');
    net.v6 = [
      [{ address: 'fd00::5', tentative: true, dadFailed: false }],
      [{ address: 'fd00::5', tentative: false, dadFailed: false }],
    ];
    await configureInterface(
      'ns',
      'net1',
      bound({
        ips: [{ address: '10.1.0.5/24' }, { address: 'fd00::5/64', gateway: 'fd00::1' }, { address: 'fd00::6/64' }],
        routes: [{ dst: '::/0' }, { dst: '0.0.0.0/0' }],
      }),
      { net },
    );
    expect(net.calls).toEqual([
      'addr 7 10.1.0.5/24',
      'read net/ipv6/conf/lo/disable_ipv6',
      'sysctl net/ipv6/conf/lo/disable_ipv6=0',
      'read net/ipv6/conf/net1/disable_ipv6',
      'sysctl net/ipv6/conf/net1/disable_ipv6=0',
      'sysctl net/ipv6/conf/net1/keep_addr_on_down=1',
      'addr 7 fd00::5/64',
      'addr 7 fd00::6/64',
      'up 7',
      'list6',
      'list6',
      `route ${JSON.stringify({ dst: '::/0', ifindex: 7, gateway: 'fd00::1' })}`,
      `route ${JSON.stringify({ dst: '0.0.0.0/0', ifindex: 7 })}`, // no IPv4 gateway known: on-link
    ]);
  });

  it('reads disable_ipv6 first and writes only where it is not already 0, as ConfigureIface', async () => {
    const net = new RecordingNet();
    net.sysctls.set('net/ipv6/conf/net1/disable_ipv6', '1');
    await configureInterface('ns', 'net1', bound({ ips: [{ address: 'fd00::5/64' }] }), { net });
    expect(net.calls).toEqual([
      'read net/ipv6/conf/lo/disable_ipv6', // already 0: no write
      'read net/ipv6/conf/net1/disable_ipv6',
      'sysctl net/ipv6/conf/net1/disable_ipv6=0',
      'sysctl net/ipv6/conf/net1/keep_addr_on_down=1',
      'addr 7 fd00::5/64',
      'up 7',
    ]);
    expect(net.sysctls.get('net/ipv6/conf/net1/disable_ipv6')).toBe('0');

    // both already 0: nothing written but keep_addr_on_down
    const enabled = new RecordingNet();
    await configureInterface('ns', 'net1', bound({ ips: [{ address: 'fd00::5/64' }] }), { net: enabled });
    expect(enabled.calls.filter((c) => c.startsWith('sysctl '))).toEqual([
      'sysctl net/ipv6/conf/net1/keep_addr_on_down=1',
    ]);
  });

  it('logs and skips an unreadable disable_ipv6; a failed write is an error naming the value read', async () => {
    const net = new RecordingNet();
    net.sysctls.delete('net/ipv6/conf/lo/disable_ipv6'); // IPv6 disabled at boot: no such file
    net.sysctls.set('net/ipv6/conf/net1/disable_ipv6', '1');
    const logged: string[] = [];
    const logger = { info: (m: string) => logged.push(m), debug: () => {}, error: () => {}, warning: () => {} };
    await configureInterface('ns', 'net1', bound({ ips: [{ address: 'fd00::5/64' }] }), { net, logger });
    expect(net.calls.slice(0, 3)).toEqual([
      'read net/ipv6/conf/lo/disable_ipv6',
      'read net/ipv6/conf/net1/disable_ipv6',
      'sysctl net/ipv6/conf/net1/disable_ipv6=0',
    ]);
    expect(logged).toEqual([
      'ipam_linux: failed to read sysctl "net/ipv6/conf/lo/disable_ipv6": open /proc/sys/net/ipv6/conf/lo/disable_ipv6: ENOENT',
    ]);

    const failing = new RecordingNet();
    failing.sysctls.set('net/ipv6/conf/net1/disable_ipv6', '1');
    failing.failSysctl.set(
      'net/ipv6/conf/net1/disable_ipv6',
      Object.assign(new Error('permission denied'), { code: 'EACCES' }),
    );
    const err = await configureInterface('ns', 'net1', bound({ ips: [{ address: 'fd00::5/64' }] }), {
      net: failing,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigureInterfaceError);
    expect((err as Error).message).toBe(
      'failed to enable IPv6 for interface "net1" (net/ipv6/conf/net1/disable_ipv6=1): permission denied',
    );
    expect(failing.calls.some((c) => c.startsWith('addr '))).toBe(false);
  });

  it('writes the sriov-cni sysctls first when asked, ignoring their failures', async () => {
    const net = new RecordingNet();
    const enoent = Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    net.failSysctl.set('net/ipv6/conf/net1/optimistic_dad', enoent);
    await configureInterface('ns', 'net1', bound({ ips: [{ address: '10.1.0.5/24' }] }), {
      net,
      notifySysctls: true,
      optimisticDad: true,
      acceptDad: 0,
    });
    expect(net.calls).toEqual([
      'sysctl net/ipv4/conf/net1/arp_notify=1',
      'sysctl net/ipv6/conf/net1/ndisc_notify=1',
      'sysctl net/ipv6/conf/net1/accept_dad=0',
      'addr 7 10.1.0.5/24',
      'up 7',
    ]);
  });

  it('skips IPs without an interface index and rejects indexes naming another interface', async () => {
    const net = new RecordingNet();
    const result: Result = {
      interfaces: [iface, { name: 'other' }],
      ips: [{ address: '10.9.9.9/24' }, { address: '10.1.0.5/24', interface: 0 }],
      routes: [],
      dns: {},
    };
    await configureInterface('ns', 'net1', result, { net });
    expect(net.calls).toEqual(['addr 7 10.1.0.5/24', 'up 7']);
    for (const index of [1, 2, -1]) {
      const bad = { ...result, ips: [{ address: '10.1.0.6/24', interface: index }] };
      await expect(configureInterface('ns', 'net1', bad, { net })).rejects.toThrow(
        'failed to add IP addr 10.1.0.6/24 to "net1": invalid interface index',
      );
    }
  });

  it('requires interfaces and an existing link', async () => {
    const net = new RecordingNet();
    await expect(
      configureInterface('ns', 'net1', { interfaces: [], ips: [], routes: [], dns: {} }, { net }),
    ).rejects.toThrow('no interfaces to configure');
    await expect(
      configureInterface('ns', 'net9', bound({ ips: [{ address: '10.0.0.2/24' }] }), { net }),
    ).rejects.toThrow('failed to lookup "net9": Link not found');
  });

  it('fails on DADFAILED', async () => {
    const net = new RecordingNet();
    net.v6 = [[{ address: 'fd00::5', tentative: true, dadFailed: true }]];
    const err = await configureInterface(
      'ns',
      'net1',
      bound({ ips: [{ address: 'fd00::5/64', gateway: 'fd00::1' }] }),
      {
        net,
      },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigureInterfaceError);
    expect((err as Error).message).toBe(
      'failed to settle addresses for "net1": link net1 has address fd00::5 in DADFAILED state',
    );
  });

  it('still tentative at the deadline: an error with carrier, silently accepted without', async () => {
    const withCarrier = new RecordingNet();
    withCarrier.link.running = true;
    withCarrier.v6 = [[{ address: 'fd00::5', tentative: true, dadFailed: false }]];
    const result = bound({ ips: [{ address: 'fd00::5/64', gateway: 'fd00::1' }], routes: [{ dst: '::/0' }] });
    await expect(configureInterface('ns', 'net1', result, { net: withCarrier, dadTimeoutMs: 120 })).rejects.toThrow(
      'failed to settle addresses for "net1": link net1 still has tentative addresses after 0.12 seconds',
    );
    const noCarrier = new RecordingNet();
    noCarrier.v6 = [[{ address: 'fd00::5', tentative: true, dadFailed: false }]];
    await configureInterface('ns', 'net1', result, { net: noCarrier, dadTimeoutMs: 120 });
    expect(noCarrier.calls.at(-1)).toBe(`route ${JSON.stringify({ dst: '::/0', ifindex: 7, gateway: 'fd00::1' })}`);
  });

  it('surfaces a kernel error on address add with the ConfigureIface message', async () => {
    const net = new RecordingNet();
    net.addAddress = async () => {
      throw new Error('file exists');
    };
    await expect(
      configureInterface('ns', 'net1', bound({ ips: [{ address: '10.1.0.5/24' }] }), { net }),
    ).rejects.toThrow('failed to add IP addr 10.1.0.5/24 to "net1": file exists');
  });
});

describe('bindIpamResult', () => {
  it('requires an IP and points every IP at the single pod interface', () => {
    expect(() => bound({})).toThrow('IPAM plugin returned missing IP config');
    const r = bound({ ips: [{ address: '10.1.0.5/24', interface: 3 }, { address: 'fd00::5/64' }] });
    expect(r.interfaces).toEqual([iface]);
    expect(r.ips.map((ip) => ip.interface)).toEqual([0, 0]);
  });
});

describe('announce (logic; frames on a real veth are checked in ipam.netns.test.ts)', () => {
  it('waits for carrier, then sends one frame per address and reports', async () => {
    const net = new RecordingNet();
    let polls = 0;
    const getLink = net.getLink.bind(net);
    net.getLink = async (ns, name) => {
      if (++polls === 3) Object.assign(net.link, { up: true, running: true });
      return getLink(ns, name);
    };
    const report = await announce(
      'ns',
      'net1',
      bound({ ips: [{ address: '10.1.0.5/24' }, { address: 'fd00::5/64' }] }),
      {
        net,
      },
    );
    expect(report).toEqual({ sent: ['10.1.0.5', 'fd00::5'], errors: [], carrier: true });
    expect(net.calls).toEqual(['frame 7 42', 'frame 7 86']);
    expect(polls).toBe(3);
  });
  it('announces only addresses of this interface', async () => {
    const net = new RecordingNet();
    Object.assign(net.link, { up: true, running: true });
    const result: Result = {
      interfaces: [iface, { name: 'other' }],
      ips: [
        { interface: 1, address: '10.9.0.1/24' },
        { interface: 0, address: '10.1.0.5/24' },
      ],
      routes: [],
      dns: {},
    };
    expect((await announce('ns', 'net1', result, { net })).sent).toEqual(['10.1.0.5']);
  });
  it('gives up waiting for carrier after the bound and still sends', async () => {
    const net = new RecordingNet();
    const report = await announce('ns', 'net1', bound({ ips: [{ address: '10.1.0.5/24' }] }), {
      net,
      carrierWaitMs: 30,
    });
    expect(report.carrier).toBe(false);
    expect(report.sent).toEqual(['10.1.0.5']);
    expect(report.errors).toEqual(['net1 has no carrier after 30 ms; sending anyway']);
  });
  it('announces nothing for a MAC that is not a unicast Ethernet address, and never throws', async () => {
    const net = new RecordingNet();
    net.link.mac = '00:00:00:00:00:00';
    const r1 = await announce('ns', 'net1', bound({ ips: [{ address: '10.1.0.5/24' }] }), { net });
    expect(r1.sent).toEqual([]);
    expect(r1.errors[0]).toMatch(/^invalid Ethernet MAC address/);
    const r2 = await announce('ns', 'missing', bound({ ips: [{ address: '10.1.0.5/24' }] }), { net });
    expect(r2.errors).toEqual(['failed to get netlink device with name "missing": Link not found']);
    net.link.mac = '02:00:00:00:00:07';
    net.sendFrame = async () => {
      throw new Error('ENETDOWN');
    };
    const r3 = await announce('ns', 'net1', bound({ ips: [{ address: '10.1.0.5/24' }] }), { net, carrierWaitMs: 0 });
    expect(r3.errors.at(-1)).toBe('failed to send GARP/NA message for ip 10.1.0.5 on interface "net1": ENETDOWN');
  });
});
