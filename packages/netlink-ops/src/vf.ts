// SR-IOV VF attributes (IFLA_VFINFO_LIST): encoders with the kernel's struct layouts, and the read-back parser.
//   ifla_vf_mac       {u32 vf; u8 mac[32]}                   36 bytes
//   ifla_vf_vlan      {u32 vf; u32 vlan; u32 qos}            12 bytes
//   ifla_vf_vlan_info {u32 vf; u32 vlan; u32 qos; __be16 proto; 2 pad} 16 bytes (in IFLA_VF_VLAN_LIST)
//   ifla_vf_rate      {u32 vf; u32 min_tx_rate; u32 max_tx_rate} 12 bytes
//   ifla_vf_spoofchk / ifla_vf_trust / ifla_vf_link_state {u32 vf; u32 setting} 8 bytes
//   ifla_vf_guid      {u32 vf; 4 pad; u64 guid}             16 bytes (a packed 12-byte form is rejected: ERANGE)
import { formatGuid, parseGuid, parseMac } from './addr-format.js';
import { type AttrWriter, attributeMap, decodeAttributes, formatMac } from './codec.js';
import {
  ETH_P_8021AD,
  ETH_P_8021Q,
  IFLA_VF,
  IFLA_VF_INFO,
  IFLA_VF_LINK_STATE,
  IFLA_VF_STATS,
  IFLA_VF_VLAN_INFO,
} from './constants.js';
import { checkUint, InvalidArgumentError } from './validate.js';

export type VfLinkState = 'auto' | 'enable' | 'disable';
export type VlanProto = '802.1Q' | '802.1ad';

export interface VfVlan {
  /** 0-4095; 0 removes the VLAN. */
  vlan: number;
  /** 802.1p priority 0-7. Default 0. */
  qos?: number;
  /** Default '802.1Q'. */
  proto?: VlanProto;
}

/** Changes to one VF, sent inside one IFLA_VF_INFO nest (the kernel applies them in this field order). */
export interface VfChanges {
  /** VF index on the PF. */
  vf: number;
  mac?: string;
  /** IFLA_VF_VLAN_LIST with one ifla_vf_vlan_info (vlan, qos, protocol). */
  vlan?: VfVlan;
  /** The plain IFLA_VF_VLAN (no protocol), for drivers without VLAN_LIST support. */
  vlanLegacy?: { vlan: number; qos?: number };
  /** Mbit/s; 0 = no limit. */
  rate?: { minTxRate: number; maxTxRate: number };
  spoofchk?: boolean;
  linkState?: VfLinkState;
  trust?: boolean;
  /** IB node GUID; the kernel applies only the first GUID attribute in a request, so send one per request. */
  nodeGuid?: string | bigint;
  portGuid?: string | bigint;
}

const u32s = (...values: number[]): Buffer => {
  const b = Buffer.alloc(values.length * 4);
  for (const [i, v] of values.entries()) b.writeUInt32LE(v >>> 0, i * 4);
  return b;
};

export function vfMacPayload(vf: number, mac: string): Buffer {
  const bytes = parseMac(mac, 'VF MAC');
  const b = Buffer.alloc(36);
  b.writeUInt32LE(vf, 0);
  bytes.copy(b, 4);
  return b;
}

export function vfVlanInfoPayload(vf: number, v: VfVlan): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(vf, 0);
  b.writeUInt32LE(checkUint(v.vlan, 16, 'VLAN'), 4);
  b.writeUInt32LE(v.qos ?? 0, 8);
  b.writeUInt16BE((v.proto ?? '802.1Q') === '802.1ad' ? ETH_P_8021AD : ETH_P_8021Q, 12);
  return b;
}

export function vfGuidPayload(vf: number, guid: string | bigint): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(vf, 0);
  b.writeBigUInt64LE(parseGuid(guid), 8);
  return b;
}

