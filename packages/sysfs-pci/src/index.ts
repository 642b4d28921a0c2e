export { isSysfsError, SysfsError, type SysfsErrorCode } from './errors.js';
export {
  assertDriverName,
  assertNetdevName,
  assertRdmaDeviceName,
  isValidNetdevName,
  MAX_NETDEV_NAME_LENGTH,
} from './names.js';
export {
  formatPciAddress,
  isCanonicalPciAddress,
  isPciAddress,
  normalizePciAddress,
  type PciAddress,
  type PciAddressParts,
  parsePciAddress,
  pciAddressPlus,
} from './pci-address.js';
export {
  ARPHRD_ETHER,
  ARPHRD_INFINIBAND,
  type AuxiliaryDeviceInfo,
  createSysfs,
  isAuxiliaryDeviceName,
  type PciDeviceInfo,
  type Sysfs,
  type SysfsOptions,
  type SysfsPaths,
  USERSPACE_DRIVERS,
  type VirtualFunctionRef,
} from './sysfs.js';
