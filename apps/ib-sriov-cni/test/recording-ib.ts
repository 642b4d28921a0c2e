// The recording PF/IPoIB layer for what this kernel cannot do (no InfiniBand, no RDMA netlink). At the netlink-ops
// transport seam it answers, as a ConnectX PF and the RDMA core would (ib-sriov-cni.md §2.3, §6): RTM_SETLINK on
// the PF carrying IFLA_VF_IB_NODE_GUID / PORT_GUID / LINK_STATE (recorded, applied, ACKed), RDMA SYS_GET (the netns
// mode), the RDMA device dump (per netns) and RDMA SET (device moves between netns). Every other request — the
// macvlan moves, renames, addresses — goes to the real kernel. At the sysfs seam, a rebind makes the VF's IPoIB
// hardware address in the fake tree carry the port GUID programmed since, as a rebound mlx5 VF reports it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '@sriov-ts/lab';
import {
  type Attribute,
  attributeMap,
  createRecordingTransport,
  decodeAttributes,
  findLink,
  formatGuid,
  type RecordedRequest,
  type RecordingTransport,
  renameLink,
} from '@sriov-ts/netlink-ops';

const NETLINK_RDMA = 20;
const RTM_SETLINK = 19;
const IFLA_VFINFO_LIST = 22;
const VF_ATTR = { link_state: 5, node: 10, port: 11 } as const;
const RDMA = { GET: 5121, SET: 5122, SYS_GET: 5126 } as const;
const ATTR = { DEV_INDEX: 1, DEV_NAME: 2, NETNS_MODE: 66, NET_NS_FD: 68 } as const;
const HOST = '/proc/self/ns/net';
const EINVAL = 22;

export type Step = keyof typeof VF_ATTR | 'rdma-move';

export interface VfRequest {
  kind: keyof typeof VF_ATTR;
  vf: number;
  value: string;
  /** The attribute bytes after the ifinfomsg, as hex. */
  hex: string;
}

export interface RecordingIb {
  transport: RecordingTransport;
  mode: 'exclusive' | 'shared';
  /** PF-side VF requests, in order. */
  vfRequests(): VfRequest[];
  /** RDMA requests with the netns their socket was opened in (undefined = the plugin's own). */
  rdmaRequests(): { type: number; netns: string | undefined; hex: string }[];
  /** Where each RDMA device is (undefined = host). */
  rdmaNetns: Map<string, string | undefined>;
  /** Node and port GUIDs the PF holds per VF. */
  guids: Map<number, { node?: string; port?: string }>;
  /** Fail the next request of that step with errno (default EINVAL, what mlx5 says to a bad GUID). */
  failNext(step: Step, errno?: number): void;
  /**
   * The sysfs half: a rebind of VF `index` happened. A queued udev-style rename is applied to the real netdev, the
   * fake tree's `net/` entry follows the real name (as sysfs does), and the VF's IPoIB address shows the port GUID
   * programmed on the PF.
   */
  rebound(index: number): void;
  /** The next rebind of VF `index` brings its netdev back under `name` (kernel ibN numbering / udev, issue 51). */
  renameOnRebind(index: number, name: string): void;
  /** Makes the fake tree's netdev entry of VF `index` carry the real link's current name. */
  syncNetdev(index: number): void;
  /** Sets the GUID a VF's IPoIB address shows (its state at lab start). */
  setAddressGuid(index: number, guid: string): void;
  addressGuid(index: number): string;
}

