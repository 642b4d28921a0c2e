// Selector matching, with the Go plugin's semantics: exact string compares (vendor/device IDs lower-case hex),
// pfNames compared case-insensitively, `name#0,2-7,9` index ranges (parsed by netconf-schema), only devices with a PF match pfNames/rootDevices.
import type { DeviceSelector, DeviceType, IndexedNameSelector } from '@sriov-ts/netconf-schema';
import type { AuxFacts, PciFacts } from './facts.js';

/** A `pfNames`/`rootDevices` entry as matching reads it (netconf-schema's parsed `name#ranges`). */
export type IndexedName = Pick<IndexedNameSelector, 'name' | 'ranges'>;

/**
 * One selector object as matching reads it: netconf-schema's `DeviceSelector`, with `isRdma`/`needVhostNet` optional
 * (and `requireNetdev` any boolean), index entries reduced to name + ranges (in-memory selectors need no raw text).
 */
export type SelectorFields = Omit<Partial<DeviceSelector>, 'pfNames' | 'rootDevices' | 'requireNetdev'> & {
  readonly pfNames?: readonly IndexedName[];
  readonly rootDevices?: readonly IndexedName[];
  readonly requireNetdev?: boolean;
};

/** A device as selectors see it: a PCI function, or an aux device plus its parent PCI function. */
export interface SelectableDevice {
  pci: PciFacts;
  aux: AuxFacts | null;
}

/** The selector key that rejected a device (`ddpProfiles`/`vdpaType` reject every device: not supported here). */
export type SelectorKey =
  | 'vendors'
  | 'devices'
  | 'drivers'
  | 'requireNetdev'
  | 'pciAddresses'
  | 'acpiIndexes'
  | 'auxTypes'
  | 'pfNames'
  | 'rootDevices'
  | 'linkTypes'
  | 'ddpProfiles'
  | 'vdpaType'
  | 'pKeys'
  | 'isRdma';

function anyOf(values: readonly string[] | undefined, actual: string | null | undefined): boolean {
  if (values === undefined || values.length === 0) return true;
  return actual !== null && actual !== undefined && values.includes(actual);
}

/** Index a pfNames/rootDevices range applies to: VF index for PCI, sfnum for aux. */
function functionIndex(dev: SelectableDevice): number | null {
  if (dev.aux !== null) return dev.aux.sfnum;
  return dev.pci.vfIndex >= 0 ? dev.pci.vfIndex : null;
}

function pfOf(dev: SelectableDevice): { address: string | null; netdev: string | null } {
  // For aux devices the "PF" is the PCI parent itself.
  if (dev.aux !== null) return { address: dev.pci.address, netdev: dev.pci.netdevs[0] ?? null };
  return { address: dev.pci.pfAddress, netdev: dev.pci.pfNetdev };
}

function matchIndexed(
  entries: readonly IndexedName[] | undefined,
  dev: SelectableDevice,
  actualName: string | null,
  caseInsensitive: boolean,
): boolean {
  if (entries === undefined || entries.length === 0) return true;
  if (actualName === null) return false;
  const idx = functionIndex(dev);
  for (const entry of entries) {
    const same = caseInsensitive ? entry.name.toLowerCase() === actualName.toLowerCase() : entry.name === actualName;
    if (!same) continue;
    if (entry.ranges === undefined) return true;
    if (idx !== null && entry.ranges.some((r) => idx >= r.first && idx <= r.last)) return true;
  }
  return false;
}

/**
 * The first key of the selector object (that applies to the pool's device type) the device fails, or null when it
 * passes every one. Keys are checked in a fixed order, so the answer is stable.
 */
export function selectorMismatch(
  selector: SelectorFields,
  dev: SelectableDevice,
  deviceType: DeviceType,
): SelectorKey | null {
  const { pci, aux } = dev;
  if (!anyOf(selector.vendors, pci.vendor)) return 'vendors';
  if (!anyOf(selector.devices, pci.device)) return 'devices';
  if (!anyOf(selector.drivers, pci.driver)) return 'drivers';
  if (selector.requireNetdev === true && pci.netdevs.length === 0) return 'requireNetdev';
  if (deviceType !== 'auxNetDevice' && !anyOf(selector.pciAddresses, pci.address)) return 'pciAddresses';
  if (deviceType === 'netDevice' && !anyOf(selector.acpiIndexes, pci.acpiIndex)) return 'acpiIndexes';
  if (deviceType === 'accelerator') return null;
  if (deviceType === 'auxNetDevice') {
    if (aux === null || !anyOf(selector.auxTypes, aux.type)) return 'auxTypes';
  }
  const pf = pfOf(dev);
  if (!matchIndexed(selector.pfNames, dev, pf.netdev, true)) return 'pfNames';
  if (!matchIndexed(selector.rootDevices, dev, pf.address, false)) return 'rootDevices';
  const linkType = aux !== null ? (aux.linkType ?? pci.linkType) : pci.linkType;
  if (!anyOf(selector.linkTypes, linkType)) return 'linkTypes';
  if (deviceType === 'netDevice') {
    // DDP profiles and vDPA need tools/netlink families this plugin does not query; such selectors match nothing
    // rather than everything (the config layer warns about it).
    if (selector.ddpProfiles !== undefined && selector.ddpProfiles.length > 0) return 'ddpProfiles';
    if (selector.vdpaType !== undefined && selector.vdpaType !== '') return 'vdpaType';
    if (!anyOf(selector.pKeys, pci.pKey)) return 'pKeys';
  }
  if (selector.isRdma === true) {
    const rdma = aux !== null ? aux.rdmaDevices : pci.rdmaDevices;
    if (rdma.length === 0) return 'isRdma';
  }
  return null;
}

/** True when the device passes every key of the selector object that applies to the pool's device type. */
export function matchesSelector(selector: SelectorFields, dev: SelectableDevice, deviceType: DeviceType): boolean {
  return selectorMismatch(selector, dev, deviceType) === null;
}
