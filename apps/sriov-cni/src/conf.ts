// The plugin's view of its netconf: the validated netconf (netconf-schema) plus the MAC precedence rule
// runtimeConfig.mac > CNI_ARGS MAC > netconf mac (lower-cased, PR #274).
import type { CachedKnobConf } from './cache.js';
import { ETH_P_8021AD, ETH_P_8021Q, LINK_STATE, type LinkStateName, type RequestedKnobs } from './knobs.js';

export interface SriovConf {
  cniVersion: string;
  name: string;
  type: string;
  ipamType: string;
  dns?: unknown;
  /** VF PCI address; '' in legacy mode (`master`). */
  deviceID: string;
  /** Legacy mode (original plugin): PF netdev name; the plugin picks a free VF. */
  master: string;
  /** Legacy: VF index requested by CNI_ARGS VF=N or netconf `vf`. */
  vf: number | undefined;
  /** Legacy: move the PF itself. */
  pfOnly: boolean;
  knobs: RequestedKnobs;
  /** The knob keys as written, for the Go-compatible cache. */
  rawKnobs: CachedKnobConf;
  /** Requested MAC after precedence, lower-case, '' = none. */
  mac: string;
  runtimeMac: string;
  logLevel: string;
  logFile: string;
}

/** The validated fields this plugin reads (the shape netconf-schema's parseSriovNetConf returns). */
export interface ValidatedNetConf {
  cniVersion: string;
  name?: string | undefined;
  type?: string | undefined;
  ipam?: { type?: string | undefined } | undefined;
  dns?: unknown;
  deviceID?: string | undefined;
  master?: string | undefined;
  vf?: number | undefined;
  pfOnly?: boolean | undefined;
  vlan?: number | undefined | null;
  vlanQoS?: number | undefined | null;
  vlanProto?: string | undefined | null;
  mac?: string | undefined;
  spoofchk?: string | undefined;
  trust?: string | undefined;
  link_state?: string | undefined;
  min_tx_rate?: number | undefined | null;
  max_tx_rate?: number | undefined | null;
  logLevel?: string | undefined;
  logFile?: string | undefined;
  runtimeConfig?: { mac?: string | undefined } | undefined;
}

export function toSriovConf(n: ValidatedNetConf, cniArgs: Record<string, string>): SriovConf {
  const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
  const vlan = opt(n.vlan);
  // Defaults only when vlan is set (Go: QoS 0, proto 802.1q).
  const vlanQoS = vlan === undefined ? undefined : (opt(n.vlanQoS) ?? 0);
  const protoName = vlan === undefined ? undefined : (opt(n.vlanProto) ?? '802.1q').toLowerCase();
  const rawKnobs: CachedKnobConf = {
    vlan,
    vlanQoS,
    vlanProto: protoName,
    minTxRate: opt(n.min_tx_rate),
    maxTxRate: opt(n.max_tx_rate),
    spoofchk: n.spoofchk || undefined,
    trust: n.trust || undefined,
    linkState: n.link_state || undefined,
  };
  const runtimeMac = n.runtimeConfig?.mac ?? '';
  const mac = (runtimeMac || cniArgs.MAC || n.mac || '').toLowerCase();
  const knobs: RequestedKnobs = {
    vlan,
    vlanQoS,
    vlanProto: protoName === undefined ? undefined : protoName === '802.1ad' ? ETH_P_8021AD : ETH_P_8021Q,
    mac: mac || undefined,
    minTxRate: rawKnobs.minTxRate,
    maxTxRate: rawKnobs.maxTxRate,
    // Go: "on" enables, any other non-empty string disables.
    spoofchk: rawKnobs.spoofchk === undefined ? undefined : rawKnobs.spoofchk === 'on',
    trust: rawKnobs.trust === undefined ? undefined : rawKnobs.trust === 'on',
    linkState: rawKnobs.linkState === undefined ? undefined : LINK_STATE[rawKnobs.linkState as LinkStateName],
  };
  const vfArg = cniArgs.VF;
  return {
    cniVersion: n.cniVersion,
    name: n.name ?? '',
    type: n.type ?? '',
    ipamType: n.ipam?.type ?? '',
    dns: n.dns,
    deviceID: n.deviceID ?? '',
    master: n.master ?? '',
    vf: vfArg !== undefined && /^\d{1,4}$/.test(vfArg) ? Number(vfArg) : n.vf,
    pfOnly: n.pfOnly === true,
    knobs,
    rawKnobs,
    mac,
    runtimeMac,
    logLevel: n.logLevel ?? '',
    logFile: n.logFile ?? '',
  };
}
