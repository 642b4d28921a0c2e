import {
  canonicalize,
  decodeDocument,
  formatMac,
  goAtoi,
  goParseMac,
  goQuote,
  goTopLevelError,
  goValueKind,
  isJsonObject,
  type JsonObject,
} from '../go-json.js';
import { firstIssueInDocumentOrder, issueToGoMessage, pluginNetConfGoNames } from '../issues.js';
import { failure, type ParseResult, success } from '../result.js';
import { cniArg, isInterfaceName, isPciAddress, readCniArgsIps, readStringArray } from '../shared.js';
import {
  DNS_STRUCT,
  IPAM_STRUCT,
  LINK_STATES,
  LOG_LEVELS,
  SRIOV_INTERNAL_STRUCT,
  SRIOV_RUNTIME_STRUCT,
  SRIOV_STRUCT,
  type SriovInput,
  sriovInputSchema,
  VLAN_ID_MAX,
  type VLAN_PROTOS,
  VLAN_QOS_MAX,
} from './schema.js';

export type LinkState = (typeof LINK_STATES)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type VlanProto = (typeof VLAN_PROTOS)[number];

/** Which device the attachment uses. */
export type SriovDevice =
  /** Modern model: the VF's PCI address (from Multus / the device plugin). */
  | { readonly kind: 'pci'; readonly deviceID: string }
  /** Legacy seed: a VF of PF `master`; `vfIndex` absent = the plugin picks a free VF. */
  | {
      readonly kind: 'legacy-vf';
      readonly master: string;
      readonly vfIndex?: number;
      readonly vfIndexSource?: 'cniArgs' | 'config';
    }
  /** Legacy seed `pfOnly: true`: the PF `master` itself moves into the pod. */
  | { readonly kind: 'legacy-pf'; readonly master: string };

export interface SriovVlan {
  readonly id: number;
  /** PCP 0–7 (0 when `vlanQoS` was absent). */
  readonly qos: number;
  readonly proto: VlanProto;
  /** 0x8100 for 802.1q, 0x88a8 for 802.1ad. */
  readonly ethertype: 0x8100 | 0x88a8;
}

export interface SriovMac {
  /** Canonical lower-case colon form of the parsed address. */
  readonly address: string;
  /** The chosen source string, lower-cased (what the Go plugin compares and caches). */
  readonly raw: string;
  readonly octets: readonly number[];
  readonly source: 'runtimeConfig' | 'cniArgs' | 'config';
}

/** The normalised `sriov` netconf. Absent optional members mean "leave that VF attribute alone". */
export interface SriovNetConf {
  /** As given; '' when absent (Go's skel then treats the config as 0.1.0). */
  readonly cniVersion: string;
  readonly name: string;
  readonly type: string;
  readonly device: SriovDevice;
  /** Absent: the VF VLAN is not touched on ADD or DEL. */
  readonly vlan?: SriovVlan;
  readonly mac?: SriovMac;
  readonly spoofchk?: boolean;
  readonly trust?: boolean;
  readonly linkState?: LinkState;
  /** Present when either rate key was given; the absent one is 0 (= no limit), both are written. */
  readonly txRate?: { readonly minMbps: number; readonly maxMbps: number };
  readonly logging: { readonly level: LogLevel; readonly file?: string };
  /** Absent: L2 mode (no IPAM, no addresses). `config` is the whole `ipam` object as given. */
  readonly ipam?: { readonly type: string; readonly config: Readonly<JsonObject> };
  readonly l2Mode: boolean;
  /** Static IPs the runtime asked for (consumed by the IPAM plugin, which gets the raw stdin / CNI_ARGS). */
  readonly requestedIPs?: { readonly ips: readonly string[]; readonly source: 'runtimeConfig' | 'args' | 'cniArgs' };
  readonly capabilities: Readonly<Record<string, boolean>>;
  readonly dns?: Readonly<JsonObject>;
}

export interface SriovParseOptions {
  /** CNI_ARGS already split into pairs (keys are case-sensitive: `MAC`, `VF`, `IP`). Unknown keys are ignored. */
  readonly cniArgs?: Readonly<Record<string, string>>;
}

const LOAD = 'SRIOV-CNI failed to load netconf: LoadConf(): ';
const ARGS = 'SRIOV-CNI failed to parse args: ';
const SKEL_DECODE = 'decoding version from network config: ';
const SKEL_VERSION_TYPE = 'struct { CNIVersion string "json:\\"cniVersion\\"" }';

