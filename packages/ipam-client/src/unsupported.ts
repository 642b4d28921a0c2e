import { CniError, ErrInternal } from '@sriov-ts/cni';

/** The IPAM type ib-sriov-cni refuses: DHCP needs a daemon talking over the pod interface the plugin moves. */
export const DHCP_IPAM_TYPE = 'dhcp';

/**
 * ib-sriov-cni's check, made before every IPAM ADD and DEL: `"type":"dhcp"` → `ipam type dhcp is not supported`
 * (a plain Go error, so code 999). The Ethernet sriov plugin does not refuse dhcp (upstream sriov-cni delegates
 * it like any other IPAM), so only the ib-sriov app calls this.
 */
export function assertIpamTypeSupported(type: string): void {
  if (type === DHCP_IPAM_TYPE) throw new CniError(ErrInternal, 'ipam type dhcp is not supported');
}