function checkVlan(v: { vlan: number; qos?: number | undefined }): void {
  if (!Number.isInteger(v.vlan) || v.vlan < 0 || v.vlan > 4095)
    throw new InvalidArgumentError(`VLAN id ${v.vlan} out of range 0-4095`);
  if (v.qos !== undefined && (!Number.isInteger(v.qos) || v.qos < 0 || v.qos > 7))
    throw new InvalidArgumentError(`VLAN qos ${v.qos} out of range 0-7`);
}

/** Validates and writes IFLA_VFINFO_LIST { IFLA_VF_INFO { ... } }. */
export function writeVfChanges(w: AttrWriter, changes: VfChanges): void {
  const { vf } = changes;
  checkUint(vf, 32, 'VF index');
  if (vf > 0x7ffffffe) throw new InvalidArgumentError(`VF index ${vf} out of range`);
  if (changes.nodeGuid !== undefined && changes.portGuid !== undefined)
    throw new InvalidArgumentError('node and port GUID must be set in separate requests (the kernel applies only one)');
  if (changes.vlan) {
    checkVlan(changes.vlan);
    if (changes.vlan.proto !== undefined && changes.vlan.proto !== '802.1Q' && changes.vlan.proto !== '802.1ad')
      throw new InvalidArgumentError(`VLAN protocol ${changes.vlan.proto} is not 802.1Q or 802.1ad`);
  }
  if (changes.vlanLegacy) checkVlan(changes.vlanLegacy);
  if (changes.rate) {
    checkUint(changes.rate.minTxRate, 32, 'min_tx_rate');
    checkUint(changes.rate.maxTxRate, 32, 'max_tx_rate');
  }
  if (changes.linkState !== undefined && !(changes.linkState in IFLA_VF_LINK_STATE))
    throw new InvalidArgumentError(`VF link state ${changes.linkState} is not auto, enable or disable`);
  const payloads: [number, Buffer][] = [];
  if (changes.mac !== undefined) payloads.push([IFLA_VF.MAC, vfMacPayload(vf, changes.mac)]);
  if (changes.vlanLegacy) payloads.push([IFLA_VF.VLAN, u32s(vf, changes.vlanLegacy.vlan, changes.vlanLegacy.qos ?? 0)]);
  if (changes.vlan) payloads.push([IFLA_VF.VLAN_LIST, vfVlanInfoPayload(vf, changes.vlan)]);
  if (changes.rate) payloads.push([IFLA_VF.RATE, u32s(vf, changes.rate.minTxRate, changes.rate.maxTxRate)]);
  if (changes.spoofchk !== undefined) payloads.push([IFLA_VF.SPOOFCHK, u32s(vf, changes.spoofchk ? 1 : 0)]);
  if (changes.linkState !== undefined)
    payloads.push([IFLA_VF.LINK_STATE, u32s(vf, IFLA_VF_LINK_STATE[changes.linkState])]);
  if (changes.trust !== undefined) payloads.push([IFLA_VF.TRUST, u32s(vf, changes.trust ? 1 : 0)]);
  if (changes.nodeGuid !== undefined) payloads.push([IFLA_VF.IB_NODE_GUID, vfGuidPayload(vf, changes.nodeGuid)]);
  if (changes.portGuid !== undefined) payloads.push([IFLA_VF.IB_PORT_GUID, vfGuidPayload(vf, changes.portGuid)]);
  if (payloads.length === 0) throw new InvalidArgumentError(`no change given for VF ${vf}`);
  w.nest(22 /* IFLA_VFINFO_LIST */, () => {
    w.nest(IFLA_VF_INFO, () => {
      for (const [type, payload] of payloads) {
        if (type === IFLA_VF.VLAN_LIST) w.nest(IFLA_VF.VLAN_LIST, () => w.bytes(IFLA_VF_VLAN_INFO, payload));
        else w.bytes(type, payload);
      }
    });
  });
}