// The sriov NetConf's own fields add nothing beyond DNS nameserver strings to the embedded CNI types' names.
const GO_NAMES = pluginNetConfGoNames({
  typeOf: (path) => (path[0] === 'dns' && path.length === 3 ? 'string' : undefined),
});

/**
 * Parses an `sriov` netconf (stdin bytes/text or a decoded JSON value) plus the already-split CNI_ARGS into the
 * normalised config, applying the Go plugin's LoadConf rules in its order with its messages. Never throws.
 */
export function parseSriovNetConf(input: unknown, options: SriovParseOptions = {}): ParseResult<SriovNetConf> {
  const warnings: string[] = [];
  const doc = decodeDocument(input);
  if (!doc.ok) return failure(6, SKEL_DECODE + doc.reason, '', warnings);
  // Go: json.Unmarshal("null") into a struct is a no-op, so null behaves like {}.
  const rawValue = doc.value === null ? {} : doc.value;
  if (!isJsonObject(rawValue)) {
    return failure(6, SKEL_DECODE + goTopLevelError(rawValue, SKEL_VERSION_TYPE), '', warnings);
  }
  const canonical = canonicalize(rawValue, SRIOV_STRUCT);
  if (canonical.cniVersion !== undefined && typeof canonical.cniVersion !== 'string') {
    const msg = `json: cannot unmarshal ${goValueKind(canonical.cniVersion, false)} into Go struct field .cniVersion of type string`;
    return failure(6, SKEL_DECODE + msg, 'cniVersion', warnings);
  }
  const rawIpam = canonical.ipam;
  for (const key of ['ipam', 'dns', 'runtimeConfig'] as const) {
    const v = canonical[key];
    if (isJsonObject(v)) {
      const struct = key === 'ipam' ? IPAM_STRUCT : key === 'dns' ? DNS_STRUCT : SRIOV_RUNTIME_STRUCT;
      // Keep every key (the ipam object is passed through), but fold the ones Go reads.
      canonical[key] = { ...v, ...canonicalize(v, struct) };
    }
  }
  const cniArgs = options.cniArgs ?? {};
  const internal = canonicalize(rawValue, SRIOV_INTERNAL_STRUCT);
  for (const key of Object.keys(internal)) {
    warnings.push(`ignored plugin-internal key "${key}" in the netconf (the plugin fills it itself)`);
  }

  const parsed = sriovInputSchema(Object.keys(canonical)).safeParse(canonical, { jitless: true });
  if (!parsed.success) {
    const issue = firstIssueInDocumentOrder(parsed.error.issues, canonical);
    const message = `SetLogging(): failed to load netconf: ${issueToGoMessage(issue, canonical, GO_NAMES)}`;
    return failure(7, message, issue.path.map(String).join('.'), warnings);
  }
  return loadConf(parsed.data, isJsonObject(rawIpam) ? rawIpam : undefined, cniArgs, warnings);
}

