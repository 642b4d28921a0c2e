// Host facts for discovery: device facts from sysfs-pci (through device-selection's scanPciFacts) and the netlink
// side (default routes, link events) supplied by the caller; plus the /dev lookups Allocate needs.
import { type HostSnapshot, scanPciFacts } from '@sriov-ts/device-selection';
import type { Sysfs } from '@sriov-ts/sysfs-pci';
import type { DeviceNodes } from './allocate.js';
import type { LinkSource } from './health.js';
import type { Logger } from './logger.js';
import type { HostSource } from './plugin.js';

/** Default-route lookup (netlink-ops routes in production). */
export type DefaultRouteNetdevs = () => Promise<Set<string>>;

export interface SysfsHostOptions {
  sysfs: Sysfs;
  log: Logger;
  defaultRouteNetdevs?: DefaultRouteNetdevs;
  links?: LinkSource;
}

export function createSysfsHost(opts: SysfsHostOptions): HostSource {
  const { sysfs, log } = opts;
  const nodes: DeviceNodes = {
    exists: (path) => sysfs.devNodeExists(path),
    rdmaCharDevices: (dev) => {
      try {
        // rdma_cm is added separately (Allocate checks it once per device).
        return sysfs.rdmaCharDevices(dev).filter((p) => !p.endsWith('/rdma_cm'));
      } catch (err) {
        log.warn('cannot list RDMA char devices', { rdmaDevice: dev, err });
        return [];
      }
    },
  };
  return {
    nodes,
    links: opts.links,
    deviceExists: (address) => sysfs.hasPciDevice(address),
    async snapshot(): Promise<HostSnapshot> {
      const defaultRouteNetdevs = (await opts.defaultRouteNetdevs?.()) ?? new Set<string>();
      return { pci: scanPciFacts(sysfs, log), defaultRouteNetdevs };
    },
  };
}
