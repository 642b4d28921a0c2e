// An in-memory node for unit tests of the flow's ordering and undo (the real-kernel tests are *.netns.test.ts):
// fake sysfs, netdevs, PF and IPAM that record what they are asked; the state directory is the real VfStateDir in
// a temp dir (removed by removeMemoryNodes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type NetdevLink, type Result, type VfKnobState, VfStateDir } from '@sriov-ts/cni';
import type { PciAddress } from '@sriov-ts/sysfs-pci';
import type { Node } from '../src/node.js';

export const VF_PCI = '0000:af:06.0' as PciAddress;
const PF_PCI = '0000:af:00.0' as PciAddress;
const HOST = 'host';

export interface MemoryNode {
  node: Node;
  /** What the fakes were asked to change, in order ("vfs.set {json}", "netdev.moveIntoNetns …", "ipam.del", …). */
  calls: string[];
  links: Map<string, NetdevLink & { netns: string }>; // key netns/name
  vfs: Map<number, VfKnobState>;
  leases: Set<string>;
}

const dirs: string[] = [];
export function removeMemoryNodes(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function memoryNode(): MemoryNode {
  const dir = mkdtempSync(join(tmpdir(), 'sriov-memory-node-'));
  dirs.push(dir);
  const calls: string[] = [];
  const links = new Map<string, NetdevLink & { netns: string }>();
  links.set(`${HOST}/vf0`, {
    netns: HOST,
    index: 5,
    name: 'vf0',
    mac: '02:00:00:00:00:05',
    mtu: 1500,
    altNames: ['vf0'],
  });
  const vfs = new Map<number, VfKnobState>([
    [
      0,
      {
        adminMac: '00:00:00:00:00:00',
        vlan: 0,
        vlanQoS: 0,
        vlanProto: 0x8100,
        spoofchk: true,
        trust: false,
        minTxRate: 0,
        maxTxRate: 0,
        linkState: 0,
      },
    ],
  ]);
  const leases = new Set<string>();
  const ns = (x: string | undefined) => x ?? HOST;
  const find = (netns: string | undefined, ref: string | number) =>
    typeof ref === 'number'
      ? [...links.values()].find((l) => l.netns === ns(netns) && l.index === ref)
      : links.get(`${ns(netns)}/${ref}`);
  const move = (from: string, name: string, to: string, newName: string) => {
    const l = links.get(`${from}/${name}`)!;
    links.delete(`${from}/${name}`);
    links.set(`${to}/${newName}`, { ...l, netns: to, name: newName });
  };
  const node: Node = {
    sysfs: {
      hasPciDevice: (a) => a === VF_PCI || a === PF_PCI,
      pfNetdevsOfVf: () => ['pf0'],
      vfIndex: (a) => (a === VF_PCI ? 0 : null),
      netdevs: (a) => (a === VF_PCI ? ['vf0'] : []),
      driver: (a) => (a === VF_PCI ? 'iavf' : 'i40e'),
      netdevPciAddress: () => PF_PCI,
      vfs: () => [{ index: 0, address: VF_PCI }],
    },
    netns: {
      state: (p) => (p.startsWith('/gone') ? 'missing' : 'ok'),
      sameFile: (a, b) => a.replace(/^\/var\/run\//, '/run/') === b.replace(/^\/var\/run\//, '/run/'),
    },
    netdev: {
      getLink: (netns, name) => find(netns, name),
      moveIntoNetns: (hostLink, netns, newName) => {
        const host = find(HOST, hostLink)!.name;
        calls.push(`netdev.moveIntoNetns ${host}->${netns}/${newName}`);
        move(HOST, host, netns, newName);
      },
      moveToHost: (netns, link, hostName, mac, mtu) => {
        const name = find(netns, link)!.name;
        calls.push(`netdev.moveToHost ${netns}/${name}->${hostName}`);
        move(netns, name, HOST, hostName);
        const l = find(HOST, hostName)!;
        if (mac) l.mac = mac;
        if (mtu) l.mtu = mtu;
      },
      setMac: (netns, name, mac) => {
        calls.push(`netdev.setMac ${mac}`);
        find(netns, name)!.mac = mac;
      },
      delAltName: (netns, name, alt) => {
        calls.push(`netdev.delAltName ${alt}`);
        const l = find(netns, name)!;
        l.altNames = l.altNames.filter((a) => a !== alt);
      },
      setSysctl: (_netns, path) => void calls.push(`netdev.setSysctl ${path.split('/').at(-1)}`),
      sleep: async () => undefined,
      addressing: () => ({ addresses: ['10.0.0.2/24'], routes: [] }),
    },
    vfs: {
      read: (_pf, i) => {
        const v = vfs.get(i);
        return v && { ...v };
      },
      set: (_pf, i, c) => {
        calls.push(`vfs.set ${JSON.stringify(c)}`);
        const v = vfs.get(i)!;
        if (c.kind === 'vlan') Object.assign(v, { vlan: c.vlan, vlanQoS: c.qos, vlanProto: c.proto });
        if (c.kind === 'mac') v.adminMac = c.mac;
        if (c.kind === 'spoofchk') v.spoofchk = c.on;
        if (c.kind === 'trust') v.trust = c.on;
        if (c.kind === 'rate') Object.assign(v, { minTxRate: c.min, maxTxRate: c.max });
        if (c.kind === 'linkState') v.linkState = c.state;
      },
      pfMtu: () => 9000,
    },
    state: new VfStateDir(dir),
    ipam: {
      add: async (): Promise<Result> => {
        calls.push('ipam.add');
        leases.add('10.0.0.2/24');
        return { interfaces: [], ips: [{ address: '10.0.0.2/24', gateway: '10.0.0.1' }], routes: [], dns: {} };
      },
      del: async () => {
        calls.push('ipam.del');
        leases.clear();
      },
      check: async () => void calls.push('ipam.check'),
      configure: async (_netns, _ifName, _result, ifindex) => void calls.push(`ipam.configure ifindex=${ifindex}`),
      announce: async () => calls.push('ipam.announce'),
    },
    log: createLogger({ level: 'panic', stderr: () => undefined }),
  };
  return { node, calls, links, vfs, leases };
}
