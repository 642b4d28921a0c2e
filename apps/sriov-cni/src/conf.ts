// The plugin's view of its netconf: netconf-schema's validated SriovNetConf reduced to what the flow needs, plus
// the raw knob keys for the Go-compatible cache. MAC precedence (runtimeConfig > CNI_ARGS MAC > netconf) and all
// validation messages come from netconf-schema.
import type { SriovNetConf } from '@sriov-ts/netconf-schema';
import type { CachedKnobConf } from './cache.js';
import { type RequestedKnobs, requestedKnobs } from './knobs.js';

export interface SriovConf {
  cniVersion: string;
  name: string;
  type: string;
  ipamType: string;
  dns?: unknown;
  /** VF PCI address; '' in legacy mode. */
  deviceID: string;
  /** Legacy mode (original plugin): PF netdev name; '' otherwise. */
  master: string;
  /** Legacy: VF index asked for (CNI_ARGS VF=N or netconf `vf`); undefined = pick a free one. */
  vf: number | undefined;
  /** Legacy `pfOnly: true`: move the PF itself. */
  pfOnly: boolean;
  knobs: RequestedKnobs;
  /** The knob keys for the Go-compatible cache. */
  rawKnobs: CachedKnobConf;
  /** Requested MAC after precedence, lower-case, '' = none. */
  mac: string;
  runtimeMac: string;
  logLevel: string;
  logFile: string;
}

export function toSriovConf(n: SriovNetConf): SriovConf {
  const d = n.device;
  const mac = n.mac?.address ?? '';
  const rawKnobs: CachedKnobConf = {
    vlan: n.vlan?.id,
    vlanQoS: n.vlan?.qos,
    vlanProto: n.vlan?.proto,
    minTxRate: n.txRate?.minMbps,
    maxTxRate: n.txRate?.maxMbps,
    spoofchk: n.spoofchk === undefined ? undefined : n.spoofchk ? 'on' : 'off',
    trust: n.trust === undefined ? undefined : n.trust ? 'on' : 'off',
    linkState: n.linkState,
  };
  return {
    cniVersion: n.cniVersion,
    name: n.name,
    type: n.type,
    ipamType: n.ipam?.type ?? '',
    dns: n.dns,
    deviceID: d.kind === 'pci' ? d.deviceID : '',
    master: d.kind === 'pci' ? '' : d.master,
    vf: d.kind === 'legacy-vf' ? d.vfIndex : undefined,
    pfOnly: d.kind === 'legacy-pf',
    knobs: requestedKnobs(rawKnobs, mac),
    rawKnobs,
    mac,
    runtimeMac: n.mac?.source === 'runtimeConfig' ? n.mac.raw : '',
    logLevel: n.logging.level,
    logFile: n.logging.file ?? '',
  };
}
