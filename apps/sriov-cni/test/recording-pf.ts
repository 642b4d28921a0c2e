// A PF with a VF list, at the netlink-ops transport seam: requests about the PF (GETLINK with the VF filter,
// SETLINK with IFLA_VFINFO_LIST) are recorded and answered as a real PF driver would; every other request goes to
// the real kernel. Used where a test needs PF-side knobs to succeed — the lab's veth PF refuses them all.
import {
  attributeMap,
  createRecordingTransport,
  decodeAttributes,
  encodeLinkPayload,
  findLink,
  type RecordedRequest,
  type RecordingTransport,
  type VfInfo,
} from '@sriov-ts/netlink-ops';

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_SETLINK = 19;
const IFLA_IFNAME = 3;
const IFLA_VFINFO_LIST = 22;
const IFLA_EXT_MASK = 29;
const VF = { MAC: 1, VLAN: 2, SPOOFCHK: 4, LINK_STATE: 5, RATE: 6, TRUST: 9, VLAN_LIST: 12 };
const LINK_STATES = ['auto', 'enable', 'disable'] as const;

export interface RecordingPf {
  transport: RecordingTransport;
  vfs: VfInfo[];
  /** The PF-side SETLINK requests, in order (payload after the 16-byte ifinfomsg, as hex). */
  vfRequests(): string[];
  /** Make the next SETLINK whose VF attributes include `attr` fail with errno. */
  failNext(attr: keyof typeof VF, errno?: number): void;
  /** Fail every SETLINK carrying `attr` (a driver without that feature). */
  refuse(attr: keyof typeof VF, errno?: number): void;
}

export function recordingPf(pfName: string, numVfs: number): RecordingPf {
  const vfs: VfInfo[] = Array.from({ length: numVfs }, (_, vf) => ({
    vf,
    mac: '00:00:00:00:00:00',
    vlan: 0,
    qos: 0,
    vlanProto: '802.1Q' as const,
    minTxRate: 0,
    maxTxRate: 0,
    spoofchk: true,
    trust: false,
    linkState: 'auto' as const,
  }));
  const failures: { attr: number; errno: number; once: boolean }[] = [];
  let pfIndex: number | undefined;
  const pf = () => {
    pfIndex ??= findLink(pfName)?.index;
    return pfIndex;
  };
  const isPf = (r: RecordedRequest) => {
    const attrs = attributeMap(r.payload.subarray(16));
    const name = attrs.get(IFLA_IFNAME);
    if (name) return name.toString('utf8').replace(/\0+$/, '') === pfName;
    return r.payload.readInt32LE(4) === pf();
  };
  const transport = createRecordingTransport({
    answer(r) {
      if (r.type === RTM_GETLINK && isPf(r) && attributeMap(r.payload.subarray(16)).has(IFLA_EXT_MASK)) {
        const real = findLink(pfName)!;
        const payload = encodeLinkPayload({ index: real.index, name: real.name, mtu: real.mtu, mac: real.mac, vfs });
        return { messages: [{ type: RTM_NEWLINK, payload }] };
      }
      if (r.type === RTM_SETLINK && isPf(r)) {
        const list = attributeMap(r.payload.subarray(16)).get(IFLA_VFINFO_LIST);
        if (!list) return undefined;
        for (const info of decodeAttributes(list)) {
          const a = attributeMap(info.data);
          const f = failures.find((x) => a.has(x.attr));
          if (f) {
            if (f.once) failures.splice(failures.indexOf(f), 1);
            return { error: f.errno };
          }
          apply(vfs, a);
        }
        return { error: 0 };
      }
      return undefined;
    },
  });
  return {
    transport,
    vfs,
    vfRequests: () =>
      transport.requests
        .filter((r) => r.type === RTM_SETLINK && attributeMap(r.payload.subarray(16)).has(IFLA_VFINFO_LIST))
        .map((r) => r.payload.subarray(16).toString('hex')),
    failNext: (attr, errno = 95) => failures.push({ attr: VF[attr], errno, once: true }),
    refuse: (attr, errno = 95) => failures.push({ attr: VF[attr], errno, once: false }),
  };
}

function apply(vfs: VfInfo[], a: Map<number, Buffer>): void {
  // Every VF attribute starts with the u32 VF index; inside VLAN_LIST it is in the nested VLAN_INFO.
  const [type, first] = [...a.entries()][0]!;
  const index = type === VF.VLAN_LIST ? decodeAttributes(first)[0]!.data.readUInt32LE(0) : first.readUInt32LE(0);
  const v = vfs[index];
  if (!v) throw new Error(`recording PF: no VF ${index}`);
  const mac = a.get(VF.MAC);
  if (mac) v.mac = [...mac.subarray(4, 10)].map((b) => b.toString(16).padStart(2, '0')).join(':');
  const vlan = a.get(VF.VLAN);
  if (vlan) Object.assign(v, { vlan: vlan.readUInt32LE(4), qos: vlan.readUInt32LE(8), vlanProto: '802.1Q' });
  const list = a.get(VF.VLAN_LIST);
  if (list) {
    const info = decodeAttributes(list)[0]!.data;
    const proto = info.readUInt16BE(12);
    Object.assign(v, {
      vlan: info.readUInt32LE(4),
      qos: info.readUInt32LE(8),
      vlanProto: proto === 0x88a8 ? '802.1ad' : '802.1Q',
    });
  }
  const rate = a.get(VF.RATE);
  if (rate) Object.assign(v, { minTxRate: rate.readUInt32LE(4), maxTxRate: rate.readUInt32LE(8) });
  const spoof = a.get(VF.SPOOFCHK);
  if (spoof) v.spoofchk = spoof.readUInt32LE(4) === 1;
  const trust = a.get(VF.TRUST);
  if (trust) v.trust = trust.readUInt32LE(4) === 1;
  const ls = a.get(VF.LINK_STATE);
  if (ls) v.linkState = LINK_STATES[ls.readUInt32LE(4)] ?? 'auto';
}
