// The plugin's view of its netconf: netconf-schema's validated SriovNetConf reduced to what the flow needs, with
// the knob keys as the Go-compatible cache keeps them. MAC precedence (runtimeConfig > CNI_ARGS MAC > netconf) and
// all validation messages come from netconf-schema.

import type { SriovKnobConf } from '@sriov-ts/cni';
import type { SriovNetConf } from '@sriov-ts/netconf-schema';

export type SriovConf = ReturnType<typeof toSriovConf>;

export function toSriovConf(n: SriovNetConf) {
  const d = n.device;
  const onOff = (v: boolean | undefined) => (v === undefined ? undefined : v ? 'on' : 'off');
  const knobs: SriovKnobConf = {
    vlan: n.vlan?.id,
    vlanQoS: n.vlan?.qos,
    vlanProto: n.vlan?.proto,
    minTxRate: n.txRate?.minMbps,
    maxTxRate: n.txRate?.maxMbps,
    spoofchk: onOff(n.spoofchk),
    trust: onOff(n.trust),
    linkState: n.linkState,
  };
  return {
    cniVersion: n.cniVersion,
    name: n.name,
    type: n.type,
    ipamType: n.ipam?.type ?? '',
    dns: n.dns as unknown,
    /** VF PCI address; '' in legacy mode. */
    deviceID: d.kind === 'pci' ? d.deviceID : '',
    /** Legacy mode (original plugin): PF netdev name; '' otherwise. */
    master: d.kind === 'pci' ? '' : d.master,
    /** Legacy: VF index asked for (CNI_ARGS VF=N or netconf `vf`); undefined = pick a free one. */
    vf: d.kind === 'legacy-vf' ? d.vfIndex : undefined,
    /** Legacy `pfOnly: true`: move the PF itself. */
    pfOnly: d.kind === 'legacy-pf',
    knobs,
    /** Requested MAC after precedence, lower-case, '' = none. */
    mac: n.mac?.address ?? '',
    runtimeMac: n.mac?.source === 'runtimeConfig' ? n.mac.raw : '',
    logLevel: n.logging.level,
    logFile: n.logging.file ?? '',
  };
}
