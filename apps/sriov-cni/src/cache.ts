// The per-attachment cache `<stateDir>/<containerID>-<ifName>`, byte-compatible with the Go plugin's file so a
// node can switch implementations with pods running: we write the Go key names (untagged Go fields are
// capitalised: OrigVfState, Master, MAC, MTU, VFID) and read them the way Go's encoding/json does
// (case-insensitive key match, unknown keys ignored). One key is ours: `dpdkMode` (Go tags its field `json:"-"`,
// so a Go reader ignores it and we can DEL a DPDK attachment right first time).

export interface OrigVfState {
  hostIfName: string;
  spoofchk: boolean;
  trust: boolean;
  adminMac: string;
  effectiveMac: string;
  vlan: number;
  vlanQoS: number;
  vlanProto: number;
  minTxRate: number;
  maxTxRate: number;
  linkState: number;
  mtu: number;
}

/** The knob keys exactly as the user wrote them (Go keeps the raw strings for spoofchk/trust/link_state). */
export interface CachedKnobConf {
  vlan?: number | undefined;
  vlanQoS?: number | undefined;
  vlanProto?: string | undefined;
  minTxRate?: number | undefined;
  maxTxRate?: number | undefined;
  spoofchk?: string | undefined;
  trust?: string | undefined;
  linkState?: string | undefined;
}

export interface AttachmentCache {
  cniVersion: string;
  name: string;
  type: string;
  ipamType: string;
  dns?: unknown;
  deviceID: string;
  /** PF netdev name. */
  master: string;
  vfId: number;
  /** Requested MAC ('' = none). */
  mac: string;
  mtu: number;
  knobs: CachedKnobConf;
  orig: OrigVfState;
  runtimeMac: string;
  logLevel: string;
  logFile: string;
  /** undefined when the file was written by the Go plugin (re-detect from sysfs). */
  dpdkMode?: boolean | undefined;
  /** Legacy `pfOnly`: the PF itself was moved (ours; absent in Go files). */
  pfOnly?: boolean | undefined;
  /** CNI_IFNAME and CNI_NETNS of the attachment, for GC (ours; absent in Go files). */
  ifName?: string | undefined;
  netns?: string | undefined;
}

export function toGoJson(c: AttachmentCache): Record<string, unknown> {
  const o = c.orig;
  const out: Record<string, unknown> = {
    cniVersion: c.cniVersion,
    name: c.name,
    type: c.type,
    ipam: c.ipamType ? { type: c.ipamType } : {},
  };
  if (c.dns !== undefined && c.dns !== null && Object.keys(c.dns as object).length > 0) out.dns = c.dns;
  Object.assign(out, {
    OrigVfState: {
      HostIFName: o.hostIfName,
      SpoofChk: o.spoofchk,
      Trust: o.trust,
      AdminMAC: o.adminMac,
      EffectiveMAC: o.effectiveMac,
      Vlan: o.vlan,
      VlanQoS: o.vlanQoS,
      VlanProto: o.vlanProto,
      MinTxRate: o.minTxRate,
      MaxTxRate: o.maxTxRate,
      LinkState: o.linkState,
      MTU: o.mtu,
    },
    Master: c.master,
    MAC: c.mac,
    MTU: c.mtu,
    VFID: c.vfId,
    vlan: c.knobs.vlan ?? null,
    vlanQoS: c.knobs.vlanQoS ?? null,
    vlanProto: c.knobs.vlanProto ?? null,
    deviceID: c.deviceID,
    min_tx_rate: c.knobs.minTxRate ?? null,
    max_tx_rate: c.knobs.maxTxRate ?? null,
    spoofchk: c.knobs.spoofchk ?? '',
    trust: c.knobs.trust ?? '',
    link_state: c.knobs.linkState ?? '',
    runtimeConfig: c.runtimeMac ? { mac: c.runtimeMac } : {},
    logLevel: c.logLevel,
    logFile: c.logFile,
  });
  if (c.dpdkMode !== undefined) out.dpdkMode = c.dpdkMode;
  if (c.pfOnly) out.pfOnly = true;
  if (c.ifName) out.cniIfName = c.ifName;
  if (c.netns) out.cniNetns = c.netns;
  return out;
}