/** One VF as the PF reports it (GETLINK with RTEXT_FILTER_VF). Fields the driver does not report are absent. */
export interface VfInfo {
  vf: number;
  mac?: string;
  vlan?: number;
  qos?: number;
  vlanProto?: VlanProto | number;
  /** All entries of IFLA_VF_VLAN_LIST, when reported. */
  vlanList?: { vlan: number; qos: number; proto: VlanProto | number }[];
  /** Legacy IFLA_VF_TX_RATE (max rate), Mbit/s. */
  txRate?: number;
  minTxRate?: number;
  maxTxRate?: number;
  spoofchk?: boolean;
  trust?: boolean;
  linkState?: VfLinkState | number;
  rssQueryEn?: boolean;
  nodeGuid?: string;
  portGuid?: string;
  broadcast?: string;
  stats?: {
    rxPackets?: bigint;
    txPackets?: bigint;
    rxBytes?: bigint;
    txBytes?: bigint;
    broadcast?: bigint;
    multicast?: bigint;
    rxDropped?: bigint;
    txDropped?: bigint;
  };
}

const protoName = (p: number): VlanProto | number =>
  p === ETH_P_8021Q ? '802.1Q' : p === ETH_P_8021AD ? '802.1ad' : p;
/** (u32)-1 means the driver left the setting unreported. */
const setting = (b: Buffer | undefined): boolean | undefined => {
  if (!b || b.length < 8) return undefined;
  const v = b.readUInt32LE(4);
  return v === 0xffffffff ? undefined : v !== 0;
};

/** Parses IFLA_VFINFO_LIST. `macLength` is the PF's hardware address length (6 for Ethernet). */
export function parseVfInfoList(list: Buffer, macLength = 6): VfInfo[] {
  const out: VfInfo[] = [];
  for (const entry of decodeAttributes(list)) {
    if (entry.type !== IFLA_VF_INFO) continue;
    const a = attributeMap(entry.data);
    const mac = a.get(IFLA_VF.MAC);
    const first = [...a.values()].find((b) => b.length >= 4);
    const info: VfInfo = { vf: mac && mac.length >= 4 ? mac.readUInt32LE(0) : (first?.readUInt32LE(0) ?? out.length) };
    if (mac && mac.length >= 4 + macLength) info.mac = formatMac(mac.subarray(4, 4 + Math.min(macLength, 32)));
    const vlan = a.get(IFLA_VF.VLAN);
    if (vlan && vlan.length >= 12) {
      info.vlan = vlan.readUInt32LE(4);
      info.qos = vlan.readUInt32LE(8);
    }
    const vlanList = a.get(IFLA_VF.VLAN_LIST);
    if (vlanList) {
      info.vlanList = decodeAttributes(vlanList)
        .filter((e) => e.type === IFLA_VF_VLAN_INFO && e.data.length >= 14)
        .map((e) => ({
          vlan: e.data.readUInt32LE(4),
          qos: e.data.readUInt32LE(8),
          proto: protoName(e.data.readUInt16BE(12)),
        }));
      if (info.vlanList[0]) info.vlanProto = info.vlanList[0].proto;
    }
    const txRate = a.get(IFLA_VF.TX_RATE);
    if (txRate && txRate.length >= 8) info.txRate = txRate.readUInt32LE(4);
    const rate = a.get(IFLA_VF.RATE);
    if (rate && rate.length >= 12) {
      info.minTxRate = rate.readUInt32LE(4);
      info.maxTxRate = rate.readUInt32LE(8);
    }
    const spoofchk = setting(a.get(IFLA_VF.SPOOFCHK));
    if (spoofchk !== undefined) info.spoofchk = spoofchk;
    const trust = setting(a.get(IFLA_VF.TRUST));
    if (trust !== undefined) info.trust = trust;
    const rss = setting(a.get(IFLA_VF.RSS_QUERY_EN));
    if (rss !== undefined) info.rssQueryEn = rss;
    const linkState = a.get(IFLA_VF.LINK_STATE);
    if (linkState && linkState.length >= 8) {
      const v = linkState.readUInt32LE(4);
      info.linkState = v === 0 ? 'auto' : v === 1 ? 'enable' : v === 2 ? 'disable' : v;
    }
    const node = a.get(IFLA_VF.IB_NODE_GUID);
    if (node && node.length >= 16) info.nodeGuid = formatGuid(node.readBigUInt64LE(8));
    const port = a.get(IFLA_VF.IB_PORT_GUID);
    if (port && port.length >= 16) info.portGuid = formatGuid(port.readBigUInt64LE(8));
    const broadcast = a.get(IFLA_VF.BROADCAST);
    if (broadcast && broadcast.length >= macLength) info.broadcast = formatMac(broadcast.subarray(0, macLength));
    const stats = a.get(IFLA_VF.STATS);
    if (stats) {
      const s = attributeMap(stats);
      const u64 = (t: number) => {
        const b = s.get(t);
        return b && b.length >= 8 ? b.readBigUInt64LE(0) : undefined;
      };
      info.stats = {};
      const fields: [keyof NonNullable<VfInfo['stats']>, number][] = [
        ['rxPackets', IFLA_VF_STATS.RX_PACKETS],
        ['txPackets', IFLA_VF_STATS.TX_PACKETS],
        ['rxBytes', IFLA_VF_STATS.RX_BYTES],
        ['txBytes', IFLA_VF_STATS.TX_BYTES],
        ['broadcast', IFLA_VF_STATS.BROADCAST],
        ['multicast', IFLA_VF_STATS.MULTICAST],
        ['rxDropped', IFLA_VF_STATS.RX_DROPPED],
        ['txDropped', IFLA_VF_STATS.TX_DROPPED],
      ];
      for (const [key, type] of fields) {
        const v = u64(type);
        if (v !== undefined) info.stats[key] = v;
      }
    }
    out.push(info);
  }
  return out;
}

