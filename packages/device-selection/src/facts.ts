// Device facts: what discovery, selectors and the device plugin's Allocate need to know about one PCI function (and
// its auxiliary devices), read once from sysfs-pci so the selection logic itself is pure and testable in memory.
import type { PciDeviceInfo, Sysfs } from '@sriov-ts/sysfs-pci';

/** Where fact gathering reports devices it skips or values it cannot read (the device plugin's Logger fits). */
export interface DiagnosticLog {
  debug(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

const quiet: DiagnosticLog = { debug() {}, warn() {} };

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
function auxDevicesOf(info: PciDeviceInfo, sysfs: Sysfs, log: DiagnosticLog): AuxFacts[] {
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

/** Facts of one PCI function from its sysfs-pci record (a few extra reads: default pkey, auxiliary devices). */
export function factsFromSysfs(info: PciDeviceInfo, sysfs: Sysfs, log: DiagnosticLog = quiet): PciFacts {
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

/**
 * Facts of every PCI function under the sysfs root. One scan shares the per-PF work (virtfn links) across all VFs;
 * when some device is unreadable or vanishes mid-scan, it goes device by device and skips (and reports) the bad ones.
 */
export function scanPciFacts(sysfs: Sysfs, log: DiagnosticLog = quiet): PciFacts[] {
  let infos: PciDeviceInfo[];
  try {
    infos = sysfs.scanDevices();
  } catch {
    infos = [];
    for (const address of sysfs.listPciDevices()) {
      try {
        infos.push(sysfs.deviceInfo(address));
      } catch (err) {
        log.warn('skipping PCI device', { device: address, err });
      }
    }
  }
  return infos.map((info) => factsFromSysfs(info, sysfs, log));
}