export function recordingIb(lab: Lab): RecordingIb {
  const pf = lab.pfs[0]!;
  const vfs = pf.vfs;
  const rdmaNetns = new Map<string, string | undefined>(
    vfs.filter((v) => v.rdmaDevice).map((v) => [v.rdmaDevice!, undefined]),
  );
  const rdmaIndex = (name: string) => [...rdmaNetns.keys()].indexOf(name) + 1;
  const guids = new Map<number, { node?: string; port?: string }>();
  const failures: { step: Step; errno: number }[] = [];
  const takeFailure = (step: Step) => {
    const i = failures.findIndex((f) => f.step === step);
    return i < 0 ? undefined : failures.splice(i, 1)[0]!.errno;
  };
  let pfIndex: number | undefined;
  const isPf = (r: RecordedRequest) => {
    pfIndex ??= findLink(pf.netdev)!.index;
    return r.payload.readInt32LE(4) === pfIndex;
  };
  const netDir = (index: number) => {
    const address = vfs[index]!.address;
    return join(lab.tree.deviceDir(address), 'net', lab.tree.netdevsOf(address)[0]!);
  };
  const addressFile = (index: number) => join(netDir(index), 'address');
  const renames = new Map<number, string>();

  const layer: RecordingIb = {
    mode: 'exclusive',
    rdmaNetns,
    guids,
    transport: undefined as unknown as RecordingTransport,
    vfRequests: () =>
      layer.transport.requests
        .filter((r) => r.protocol === 0 && r.type === RTM_SETLINK && vfInfos(r).length > 0)
        .flatMap((r) => vfInfos(r).map((a) => ({ ...decodeVfAttr(a), hex: r.payload.subarray(16).toString('hex') }))),
    rdmaRequests: () =>
      layer.transport.requests
        .filter((r) => r.protocol === NETLINK_RDMA)
        .map((r) => ({ type: r.type, netns: r.netns, hex: r.payload.toString('hex') })),
    failNext: (step, errno = EINVAL) => failures.push({ step, errno }),
    rebound(index) {
      const rename = renames.get(index);
      if (rename !== undefined) {
        renames.delete(index);
        const ifindex = Number(readFileSync(join(netDir(index), 'ifindex'), 'utf8'));
        renameLink(ifindex, rename);
      }
      layer.syncNetdev(index);
      const port = guids.get(index)?.port;
      if (port) layer.setAddressGuid(index, port);
    },
    renameOnRebind: (index, name) => void renames.set(index, name),
    syncNetdev(index) {
      const address = vfs[index]!.address;
      const fake = lab.tree.netdevsOf(address)[0]!;
      const read = (f: string) => readFileSync(join(netDir(index), f), 'utf8').trim();
      const ifindex = Number(read('ifindex'));
      const real = findLink(ifindex)?.name;
      if (real === undefined || real === fake) return;
      const mac = read('address');
      lab.tree.removeNetdev(address, fake);
      lab.tree.addNetdev(address, real, { type: 32, mac, ifindex });
    },
    setAddressGuid(index, guid) {
      const octets = readFileSync(addressFile(index), 'utf8').trim().split(':');
      writeFileSync(addressFile(index), `${[...octets.slice(0, 12), ...guid.toLowerCase().split(':')].join(':')}\n`);
    },
    addressGuid: (index) => readFileSync(addressFile(index), 'utf8').trim().split(':').slice(12).join(':'),
  };

  layer.transport = createRecordingTransport({
    answer(r) {
      if (r.protocol === 0 && r.type === RTM_SETLINK && isPf(r)) {
        const infos = vfInfos(r);
        if (infos.length === 0) return undefined;
        for (const a of infos) {
          const req = decodeVfAttr(a);
          const errno = takeFailure(req.kind);
          if (errno !== undefined) return { error: errno };
          if (req.kind !== 'link_state') guids.set(req.vf, { ...guids.get(req.vf), [req.kind]: req.value });
        }
        return { error: 0 };
      }
      if (r.protocol !== NETLINK_RDMA) return undefined;
      if (r.type === RDMA.SYS_GET) {
        const payload = Buffer.from([5, 0, ATTR.NETNS_MODE, 0, layer.mode === 'exclusive' ? 0 : 1, 0, 0, 0]);
        return { messages: [{ type: RDMA.SYS_GET, payload }] };
      }
      const here = r.netns === HOST ? undefined : r.netns;
      if (r.type === RDMA.GET) {
        const visible = [...rdmaNetns].filter(([, ns]) => ns === here).map(([name]) => name);
        return {
          messages: visible.map((name) => ({ type: RDMA.GET, payload: rdmaDevicePayload(rdmaIndex(name), name) })),
        };
      }
      if (r.type === RDMA.SET) {
        const attrs = attributeMap(r.payload);
        const index = attrs.get(ATTR.DEV_INDEX)!.readUInt32LE(0);
        const name = [...rdmaNetns.keys()].find((n) => rdmaIndex(n) === index);
        // The kernel resolves DEV_INDEX in the socket's netns: a device elsewhere is unknown there.
        if (name === undefined || rdmaNetns.get(name) !== here) return { error: EINVAL };
        const errno = takeFailure('rdma-move');
        if (errno !== undefined) return { error: errno };
        const target = layer.transport.netnsFdPaths.at(-1);
        rdmaNetns.set(name, target === HOST ? undefined : target);
        return { error: 0 };
      }
      return undefined;
    },
  });
  return layer;
}

function vfInfos(r: RecordedRequest): Attribute[] {
  const list = attributeMap(r.payload.subarray(16)).get(IFLA_VFINFO_LIST);
  if (!list) return [];
  return decodeAttributes(list).flatMap((info) => decodeAttributes(info.data));
}

function decodeVfAttr({ type, data }: Attribute): Omit<VfRequest, 'hex'> {
  const vf = data.readUInt32LE(0);
  if (type === VF_ATTR.link_state)
    return { kind: 'link_state', vf, value: ['auto', 'enable', 'disable'][data.readUInt32LE(4)] ?? '?' };
  return { kind: type === VF_ATTR.node ? 'node' : 'port', vf, value: formatGuid(data.readBigUInt64LE(8)) };
}

function rdmaDevicePayload(index: number, name: string): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const nameAttr = Buffer.alloc(4 + ((nameBytes.length + 3) & ~3));
  nameAttr.writeUInt16LE(4 + nameBytes.length, 0);
  nameAttr.writeUInt16LE(ATTR.DEV_NAME, 2);
  nameBytes.copy(nameAttr, 4);
  const idx = Buffer.alloc(8);
  idx.writeUInt16LE(8, 0);
  idx.writeUInt16LE(ATTR.DEV_INDEX, 2);
  idx.writeUInt32LE(index, 4);
  return Buffer.concat([idx, nameAttr]);
}