function loadConf(
  n: SriovInput,
  rawIpam: JsonObject | undefined,
  cniArgs: Readonly<Record<string, string>>,
  warnings: string[],
): ParseResult<SriovNetConf> {
  // 1. the device
  const deviceID = n.deviceID ?? '';
  const master = n.master ?? '';
  let device: SriovDevice;
  if (deviceID !== '') {
    if (!isPciAddress(deviceID)) {
      const inner = `${deviceID} is not a PCI address in DDDD:BB:DD.F form`;
      return failure(7, `${LOAD}failed to get VF information: ${goQuote(inner)}`, 'deviceID', warnings);
    }
    device = { kind: 'pci', deviceID };
    if (master !== '') warnings.push(`"master" (${master}) ignored: "deviceID" selects the VF`);
    if (n.pfOnly) warnings.push('"pfOnly" ignored: it applies only to the legacy "master" form');
    if (n.vf !== undefined) warnings.push('"vf" ignored: it applies only to the legacy "master" form');
    if (cniArg(cniArgs, 'VF') !== undefined) warnings.push('CNI_ARGS VF ignored: "deviceID" selects the VF');
  } else if (master !== '') {
    if (!isInterfaceName(master)) {
      return failure(7, `${LOAD}invalid "master" interface name ${goQuote(master)}`, 'master', warnings);
    }
    if (n.pfOnly) {
      device = { kind: 'legacy-pf', master };
      if (n.vf !== undefined || cniArg(cniArgs, 'VF') !== undefined)
        warnings.push('VF index ignored: "pfOnly" moves the PF');
    } else if (cniArg(cniArgs, 'VF') !== undefined) {
      const vfArg = cniArg(cniArgs, 'VF')!;
      const vf = goAtoi(vfArg);
      if (!vf.ok) {
        const msg = `ARGS: error parsing value of pair ${goQuote(`VF=${vfArg}`)}: Int unmarshal error: ${vf.error}`;
        return failure(7, ARGS + msg, 'CNI_ARGS.VF', warnings);
      }
      if (vf.value < 0)
        return failure(7, `${ARGS}ARGS: invalid VF index ${vf.value}: must not be negative`, 'CNI_ARGS.VF', warnings);
      device = { kind: 'legacy-vf', master, vfIndex: vf.value, vfIndexSource: 'cniArgs' };
    } else if (n.vf !== undefined) {
      if (n.vf < 0) return failure(7, `${LOAD}invalid vf index ${n.vf}: must not be negative`, 'vf', warnings);
      device = { kind: 'legacy-vf', master, vfIndex: n.vf, vfIndexSource: 'config' };
    } else {
      device = { kind: 'legacy-vf', master };
    }
  } else {
    return failure(7, `${LOAD}VF pci addr is required`, 'deviceID', warnings);
  }

  // 2. VLAN, QoS and proto, in the Go plugin's order (the 7 rules).
  const vlanResult = checkVlan(n);
  if (typeof vlanResult === 'string') return failure(7, LOAD + vlanResult, vlanPath(vlanResult), warnings);

  // 3. link_state
  const linkStateRaw = n.link_state ?? '';
  if (linkStateRaw !== '' && !(LINK_STATES as readonly string[]).includes(linkStateRaw)) {
    return failure(7, `${LOAD}invalid link_state value: ${linkStateRaw}`, 'link_state', warnings);
  }
  const linkState = linkStateRaw === '' ? undefined : (linkStateRaw as LinkState);

  // 4. MAC: runtimeConfig.mac > CNI_ARGS MAC > config mac; lower-cased.
  const macChoice = chooseMac(n, cniArgs);
  let mac: SriovMac | undefined;
  if (macChoice) {
    const raw = macChoice.value.toLowerCase();
    const octets = goParseMac(raw);
    if (!octets) {
      const inner = `failed to parse MAC address ${raw}: address ${raw}: invalid MAC address`;
      return failure(7, `SRIOV-CNI failed to configure VF ${goQuote(inner)}`, macChoice.path, warnings);
    }
    if (octets.length !== 6) warnings.push(`MAC ${raw} is not a 6-octet Ethernet address`);
    mac = { address: formatMac(octets), raw, octets: Array.from(octets), source: macChoice.source };
  }

  // 5. the attributes the Go plugin does not validate
  const spoofchk = onOff('spoofchk', n.spoofchk, warnings);
  const trust = onOff('trust', n.trust, warnings);
  let txRate: SriovNetConf['txRate'];
  if (n.min_tx_rate !== undefined || n.max_tx_rate !== undefined) {
    txRate = { minMbps: n.min_tx_rate ?? 0, maxMbps: n.max_tx_rate ?? 0 };
    if (txRate.minMbps < 0 || txRate.maxMbps < 0) warnings.push('negative tx rate: the kernel receives it as u32');
    if (txRate.maxMbps !== 0 && txRate.minMbps > txRate.maxMbps) {
      warnings.push(`min_tx_rate ${txRate.minMbps} is above max_tx_rate ${txRate.maxMbps}; most drivers reject this`);
    }
  }
  const level = (n.logLevel ?? '').toLowerCase();
  let logLevel: LogLevel = 'info';
  if ((LOG_LEVELS as readonly string[]).includes(level)) logLevel = level as LogLevel;
  else if (level !== '') warnings.push(`unknown logLevel ${goQuote(n.logLevel ?? '')}: using info`);
  const logging = n.logFile ? { level: logLevel, file: n.logFile } : { level: logLevel };

  const ipamType = n.ipam?.type ?? '';
  const ipam = ipamType === '' ? undefined : { type: ipamType, config: rawIpam ?? {} };
  const requestedIPs = chooseIps(n, cniArgs);
  if (requestedIPs && !ipam) warnings.push('static IPs were requested but no ipam is configured (L2 mode): ignored');
  if (n.ipam && ipamType === '' && Object.keys(n.ipam).length > 0) {
    warnings.push('"ipam" has no "type": L2 mode, the ipam section is ignored');
  }

  const capabilities: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(n.capabilities ?? {})) capabilities[k] = v === true;

  const config: SriovNetConf = {
    cniVersion: n.cniVersion ?? '',
    name: n.name ?? '',
    type: n.type ?? '',
    device,
    ...(vlanResult ? { vlan: vlanResult } : {}),
    ...(mac ? { mac } : {}),
    ...(spoofchk !== undefined ? { spoofchk } : {}),
    ...(trust !== undefined ? { trust } : {}),
    ...(linkState ? { linkState } : {}),
    ...(txRate ? { txRate } : {}),
    logging,
    ...(ipam ? { ipam } : {}),
    l2Mode: ipam === undefined,
    ...(requestedIPs ? { requestedIPs } : {}),
    capabilities,
    ...(n.dns ? { dns: n.dns as JsonObject } : {}),
  };
  return success(config, warnings);
}