export class CacheFormatError extends Error {}

/** Parse a cache object written by either implementation (Go: case-insensitive keys). */
export function fromGoJson(raw: unknown): AttachmentCache {
  const top = lowerKeys(raw, 'cache');
  const orig = lowerKeys(top.origvfstate ?? {}, 'OrigVfState');
  const ipam = top.ipam === undefined || top.ipam === null ? {} : lowerKeys(top.ipam, 'ipam');
  const runtime =
    top.runtimeconfig === undefined || top.runtimeconfig === null ? {} : lowerKeys(top.runtimeconfig, 'runtimeConfig');
  const deviceID = str(top.deviceid, 'deviceID');
  if (!deviceID) throw new CacheFormatError('cache has no deviceID');
  return {
    cniVersion: str(top.cniversion, 'cniVersion'),
    name: str(top.name, 'name'),
    type: str(top.type, 'type'),
    ipamType: str(ipam.type, 'ipam.type'),
    dns: top.dns ?? undefined,
    deviceID,
    master: str(top.master, 'Master'),
    vfId: num(top.vfid, 'VFID') ?? 0,
    mac: str(top.mac, 'MAC'),
    mtu: num(top.mtu, 'MTU') ?? 0,
    knobs: {
      vlan: num(top.vlan, 'vlan'),
      vlanQoS: num(top.vlanqos, 'vlanQoS'),
      vlanProto: optStr(top.vlanproto, 'vlanProto'),
      minTxRate: num(top.min_tx_rate, 'min_tx_rate'),
      maxTxRate: num(top.max_tx_rate, 'max_tx_rate'),
      spoofchk: optStr(top.spoofchk, 'spoofchk'),
      trust: optStr(top.trust, 'trust'),
      linkState: optStr(top.link_state, 'link_state'),
    },
    orig: {
      hostIfName: str(orig.hostifname, 'OrigVfState.HostIFName'),
      spoofchk: orig.spoofchk === true,
      trust: orig.trust === true,
      adminMac: str(orig.adminmac, 'OrigVfState.AdminMAC'),
      effectiveMac: str(orig.effectivemac, 'OrigVfState.EffectiveMAC'),
      vlan: num(orig.vlan, 'OrigVfState.Vlan') ?? 0,
      vlanQoS: num(orig.vlanqos, 'OrigVfState.VlanQoS') ?? 0,
      vlanProto: num(orig.vlanproto, 'OrigVfState.VlanProto') ?? 0,
      minTxRate: num(orig.mintxrate, 'OrigVfState.MinTxRate') ?? 0,
      maxTxRate: num(orig.maxtxrate, 'OrigVfState.MaxTxRate') ?? 0,
      linkState: num(orig.linkstate, 'OrigVfState.LinkState') ?? 0,
      mtu: num(orig.mtu, 'OrigVfState.MTU') ?? 0,
    },
    runtimeMac: str(runtime.mac, 'runtimeConfig.mac'),
    logLevel: str(top.loglevel, 'logLevel'),
    logFile: str(top.logfile, 'logFile'),
    dpdkMode: typeof top.dpdkmode === 'boolean' ? top.dpdkmode : undefined,
    pfOnly: top.pfonly === true ? true : undefined,
    ifName: typeof top.cniifname === 'string' ? top.cniifname : undefined,
    netns: typeof top.cninetns === 'string' ? top.cninetns : undefined,
  };
}

/** Go's decoder matches keys case-insensitively; the last duplicate wins, as in encoding/json. */
function lowerKeys(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CacheFormatError(`${what} is not an object`);
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) out[k.toLowerCase()] = val;
  return out;
}

function str(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new CacheFormatError(`${what} is not a string`);
  return v;
}

function optStr(v: unknown, what: string): string | undefined {
  const s = str(v, what);
  return s === '' ? undefined : s;
}

function num(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new CacheFormatError(`${what} is not an integer`);
  return v;
}
