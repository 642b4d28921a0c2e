// The device plugin's internal model. Config parsing (netconf-schema) and host facts (device-selection over
// sysfs-pci, netlink-ops) are adapted into these shapes at the edges, so the core logic (pools, Allocate) is pure.

// Device facts, selector matching and pool assignment live in @sriov-ts/device-selection (shared with sriovctl).
import type { IndexedName } from '@sriov-ts/device-selection';

export type { AuxFacts, IndexedName, PciFacts, PoolDevice } from '@sriov-ts/device-selection';
export type { DeviceType } from '@sriov-ts/netconf-schema';

import type { DeviceType } from '@sriov-ts/netconf-schema';

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

export type Health = 'Healthy' | 'Unhealthy';