/** The 7 VLAN rules of the Go LoadConf, in its order. Returns the error text, the VLAN, or undefined (untouched). */
function checkVlan(n: SriovInput): SriovVlan | string | undefined {
  const { vlan } = n;
  if (vlan !== undefined && (vlan < 0 || vlan > VLAN_ID_MAX)) {
    return `vlan id ${vlan} invalid: value must be in the range 0-${VLAN_ID_MAX}`;
  }
  if (vlan === undefined) {
    if (n.vlanQoS !== undefined) return 'vlan id must be configured to set vlan QoS to a non-nil value';
    if (n.vlanProto !== undefined) return 'vlan id must be configured to set vlan proto to a non-nil value';
    return undefined;
  }
  const qos = n.vlanQoS ?? 0;
  if (qos < 0 || qos > VLAN_QOS_MAX) return `vlan QoS PCP ${qos} invalid: value must be in the range 0-${VLAN_QOS_MAX}`;
  if (vlan === 0 && qos !== 0) return 'non-zero vlan id must be configured to set vlan QoS to a non-zero value';
  const proto = (n.vlanProto ?? '802.1q').toLowerCase();
  if (proto !== '802.1q' && proto !== '802.1ad') {
    return `vlan Proto ${proto} invalid: value must be '802.1Q' or '802.1ad'`;
  }
  if (vlan === 0 && proto === '802.1ad') return 'non-zero vlan id must be configured to set vlan proto 802.1ad';
  return { id: vlan, qos, proto, ethertype: proto === '802.1ad' ? 0x88a8 : 0x8100 };
}

function vlanPath(message: string): string {
  if (message.includes('QoS')) return 'vlanQoS';
  if (message.includes('roto')) return 'vlanProto';
  return 'vlan';
}

function chooseMac(
  n: SriovInput,
  cniArgs: Readonly<Record<string, string>>,
): { value: string; source: SriovMac['source']; path: string } | undefined {
  const rc = n.runtimeConfig?.mac;
  if (rc) return { value: rc, source: 'runtimeConfig', path: 'runtimeConfig.mac' };
  const argMac = cniArg(cniArgs, 'MAC');
  if (argMac) return { value: argMac, source: 'cniArgs', path: 'CNI_ARGS.MAC' };
  if (n.mac) return { value: n.mac, source: 'config', path: 'mac' };
  return undefined;
}

/** CONVENTIONS: runtimeConfig.ips > args.cni.ips > CNI_ARGS IP (a plugin that understands args ignores CNI_ARGS). */
function chooseIps(n: SriovInput, cniArgs: Readonly<Record<string, string>>): SriovNetConf['requestedIPs'] {
  const rc = readStringArray(n.runtimeConfig?.ips);
  if (rc && rc.length > 0) return { ips: rc, source: 'runtimeConfig' };
  const args = n.args;
  const argsIps = isJsonObject(args) && isJsonObject(args.cni) ? readStringArray(args.cni.ips) : undefined;
  if (argsIps && argsIps.length > 0) return { ips: argsIps, source: 'args' };
  const fromEnv = readCniArgsIps(cniArgs);
  if (fromEnv) return { ips: fromEnv, source: 'cniArgs' };
  return undefined;
}

/** Go: `"on"` enables, any other non-empty string disables, empty leaves it alone. */
function onOff(key: string, value: string | undefined, warnings: string[]): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'on') return true;
  if (value !== 'off') warnings.push(`${key} ${goQuote(value)} is not "on" or "off": treated as off`);
  return false;
}
