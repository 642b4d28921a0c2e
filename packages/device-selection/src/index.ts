/**
 * @sriov-ts/device-selection: which SR-IOV network device plugin pool takes each device. Device facts are read once
 * through sysfs-pci; discovery rules, selector matching and the one-pool-per-device rule are pure functions over
 * those facts and a config parsed by netconf-schema. Shared by the device plugin and the `sriovctl` inspector.
 */
export {
  allDevices,
  assignDevicesToPools,
  buildPools,
  CLASS_ACCELERATOR,
  CLASS_NETWORK,
  candidates,
  type DeviceVerdict,
  type DiscoveredPool,
  deviceTypeOf,
  exclusionReason,
  type HostSnapshot,
  type PoolDevice,
  type PoolSelection,
  type PoolSpec,
  poolName,
  type Selection,
  type SelectorMiss,
} from './discovery.js';
export {
  type AuxFacts,
  type DiagnosticLog,
  factsFromSysfs,
  linkTypeName,
  type PciFacts,
  scanPciFacts,
} from './facts.js';
export {
  type IndexedName,
  matchesSelector,
  type SelectableDevice,
  type SelectorFields,
  type SelectorKey,
  selectorMismatch,
} from './selectors.js';
export { uplinkNetdevs } from './uplink.js';
