// Host facts for discovery, from sysfs-pci (every /sys read) and netlink (default routes, link events).
import type { PciDeviceInfo, Sysfs } from '@sriov-ts/sysfs-pci';
import type { DeviceNodes } from './allocate.js';
import type { HostSnapshot } from './discovery.js';
import type { LinkSource } from './health.js';
import type { Logger } from './logger.js';
import type { HostSource } from './plugin.js';
import type { AuxFacts, PciFacts } from './types.js';

/** netlink EncapType names for the ARPHRD numbers that matter (what `linkTypes` selectors compare against). */
export function linkTypeName(arphrd: number | null): string | null {
  if (arphrd === null) return null;
  switch (arphrd) {
    case 1:
      return 'ether';
    case 32:
      return 'infiniband';
    case 772:
      return 'loopback';
    case 65534:
      return 'none';
    default:
      return `arphrd-${arphrd}`;
  }
}

/**
 * Scalable functions (auxiliary devices) of a network PCI function that has netdevs. Only PFs/non-VF functions are
 * looked at: SFs are created on PFs, and skipping VFs saves a readdir per VF on large nodes.
 */
function auxDevicesOf(info: PciDeviceInfo, sysfs: Sysfs, log: Logger): AuxFacts[] {
  if (info.baseClass !== '02' || info.netdevs.length === 0 || info.physfn !== null) return [];
  const out: AuxFacts[] = [];
  let names: string[];
  try {
    names = sysfs.auxiliaryDevices(info.address);
  } catch (err) {
    log.debug('cannot list auxiliary devices', { device: info.address, err });
    return [];
  }
  for (const name of names) {
    try {
      const aux = sysfs.auxiliaryDeviceInfo(name);
      let linkType: string | null = null;
      if (aux.netdevs[0] !== undefined) {
        try {
          linkType = linkTypeName(sysfs.netdevType(aux.netdevs[0]));
        } catch {
          linkType = null;
        }
      }
      out.push({
        name: aux.name,
        type: aux.type,
        sfnum: aux.sfnum,
        netdevs: aux.netdevs,
        linkType: linkType ?? linkTypeName(info.linkType),
        rdmaDevices: aux.rdmaDevices,
      });
    } catch (err) {
      log.warn('skipping auxiliary device', { device: name, parent: info.address, err });
    }
  }
  return out;
}

export function factsFromSysfs(info: PciDeviceInfo, sysfs: Sysfs, log: Logger): PciFacts {
  const group = info.iommuGroup === null ? null : Number.parseInt(info.iommuGroup, 10);
  const uio = info.uioDevice === null ? null : info.uioDevice.replace(/^\/dev\//, '');
  let pKey: string | null = null;
  if (info.linkType === 32 && info.rdmaDevices.length > 0) {
    try {
      pKey = sysfs.defaultPkey(info.address);
    } catch (err) {
      log.debug('cannot read default pkey', { device: info.address, err });
    }
  }
  return {
    address: info.address,
    vendor: info.vendor,
    device: info.device,
    classBase: Number.parseInt(info.baseClass, 16),
    driver: info.driver,
    numaNode: info.numaNode,
    acpiIndex: info.acpiIndex ?? '',
    iommuGroup: group !== null && Number.isInteger(group) ? group : null,
    vfioNoIommu: info.vfioDevice?.includes('/noiommu-') ?? false,
    uioDevice: uio,
    sriovCapable: info.sriovTotalVfs !== null,
    numVfs: info.sriovNumVfs ?? 0,
    pfAddress: info.physfn,
    vfIndex: info.vfIndex ?? -1,
    pfNetdev: info.pfNetdevs[0] ?? null,
    netdevs: info.netdevs,
    linkType: linkTypeName(info.linkType),
    rdmaDevices: info.rdmaDevices,
    pKey,
    auxDevices: auxDevicesOf(info, sysfs, log),
  };
}

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
      let infos: PciDeviceInfo[];
      try {
        // One scan shares the per-PF work (virtfn links) across all VFs.
        infos = sysfs.scanDevices();
      } catch {
        // Some device is unreadable or vanished mid-scan: go device by device and skip the bad ones.
        infos = [];
        for (const address of sysfs.listPciDevices()) {
          try {
            infos.push(sysfs.deviceInfo(address));
          } catch (err) {
            log.warn('skipping PCI device', { device: address, err });
          }
        }
      }
      return { pci: infos.map((info) => factsFromSysfs(info, sysfs, log)), defaultRouteNetdevs };
    },
  };
}
