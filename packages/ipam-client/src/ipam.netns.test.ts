// The real thing: Debian's host-local and static IPAM plugins, a real pod netns with a veth whose peer sits in a
// third netns, results applied through netlink-ops and checked with netlink-ops and `ip -j` (oracle only).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatResult, type Result } from '@sriov-ts/cni';
import * as nl from '@sriov-ts/netlink-ops';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Capture, startCapture } from '../test/pcap.js';
import { announce } from './announce.js';
import { bindIpamResult } from './bind.js';
import { configureInterface } from './configure.js';
import { type IpamDelegation, ipamAdd, ipamCheck, ipamDel, ipamStatus } from './delegate.js';
import { buildGratuitousArp, buildUnsolicitedNeighborAdvert, parseIPv6 } from './frames.js';

const CNI_DIR = '/usr/lib/cni';
const skip = missingPrerequisites('ipam-client netns suite', [
  isRoot(),
  executable(join(CNI_DIR, 'host-local')),
  executable(join(CNI_DIR, 'static')),
  executable('ip'),
  executable('nsenter'),
]);
// the GARP/NA capture additionally needs tcpdump (apt package `tcpdump`), used as a capture tool only
const skipCapture = skip ?? missingPrerequisites('ipam-client GARP/NA capture', [executable('tcpdump')]);

const tag = `ic${randomBytes(3).toString('hex')}`; // unique per test file run: netns and link names, temp dirs
const POD_IF = 'net1';
const PEER_IF = `${tag}p`;
const POD_MAC = '02:42:ac:11:00:07';

interface Lab {
  podNs: string;
  peerNs: string;
  podPath: string;
  peerPath: string;
}
let seq = 0;
let lab: Lab | undefined;
let dataDir: string;

/** A fresh pod netns + peer netns joined by a veth (pod side `net1` with a fixed MAC, peer side up). */
function makeLab(): Lab {
  seq++;
  const podNs = `${tag}-pod${seq}`;
  const peerNs = `${tag}-peer${seq}`;
  lab = { podNs, peerNs, podPath: '', peerPath: '' }; // registered first: clean-up runs even if creation fails
  const podPath = nl.createNetns(podNs);
  const peerPath = nl.createNetns(peerNs);
  const made: Lab = { podNs, peerNs, podPath, peerPath };
  lab = made;
  nl.createVeth(POD_IF, PEER_IF, { netns: podPath, peerNetns: peerPath, mac: POD_MAC });
  nl.setLink(PEER_IF, { up: true }, { netns: peerPath });
  return made;
}

