import { CniError, type CniInterface, ErrInternal, type Result } from '@sriov-ts/cni';

/**
 * What sriov-cni and ib-sriov-cni do with an IPAM result before configuring it: require at least one IP
 * (`IPAM plugin returned missing IP config`, code 999), replace `interfaces` with the plugin's single pod interface
 * and point every IP at it (`interface: 0`). The returned result is what configureInterface() expects.
 */
export function bindIpamResult(ipam: Result, iface: CniInterface): Result {
  if (ipam.ips.length === 0) throw new CniError(ErrInternal, 'IPAM plugin returned missing IP config');
  return { ...ipam, interfaces: [{ ...iface }], ips: ipam.ips.map((ip) => ({ ...ip, interface: 0 })) };
}
