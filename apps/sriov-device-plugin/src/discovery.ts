// Turns host facts into device pools, following the Go plugin's inclusion rules (reference §3.2) and its
// cross-pool rule: resources in config order, selector objects in list order, a device in one pool only.
import type { Logger } from './logger.js';
import { matchesSelector, type SelectableDevice } from './selectors.js';
import type { DeviceType, PciFacts, PoolDevice, ResourceConfig } from './types.js';

export const CLASS_NETWORK = 0x02;
export const CLASS_ACCELERATOR = 0x12;

/** What discovery needs from the host (sysfs-pci + netlink-ops behind an adapter; in-memory in unit tests). */
export interface HostSnapshot {
  pci: PciFacts[];
  /** Netdev names carrying an IPv4 default route (the host uplink); their PCI devices are never offered. */
  defaultRouteNetdevs: Set<string>;
}

/** Candidate devices of one device type, before selectors. */
export function candidates(host: HostSnapshot, deviceType: DeviceType): SelectableDevice[] {
  const out: SelectableDevice[] = [];
  for (const pci of host.pci) {
    if (deviceType === 'accelerator') {
      // Every class-0x12 device with a driver; no PF or default-route exclusion.
      if (pci.classBase === CLASS_ACCELERATOR && pci.driver !== null) out.push({ pci, aux: null });
      continue;
    }
    if (pci.classBase !== CLASS_NETWORK) continue;
    if (deviceType === 'auxNetDevice') {
      // Aux (SF) children of network PCI functions that have netdevs; no exclusions.
      if (pci.netdevs.length === 0) continue;
      for (const aux of pci.auxDevices) out.push({ pci, aux });
      continue;
    }
    // netDevice: an unbound device has no usable driver (Go drops it).
    if (pci.driver === null) continue;
    // The host's uplink (any netdev with an IPv4 default route) is never offered.
    if (pci.netdevs.some((n) => host.defaultRouteNetdevs.has(n))) continue;
    // A PF with VFs is not offered; its VFs are. PFs with 0 VFs, DPDK-bound PFs and VFs are.
    if (pci.sriovCapable && pci.numVfs > 0) continue;
    out.push({ pci, aux: null });
  }
  return out;
}

export interface DiscoveredPool {
  config: ResourceConfig;
  devices: PoolDevice[];
}

/**
 * Builds every pool's device list. Empty pools are returned too (the caller decides not to advertise them), so a
 * reload can tell "pool went empty" from "pool removed".
 */
export function buildPools(host: HostSnapshot, resources: ResourceConfig[], log: Logger): DiscoveredPool[] {
  const taken = new Map<string, string>();
  const byType = new Map<DeviceType, SelectableDevice[]>();
  const pools: DiscoveredPool[] = [];
  for (const config of resources) {
    let list = byType.get(config.deviceType);
    if (list === undefined) {
      list = candidates(host, config.deviceType);
      byType.set(config.deviceType, list);
    }
    const fullName = `${config.resourcePrefix}/${config.resourceName}`;
    const devices: PoolDevice[] = [];
    for (const dev of list) {
      const id = dev.aux !== null ? dev.aux.name : dev.pci.address;
      const selector = config.selectors.find((s) => matchesSelector(s, dev, config.deviceType));
      if (selector === undefined) continue;
      const owner = taken.get(id);
      if (owner !== undefined) {
        log.warn(`Cannot add device [${id}]. Already allocated.`, { resource: fullName, owner });
        continue;
      }
      taken.set(id, fullName);
      devices.push({
        id,
        pci: dev.pci,
        aux: dev.aux,
        isRdma: selector.isRdma === true,
        needVhostNet: selector.needVhostNet === true,
      });
    }
    devices.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    pools.push({ config, devices });
  }
  return pools;
}