function destroyLab(): void {
  if (!lab) return;
  const { podNs, peerNs } = lab;
  lab = undefined;
  const errors: unknown[] = [];
  for (const name of [podNs, peerNs]) {
    try {
      nl.deleteNetns(name); // the veth dies with its namespace
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'netns clean-up failed');
}

/** `ip -j` as an independent oracle. */
function ipJson<T>(netns: string, ...args: string[]): T {
  return JSON.parse(execFileSync('ip', ['-n', netns, '-j', ...args], { encoding: 'utf8' }) || '[]') as T;
}
interface IpAddr {
  addr_info: Array<{ family: string; local: string; prefixlen: number; scope: string }>;
  flags: string[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev: string;
  metric?: number;
}

function cniEnv(netnsPath: string, containerId: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: 'ADD',
    CNI_CONTAINERID: containerId,
    CNI_NETNS: netnsPath,
    CNI_IFNAME: POD_IF,
    CNI_PATH: `/nonexistent:${CNI_DIR}`,
    ...extra,
  };
}

function delegation(conf: Record<string, unknown>): IpamDelegation {
  const stdin = Buffer.from(JSON.stringify(conf));
  return { stdin, type: (conf.ipam as { type: string }).type, cniVersion: conf.cniVersion as string };
}

function hostLocalConf(extra: Record<string, unknown> = {}) {
  return {
    cniVersion: '1.0.0',
    name: `${tag}-net`,
    type: 'sriov',
    ipam: {
      type: 'host-local',
      dataDir,
      ranges: [
        [{ subnet: '10.77.0.0/24', rangeStart: '10.77.0.10', rangeEnd: '10.77.0.20' }],
        [{ subnet: 'fd77::/64' }],
      ],
      routes: [{ dst: '0.0.0.0/0' }, { dst: '::/0' }, { dst: '192.168.50.0/24', gw: '10.77.0.254' }],
    },
    ...extra,
  };
}

describe.skipIf(skip !== null)('real IPAM plugins in a real pod netns', () => {
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), `${tag}-ipam-`));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    makeLab();
  });
  afterEach(() => {
    destroyLab();
  });

  it('host-local dual stack: ADD configures the pod, CHECK passes, DEL releases, DEL again succeeds', async () => {
    const { podPath, podNs } = lab!;
    const conf = hostLocalConf();
    const env = cniEnv(podPath, 'ctr-dual');
    const raw = await ipamAdd(delegation(conf), { env });
    expect(raw.ips.map((ip) => [ip.address, ip.gateway])).toEqual([
      ['10.77.0.10/24', '10.77.0.1'],
      ['fd77::2/64', 'fd77::1'],
    ]);
    const leaseDir = join(dataDir, conf.name);
    expect(readFileSync(join(leaseDir, '10.77.0.10'), 'utf8')).toBe('ctr-dual\r\nnet1');
    expect(existsSync(join(leaseDir, 'fd77::2'))).toBe(true);

    const result = bindIpamResult(raw, { name: POD_IF, mac: POD_MAC, sandbox: podPath });
    await configureInterface(podPath, POD_IF, result, { notifySysctls: true, optimisticDad: true });

    // read back through netlink-ops
    const addrs = nl.listAddresses({ netns: podPath, link: POD_IF });
    expect(addrs.map((a) => a.cidr)).toEqual(expect.arrayContaining(['10.77.0.10/24', 'fd77::2/64']));
    const routes = nl.listRoutes({ netns: podPath, link: POD_IF });
    expect(routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ family: 4, dst: 'default', gateway: '10.77.0.1' }),
        expect.objectContaining({ family: 6, dst: 'default', gateway: 'fd77::1' }),
        expect.objectContaining({ family: 4, dst: '192.168.50.0/24', gateway: '10.77.0.254' }),
      ]),
    );
    // and with ip -j as the oracle
    const [link] = ipJson<IpAddr[]>(podNs, 'addr', 'show', 'dev', POD_IF);
    expect(link!.flags).toContain('UP');
    expect(link!.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toEqual(
      expect.arrayContaining(['10.77.0.10/24', 'fd77::2/64']),
    );
    expect(ipJson<IpRoute[]>(podNs, 'route', 'show', 'default')).toEqual([
      expect.objectContaining({ dst: 'default', gateway: '10.77.0.1', dev: POD_IF }),
    ]);
    expect(ipJson<IpRoute[]>(podNs, '-6', 'route', 'show', 'default')).toEqual([
      expect.objectContaining({ dst: 'default', gateway: 'fd77::1', dev: POD_IF }),
    ]);
    expect(ipJson<IpRoute[]>(podNs, 'route', 'show', '192.168.50.0/24')).toEqual([
      expect.objectContaining({ gateway: '10.77.0.254', dev: POD_IF }),
    ]);
    // the sysctls sriov-cni sets, read back through procfs of the pod netns (oracle: nsenter + cat)
    const sysctl = (p: string) =>
      execFileSync('nsenter', [`--net=${podPath}`, 'cat', `/proc/sys/net/${p}`], { encoding: 'utf8' }).trim();
    expect(sysctl(`ipv4/conf/${POD_IF}/arp_notify`)).toBe('1');
    expect(sysctl(`ipv6/conf/${POD_IF}/ndisc_notify`)).toBe('1');
    expect(sysctl(`ipv6/conf/${POD_IF}/keep_addr_on_down`)).toBe('1');
    expect(sysctl(`ipv6/conf/${POD_IF}/disable_ipv6`)).toBe('0');

    // CHECK with prevResult (as the runtime sends it: converted to the config's version)
    const withPrev = { ...conf, prevResult: formatResult(result, conf.cniVersion) };
    await ipamCheck(delegation(withPrev), { env: { ...env, CNI_COMMAND: 'CHECK' } });
    // CHECK for a container that holds nothing fails with host-local's error, code kept
    await expect(ipamCheck(delegation(withPrev), { env: cniEnv(podPath, 'ctr-other') })).rejects.toMatchObject({
      code: 999,
      msg: 'host-local: Failed to find address added by container ctr-other',
    });

    await ipamDel(delegation(conf), { env });
    expect(existsSync(join(leaseDir, '10.77.0.10'))).toBe(false);
    expect(existsSync(join(leaseDir, 'fd77::2'))).toBe(false);
    await ipamDel(delegation(conf), { env });
  });

  it.each(['0.2.0', '0.3.1', '0.4.0', '1.0.0'])('host-local answering in %s comes back in the 1.1 model', async (v) => {
    const conf = { ...hostLocalConf(), cniVersion: v, name: `${tag}-v${v.replaceAll('.', '')}` };
    const env = cniEnv(lab!.podPath, `ctr-${v}`);
    const raw = await ipamAdd(delegation(conf), { env });
    expect(raw.cniVersion).toBe(v);
    expect(raw.ips).toEqual([
      { address: '10.77.0.10/24', gateway: '10.77.0.1' },
      { address: 'fd77::2/64', gateway: 'fd77::1' },
    ]);
    // 0.2.0 keeps routes per family (ip4.routes / ip6.routes), so only the set is version-independent
    expect(new Set(raw.routes.map((r) => `${r.dst} ${r.gw ?? '-'}`))).toEqual(
      new Set(['0.0.0.0/0 -', '::/0 -', '192.168.50.0/24 10.77.0.254']),
    );
    await ipamDel(delegation(conf), { env });
    expect(existsSync(join(dataDir, conf.name, '10.77.0.10'))).toBe(false);
  });

  it("keeps a real plugin's own error code: host-local 1.1.1 knows no STATUS", async () => {
    const conf = { ...hostLocalConf(), cniVersion: '1.1.0' };
    await expect(ipamStatus(delegation(conf), { env: cniEnv('', 'ctr-status') })).rejects.toMatchObject({
      code: 4,
      msg: 'unknown CNI_COMMAND: STATUS',
    });
  });

  it('IPAM DEL works when ADD never happened (and with the netns gone)', async () => {
    const conf = hostLocalConf();
    await ipamDel(delegation(conf), { env: cniEnv('', 'never-added') });
    await ipamDel(delegation(conf), { env: cniEnv('/var/run/netns/does-not-exist', 'never-added') });
  });

  it('host-local honours CNI_ARGS IP=', async () => {
    const { podPath, podNs } = lab!;
    const conf = hostLocalConf();
    const env = cniEnv(podPath, 'ctr-args', { CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAME=p;IP=10.77.0.17' });
    const raw = await ipamAdd(delegation(conf), { env });
    expect(raw.ips[0]!.address).toBe('10.77.0.17/24');
    await configureInterface(podPath, POD_IF, bindIpamResult(raw, { name: POD_IF, sandbox: podPath }));
    const [link] = ipJson<IpAddr[]>(podNs, 'addr', 'show', 'dev', POD_IF);
    expect(link!.addr_info.map((a) => a.local)).toContain('10.77.0.17');
    await ipamDel(delegation(conf), { env });
    expect(existsSync(join(dataDir, conf.name, '10.77.0.17'))).toBe(false);
  });

  it('static honours runtimeConfig.ips (capability "ips"), dual stack, routes with and without gw', async () => {
    const { podPath, podNs } = lab!;
    const conf = {
      cniVersion: '1.0.0',
      name: `${tag}-static`,
      type: 'sriov',
      capabilities: { ips: true },
      runtimeConfig: { ips: ['10.88.0.7/24', 'fd88::7/64'] },
      ipam: {
        type: 'static',
        addresses: [{ address: '10.99.0.1/24', gateway: '10.99.0.254' }],
        routes: [{ dst: '0.0.0.0/0', gw: '10.88.0.1' }, { dst: 'fd99::/64' }, { dst: '10.123.0.0/16' }],
      },
    };
    const env = cniEnv(podPath, 'ctr-static');
    const raw = await ipamAdd(delegation(conf), { env });
    expect(raw.ips.map((ip) => ip.address)).toEqual(['10.88.0.7/24', 'fd88::7/64']);
    await configureInterface(podPath, POD_IF, bindIpamResult(raw, { name: POD_IF, sandbox: podPath }));
    const [link] = ipJson<IpAddr[]>(podNs, 'addr', 'show', 'dev', POD_IF);
    expect(link!.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toEqual(
      expect.arrayContaining(['10.88.0.7/24', 'fd88::7/64']),
    );
    expect(link!.addr_info.map((a) => a.local)).not.toContain('10.99.0.1'); // runtimeConfig overrides the config
    expect(ipJson<IpRoute[]>(podNs, 'route', 'show', 'default')).toEqual([
      expect.objectContaining({ gateway: '10.88.0.1', dev: POD_IF }),
    ]);
    // no IPv6 gateway anywhere: the route is on-link, and no IPv6 default route appears from nowhere
    expect(ipJson<IpRoute[]>(podNs, '-6', 'route', 'show', 'fd99::/64')).toEqual([
      expect.not.objectContaining({ gateway: expect.anything() }),
    ]);
    expect(ipJson<IpRoute[]>(podNs, '-6', 'route', 'show', 'default')).toEqual([]);
    // an IPv4 route without gateway and no IPv4 gateway known: on-link, with Go's scope 0 (not iproute2's "link")
    const onLink = ipJson<Array<IpRoute & { scope?: string }>>(podNs, 'route', 'show', '10.123.0.0/16');
    expect(onLink).toEqual([expect.objectContaining({ dst: '10.123.0.0/16', dev: POD_IF })]);
    expect(onLink[0]!.gateway).toBeUndefined();
    expect(onLink[0]!.scope).toBeUndefined(); // ip -j names only non-global scopes
    const withPrev = { ...conf, prevResult: formatResult(raw, '1.0.0') };
    await ipamCheck(delegation(withPrev), { env });
    await ipamDel(delegation(conf), { env });
  });

  it('a duplicate IPv6 address on the link fails with DADFAILED', async () => {
    const { podPath, peerPath } = lab!;
    // NODAD: the peer owns the address at once and answers the pod's DAD probe
    nl.addAddress(PEER_IF, 'fd66::5/64', { netns: peerPath, noDad: true });
    const result: Result = {
      interfaces: [{ name: POD_IF, sandbox: podPath }],
      ips: [{ interface: 0, address: 'fd66::5/64', gateway: 'fd66::1' }],
      routes: [],
      dns: {},
    };
    await expect(configureInterface(podPath, POD_IF, result)).rejects.toThrow(
      `failed to settle addresses for "${POD_IF}": link ${POD_IF} has address fd66::5 in DADFAILED state`,
    );
  });

  describe.skipIf(skipCapture !== null)('announce: frames captured on the peer end of the veth', () => {
    let capture: Capture | undefined;
    afterEach(async () => {
      await capture?.stop();
      capture = undefined;
    });

    it('sends one gratuitous ARP per IPv4 and one unsolicited NA per IPv6 address', async () => {
      const { podPath, peerPath } = lab!;
      const result: Result = {
        interfaces: [{ name: POD_IF, mac: POD_MAC, sandbox: podPath }],
        ips: [
          { interface: 0, address: '10.66.0.5/24' },
          { interface: 0, address: 'fd66::5/64' },
        ],
        routes: [],
        dns: {},
      };
      // arp_notify/ndisc_notify stay off here, so the kernel announces nothing by itself: every matching frame is ours
      await configureInterface(podPath, POD_IF, result, { acceptDad: 0 });
      capture = await startCapture(peerPath, PEER_IF, join(dataDir, `${tag}-cap.pcap`), 'arp or icmp6');
      const report = await announce(podPath, POD_IF, result);
      expect(report).toEqual({ sent: ['10.66.0.5', 'fd66::5'], errors: [], carrier: true });

      const isOurArp = (p: Buffer) =>
        p.readUInt16BE(12) === 0x0806 && p.subarray(28, 32).equals(Buffer.from([10, 66, 0, 5]));
      const isOurNa = (p: Buffer) =>
        p.readUInt16BE(12) === 0x86dd &&
        p[20] === 58 &&
        p[54] === 136 &&
        p.subarray(62, 78).equals(parseIPv6('fd66::5'));
      const packets = await capture.until((ps) => ps.some(isOurArp) && ps.some(isOurNa));
      const arps = packets.filter(isOurArp);
      const nas = packets.filter(isOurNa);
      expect(arps).toHaveLength(1);
      expect(nas).toHaveLength(1);

      const arp = arps[0]!;
      expect(arp.toString('hex')).toBe(buildGratuitousArp(POD_MAC, '10.66.0.5').toString('hex'));
      // field by field, read independently of the builder
      expect(arp.subarray(0, 6).toString('hex')).toBe('ffffffffffff'); // eth dst broadcast
      expect(arp.subarray(6, 12).toString('hex')).toBe(POD_MAC.replaceAll(':', '')); // eth src
      expect([arp.readUInt16BE(14), arp.readUInt16BE(16), arp[18], arp[19], arp.readUInt16BE(20)]).toEqual([
        1, 0x0800, 6, 4, 1,
      ]); // Ethernet/IPv4, request
      expect(arp.subarray(22, 28).toString('hex')).toBe(POD_MAC.replaceAll(':', '')); // sender MAC
      expect([...arp.subarray(28, 32)]).toEqual([10, 66, 0, 5]); // sender IP
      expect(arp.subarray(32, 38).toString('hex')).toBe('ffffffffffff'); // target MAC
      expect([...arp.subarray(38, 42)]).toEqual([10, 66, 0, 5]); // target IP = sender IP

      const na = nas[0]!;
      expect(na.toString('hex')).toBe(buildUnsolicitedNeighborAdvert(POD_MAC, 'fd66::5').toString('hex'));
      expect(na.subarray(0, 6).toString('hex')).toBe('333300000001');
      expect(na[21]).toBe(255); // hop limit
      expect(na.subarray(38, 54).equals(parseIPv6('ff02::1'))).toBe(true);
      expect([na[54], na[55], na.readUInt32BE(58)]).toEqual([136, 0, 0x20000000]); // NA, Override only
      expect([na[78], na[79]]).toEqual([2, 1]); // target link-layer address option, 8 bytes
      expect(na.subarray(80, 86).toString('hex')).toBe(POD_MAC.replaceAll(':', ''));
      // tcpdump as an independent checksum oracle
      await capture.stop();
      const decoded = execFileSync(
        'tcpdump',
        ['-r', join(dataDir, `${tag}-cap.pcap`), '-n', '-vv', 'icmp6 and ip6[40] == 136'],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      expect(decoded).toContain('icmp6 sum ok');
      expect(decoded).toContain('tgt is fd66::5');
      expect(decoded).toMatch(/Flags \[override\]/);
    });
  });
});