/** Encodes a VF list as a PF would report it: for tests that answer GETLINK like real hardware. */
export function writeVfInfoList(w: AttrWriter, vfs: VfInfo[]): void {
  w.nest(22 /* IFLA_VFINFO_LIST */, () => {
    for (const v of vfs) {
      w.nest(IFLA_VF_INFO, () => {
        const mac = Buffer.alloc(36);
        mac.writeUInt32LE(v.vf, 0);
        if (v.mac) parseMac(v.mac).copy(mac, 4);
        w.bytes(IFLA_VF.MAC, mac);
        w.bytes(IFLA_VF.VLAN, u32s(v.vf, v.vlan ?? 0, v.qos ?? 0));
        const proto = v.vlanProto ?? '802.1Q';
        w.nest(IFLA_VF.VLAN_LIST, () =>
          w.bytes(
            IFLA_VF_VLAN_INFO,
            vfVlanInfoPayload(v.vf, {
              vlan: v.vlan ?? 0,
              qos: v.qos ?? 0,
              proto: typeof proto === 'number' ? (proto === ETH_P_8021AD ? '802.1ad' : '802.1Q') : proto,
            }),
          ),
        );
        w.bytes(IFLA_VF.TX_RATE, u32s(v.vf, v.txRate ?? v.maxTxRate ?? 0));
        w.bytes(IFLA_VF.RATE, u32s(v.vf, v.minTxRate ?? 0, v.maxTxRate ?? 0));
        w.bytes(IFLA_VF.SPOOFCHK, u32s(v.vf, v.spoofchk === undefined ? 0xffffffff : v.spoofchk ? 1 : 0));
        const ls = typeof v.linkState === 'string' ? IFLA_VF_LINK_STATE[v.linkState] : (v.linkState ?? 0);
        w.bytes(IFLA_VF.LINK_STATE, u32s(v.vf, ls));
        w.bytes(IFLA_VF.RSS_QUERY_EN, u32s(v.vf, v.rssQueryEn === undefined ? 0xffffffff : v.rssQueryEn ? 1 : 0));
        w.bytes(IFLA_VF.TRUST, u32s(v.vf, v.trust === undefined ? 0xffffffff : v.trust ? 1 : 0));
        if (v.nodeGuid) w.bytes(IFLA_VF.IB_NODE_GUID, vfGuidPayload(v.vf, v.nodeGuid));
        if (v.portGuid) w.bytes(IFLA_VF.IB_PORT_GUID, vfGuidPayload(v.vf, v.portGuid));
      });
    }
  });
}
