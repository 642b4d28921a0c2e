// sriov-cni's attachment cache `<stateDir>/<containerID>-<ifName>` (and its crash journal under pending/, the same
// JSON), byte-compatible with the Go plugin's file so a node can switch implementations with pods running: we write
// the Go key names (untagged Go fields are capitalised: OrigVfState, Master, MAC, MTU, VFID) and read them the way
// Go's encoding/json does (case-insensitive key match, unknown keys ignored). Our extra keys (`dpdkMode`, `pfOnly`,
// `cniIfName`, `cniNetns`) match no Go field (its DPDKMode is tagged `json:"-"`), so a Go reader ignores them.
import { fromGoFields, type GoFieldTable, GoJsonError, goField, goObject, goSubObject, toGoFields } from './go-json.js';
import type { VfKnobState } from './sriov-vf-knobs.js';
import type { VfStateDir, VfStateKind } from './vf-state-dir.js';

/** The VF's state before ADD changed it: the PF-side knobs plus the host netdev's name, MAC and MTU. */
export type OrigVfState = VfKnobState & { hostIfName: string; effectiveMac: string; mtu: number };

/** The knob keys exactly as the user wrote them (Go keeps the raw strings for spoofchk/trust/link_state). */
export interface SriovKnobConf {
  vlan?: number | undefined;
  vlanQoS?: number | undefined;
  vlanProto?: string | undefined;
  minTxRate?: number | undefined;
  maxTxRate?: number | undefined;
  spoofchk?: string | undefined;
  trust?: string | undefined;
  linkState?: string | undefined;
}

export interface SriovCache {
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
  knobs: SriovKnobConf;
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

// [our field, Go key, JSON type]: the field tables both directions are built from.
const ORIG: GoFieldTable<OrigVfState> = [
  ['hostIfName', 'HostIFName', 'string'],
  ['spoofchk', 'SpoofChk', 'boolean'],
  ['trust', 'Trust', 'boolean'],
  ['adminMac', 'AdminMAC', 'string'],
  ['effectiveMac', 'EffectiveMAC', 'string'],
  ['vlan', 'Vlan', 'number'],
  ['vlanQoS', 'VlanQoS', 'number'],
  ['vlanProto', 'VlanProto', 'number'],
  ['minTxRate', 'MinTxRate', 'number'],
  ['maxTxRate', 'MaxTxRate', 'number'],
  ['linkState', 'LinkState', 'number'],
  ['mtu', 'MTU', 'number'],
];
// Go pointers (*int, *string) are written as null when absent; plain strings as "".
const KNOBS: [keyof SriovKnobConf, string, 'number' | 'string', 'pointer' | 'plain'][] = [
  ['vlan', 'vlan', 'number', 'pointer'],
  ['vlanQoS', 'vlanQoS', 'number', 'pointer'],
  ['vlanProto', 'vlanProto', 'string', 'pointer'],
  ['minTxRate', 'min_tx_rate', 'number', 'pointer'],
  ['maxTxRate', 'max_tx_rate', 'number', 'pointer'],
  ['spoofchk', 'spoofchk', 'string', 'plain'],
  ['trust', 'trust', 'string', 'plain'],
  ['linkState', 'link_state', 'string', 'plain'],
];

/** Go's zero OrigVfState: what a cache holds for the PF-side state nobody read. */
export const zeroOrigVfState = (): OrigVfState => fromGoFields({}, ORIG);

/** The cache (or crash journal) `key`, undefined when there is none; GoJsonError when neither plugin wrote it. */
export function readSriovCache(state: VfStateDir, kind: VfStateKind, key: string): SriovCache | undefined {
  const text = state.read(kind, key);
  return text === undefined ? undefined : sriovCacheFromGoJson(JSON.parse(text));
}

export function writeSriovCache(state: VfStateDir, kind: VfStateKind, key: string, c: SriovCache): void {
  state.write(kind, key, JSON.stringify(sriovCacheToGoJson(c)));
}

export function sriovCacheToGoJson(c: SriovCache): Record<string, unknown> {
  const out: Record<string, unknown> = {
    cniVersion: c.cniVersion,
    name: c.name,
    type: c.type,
    ipam: c.ipamType ? { type: c.ipamType } : {},
  };
  if (c.dns !== undefined && c.dns !== null && Object.keys(c.dns as object).length > 0) out.dns = c.dns;
  out.OrigVfState = toGoFields(c.orig, ORIG);
  Object.assign(out, { Master: c.master, MAC: c.mac, MTU: c.mtu, VFID: c.vfId, deviceID: c.deviceID });
  for (const [ours, go, , shape] of KNOBS) out[go] = c.knobs[ours] ?? (shape === 'pointer' ? null : '');
  Object.assign(out, {
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

/** Parse a cache object written by either implementation (Go: case-insensitive keys). */
export function sriovCacheFromGoJson(raw: unknown): SriovCache {
  const top = goObject(raw, 'cache');
  const str = (key: string) => goField<string>(top, key, 'string') ?? '';
  const sub = (key: string) => goSubObject(top, key);
  const orig = sub('OrigVfState');
  const deviceID = str('deviceID');
  if (!deviceID) throw new GoJsonError('cache has no deviceID');
  const knobs: SriovKnobConf = {};
  for (const [ours, go, kind] of KNOBS) {
    const v = goField<string | number>(top, go, kind);
    if (v !== undefined && v !== '') (knobs as Record<string, unknown>)[ours] = v;
  }
  return {
    cniVersion: str('cniVersion'),
    name: str('name'),
    type: str('type'),
    ipamType: goField<string>(sub('ipam'), 'type', 'string', 'ipam.type') ?? '',
    dns: top.dns ?? undefined,
    deviceID,
    master: str('Master'),
    vfId: goField<number>(top, 'VFID', 'number') ?? 0,
    mac: str('MAC'),
    mtu: goField<number>(top, 'MTU', 'number') ?? 0,
    knobs,
    orig: fromGoFields(orig, ORIG, 'OrigVfState.'),
    runtimeMac: goField<string>(sub('runtimeConfig'), 'mac', 'string', 'runtimeConfig.mac') ?? '',
    logLevel: str('logLevel'),
    logFile: str('logFile'),
    dpdkMode: goField<boolean>(top, 'dpdkMode', 'boolean'),
    pfOnly: top.pfonly === true ? true : undefined,
    ifName: goField<string>(top, 'cniIfName', 'string'),
    netns: goField<string>(top, 'cniNetns', 'string'),
  };
}
