// The device plugin's internal model. Config parsing (netconf-schema) and host facts (sysfs-pci, netlink-ops)
// are adapted into these shapes at the edges, so the core logic (selectors, pools, Allocate) is pure and testable.

export type DeviceType = 'netDevice' | 'accelerator' | 'auxNetDevice';

/** A `pfNames`/`rootDevices` entry `name[#ranges]`, as netconf-schema parses it. */
export interface IndexedName {
  name: string;
  /** Absent: every function of that PF. Present: only these inclusive index ranges (empty matches nothing). */
  ranges?: readonly { first: number; last: number }[];
}

/** One selector object. Within an object all present keys are ANDed; within one key's list values are ORed. */
export interface Selector {
  vendors?: readonly string[];
  devices?: readonly string[];
  drivers?: readonly string[];
  pciAddresses?: readonly string[];
  acpiIndexes?: readonly string[];
  pfNames?: readonly IndexedName[];
  rootDevices?: readonly IndexedName[];
  linkTypes?: readonly string[];
  ddpProfiles?: readonly string[];
  pKeys?: readonly string[];
  isRdma?: boolean;
  needVhostNet?: boolean;
  vdpaType?: string;
  auxTypes?: readonly string[];
  /** Legacy seed format `deviceType: "netdevice"`: only devices with a kernel netdev. */
  requireNetdev?: boolean;
}

export interface ResourceConfig {
  resourceName: string;
  /** Effective prefix (the per-pool `resourcePrefix`, else the CLI `--resource-prefix`). */
  resourcePrefix: string;
  deviceType: DeviceType;
  excludeTopology: boolean;
  /** Evaluated in order; a device goes to the first object that matches it. */
  selectors: Selector[];
  /** `"*"` applies to every device, a PCI address key to that device (later wins). */
  additionalInfo: Record<string, Record<string, string>>;
}

/** Facts about one auxiliary (SF) device under a PCI parent. */
export interface AuxFacts {
  /** `<driver>.<type>.<id>`, e.g. `mlx5_core.sf.4`; the device ID in the pool. */
  name: string;
  /** Middle token of the name (`sf`). */
  type: string;
  sfnum: number | null;
  netdevs: string[];
  linkType: string | null;
  rdmaDevices: string[];
}

/** Facts about one PCI function, everything discovery, selectors and Allocate need. */
export interface PciFacts {
  address: string;
  /** Four lower-case hex digits. */
  vendor: string;
  device: string;
  /** PCI base class (0x02 network, 0x12 processing accelerator). */
  classBase: number;
  /** Bound driver's name, or null when unbound. */
  driver: string | null;
  /** NUMA node, or null when unknown / -1. */
  numaNode: number | null;
  /** Content of `acpi_index`, '' when absent. */
  acpiIndex: string;
  iommuGroup: number | null;
  /** True when the IOMMU group is a vfio-noiommu group (`/dev/vfio/noiommu-N`). */
  vfioNoIommu: boolean;
  /** First uio device name (`uio3`) when bound to a uio driver. */
  uioDevice: string | null;
  /** `sriov_totalvfs` exists. */
  sriovCapable: boolean;
  /** `sriov_numvfs` (0 when absent). */
  numVfs: number;
  /** For a VF, its PF's PCI address; null for PFs and VM-passthrough VFs. */
  pfAddress: string | null;
  /** VF index under its PF, -1 when not a VF. */
  vfIndex: number;
  /** For a VF, the PF's netdev name (null when unknown). */
  pfNetdev: string | null;
  netdevs: string[];
  /** `ether`, `infiniband`, … of the first netdev, or of the PF netdev when the device has none. */
  linkType: string | null;
  rdmaDevices: string[];
  /** Default IB PKey (index 0), e.g. `0x7fff`, only for InfiniBand devices. */
  pKey: string | null;
  auxDevices: AuxFacts[];
}

/** A device as a pool holds it. */
export interface PoolDevice {
  /** PCI address, or aux name for auxNetDevice. */
  id: string;
  pci: PciFacts;
  aux: AuxFacts | null;
  /** Per-selector-object options that matched this device. */
  isRdma: boolean;
  needVhostNet: boolean;
}

export type Health = 'Healthy' | 'Unhealthy';
