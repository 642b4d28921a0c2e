// An in-memory node for unit tests of the flow's ordering and undo (the real-kernel tests are *.netns.test.ts).
import type { NetdevLink } from '@sriov-ts/cni';
import type { AttachmentCache } from '../src/cache.js';
import type { KnobChange, VfKnobState } from '../src/knobs.js';
import type { IpamResult, Ops, VfLocation } from '../src/ops.js';

export interface MemoryNode {
  ops: Ops;
  calls: string[];
  links: Map<string, NetdevLink & { netns: string }>; // key netns/name
  vfs: Map<number, VfKnobState>;
  caches: Map<string, AttachmentCache>;
  pending: Map<string, AttachmentCache>;
  allocations: Map<string, string>;
  leases: Set<string>;
  /** Throw from the op (and its nth call) whose name matches. */
  failAt?: { op: string; nth?: number; always?: boolean } | undefined;
}

const HOST = 'host';

export function memoryNode(): MemoryNode {
  const n: MemoryNode = {
    calls: [],
    links: new Map(),
    vfs: new Map([
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
    ]),
    caches: new Map(),
    pending: new Map(),
    allocations: new Map(),
    leases: new Set(),
    ops: undefined as unknown as Ops,
  };
  n.links.set(`${HOST}/vf0`, {
    netns: HOST,
    index: 5,
    name: 'vf0',
    mac: '02:00:00:00:00:05',
    mtu: 1500,
    altNames: ['vf0'],
  });
  const counts = new Map<string, number>();
  const step = (op: string, detail = '') => {
    const c = (counts.get(op) ?? 0) + 1;
    counts.set(op, c);
    n.calls.push(detail ? `${op} ${detail}` : op);
    if (n.failAt && n.failAt.op === op && (n.failAt.always || (n.failAt.nth ?? 1) === c))
      throw new Error(`injected failure in ${op}`);
  };
  const ns = (x: string | undefined) => x ?? HOST;
  const find = (netns: string | undefined, ref: string | number) =>
    typeof ref === 'number'
      ? [...n.links.values()].find((l) => l.netns === ns(netns) && l.index === ref)
      : n.links.get(`${ns(netns)}/${ref}`);
  const move = (from: string, name: string, to: string, newName: string) => {
    const l = n.links.get(`${from}/${name}`)!;
    n.links.delete(`${from}/${name}`);
    n.links.set(`${to}/${newName}`, { ...l, netns: to, name: newName });
  };
  const location: VfLocation = { pciAddress: '0000:af:06.0', pf: 'pf0', vfIndex: 0, netdev: 'vf0', driver: 'iavf' };
  n.ops = {
    locateVf: () => location,
    vfExists: () => true,
    pfByName: () => ({ pciAddress: '0000:af:00.0', driver: 'i40e', vfs: [{ index: 0, address: '0000:af:06.0' }] }),
    netnsState: (p) => (p.startsWith('/gone') ? 'missing' : 'ok'),
    sameFile: (a, b) => a.replace(/^\/var\/run\//, '/run/') === b.replace(/^\/var\/run\//, '/run/'),
    getLink: (netns, name) => find(netns, name),
    moveIntoNetns: (host, netns, newName) => {
      step('moveIntoNetns', `${host}->${netns}/${newName}`);
      move(HOST, host, netns, newName);
    },
    moveToHost: (netns, name, hostName, mac, mtu) => {
      step('moveToHost', `${netns}/${name}->${hostName}`);
      move(netns, name, HOST, hostName);
      const l = find(HOST, hostName)!;
      if (mac) l.mac = mac;
      if (mtu) l.mtu = mtu;
    },
    setMac: (netns, name, mac) => {
      step('setMac', mac);
      find(netns, name)!.mac = mac;
    },
    delAltName: (netns, name, alt) => {
      step('delAltName', alt);
      const l = find(netns, name)!;
      l.altNames = l.altNames.filter((a) => a !== alt);
    },
    setSysctl: (_netns, path) => step('setSysctl', path.split('/').at(-1)),
    readVf: (_pf, i) => {
      const v = n.vfs.get(i);
      return v && { ...v, pfMtu: 9000 };
    },
    pfMtu: () => 9000,
    setVfKnob: (_pf, i, c: KnobChange) => {
      step('setVfKnob', JSON.stringify(c));
      const v = n.vfs.get(i)!;
      if (c.kind === 'vlan') Object.assign(v, { vlan: c.vlan, vlanQoS: c.qos, vlanProto: c.proto });
      if (c.kind === 'mac') v.adminMac = c.mac;
      if (c.kind === 'spoofchk') v.spoofchk = c.on;
      if (c.kind === 'trust') v.trust = c.on;
      if (c.kind === 'rate') Object.assign(v, { minTxRate: c.min, maxTxRate: c.max });
      if (c.kind === 'linkState') v.linkState = c.state;
    },
    lockVf: async () => {
      step('lockVf');
      return () => undefined;
    },
    lockPf: async () => () => undefined,
    readAllocation: (pci) => n.allocations.get(pci),
    writeAllocation: (pci, netns) => {
      step('writeAllocation');
      n.allocations.set(pci, netns);
    },
    deleteAllocation: (pci) => n.allocations.delete(pci) && undefined,
    readCache: (k) => n.caches.get(k),
    writeCache: (k, c) => {
      step('writeCache');
      n.caches.set(k, structuredClone(c));
    },
    deleteCache: (k) => n.caches.delete(k) && undefined,
    readPending: (k) => n.pending.get(k),
    writePending: (k, c) => {
      step('writePending');
      n.pending.set(k, structuredClone(c));
    },
    deletePending: (k) => n.pending.delete(k) && undefined,
    listCacheKeys: () => [...n.caches.keys()],
    listPendingKeys: () => [...n.pending.keys()],
    ipamAdd: async (): Promise<IpamResult> => {
      step('ipamAdd');
      n.leases.add('10.0.0.2/24');
      return { interfaces: [], ips: [{ address: '10.0.0.2/24', gateway: '10.0.0.1' }], routes: [], dns: {} };
    },
    ipamDel: async () => {
      step('ipamDel');
      n.leases.clear();
    },
    ipamCheck: async () => step('ipamCheck'),
    configureIp: async () => step('configureIp'),
    announce: async () => step('announce'),
    sleep: async () => undefined,
    log: () => undefined,
  };
  return n;
}
