import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fsError, invalidArgument, malformed, SysfsError } from './errors.js';
import { basename, SysfsIo } from './io.js';
import { assertDriverName, assertNetdevName, assertRdmaDeviceName } from './names.js';
import { isCanonicalPciAddress, normalizePciAddress, type PciAddress } from './pci-address.js';

/** Drivers that hand the device to user space (DPDK); sriov-cni's `UserspaceDrivers`. */
export const USERSPACE_DRIVERS: readonly string[] = ['vfio-pci', 'uio_pci_generic', 'igb_uio'];

/** ARPHRD values of `/sys/class/net/<if>/type` that matter here. */
export const ARPHRD_ETHER = 1;
export const ARPHRD_INFINIBAND = 32;

export interface SysfsOptions {
  /** Directory that stands for `/` (holding `sys/` and `dev/`). Default `/`. Only joined, never read at creation. */
  root?: string;
}

export interface VirtualFunctionRef {
  /** N of the PF's `virtfnN` link. */
  index: number;
  address: PciAddress;
}

/** Everything the stack reads about one PCI function, read in one pass. */
export interface PciDeviceInfo {
  address: PciAddress;
  /** 4 lower-case hex digits without 0x, e.g. `8086`. */
  vendor: string;
  /** 4 lower-case hex digits, e.g. `154c`. */
  device: string;
  /** 6 lower-case hex digits, e.g. `020000`. */
  classCode: string;
  /** First two digits of classCode: `02` network, `12` accelerator. */
  baseClass: string;
  subsystemVendor: string | null;
  subsystemDevice: string | null;
  modalias: string | null;
  /** Basename of the `driver` link, null when unbound. */
  driver: string | null;
  /** null when `numa_node` is missing, unparsable or -1 (the device plugin's "no topology"). */
  numaNode: number | null;
  /** Basename of the `iommu_group` link. */
  iommuGroup: string | null;
  /** Trimmed `acpi_index`, null when absent. */
  acpiIndex: string | null;
  /** Present (non-null) exactly when the device is SR-IOV capable (`sriov_totalvfs` exists). */
  sriovTotalVfs: number | null;
  sriovNumVfs: number | null;
  /** A PF's VFs from its `virtfnN` links, by index. Empty for anything else. */
  vfs: VirtualFunctionRef[];
  /** A VF's PF (basename of `physfn`), null for anything else. */
  physfn: PciAddress | null;
  /** A VF's N in its PF's `virtfnN`; null for anything else or when no link points back. */
  vfIndex: number | null;
  /** Entries of `net/`, name-sorted (the first is what the Go projects use). */
  netdevs: string[];
  /** For a VF: entries of `physfn/net/`, name-sorted. Empty otherwise. */
  pfNetdevs: string[];
  /** Entries of `infiniband/`, name-sorted. */
  rdmaDevices: string[];
  /** `/dev/uioN` from the first entry of `uio/`. */
  uioDevice: string | null;
  /** `/dev/vfio/<group>` (or `/dev/vfio/noiommu-<group>`) when bound to vfio-pci and in an IOMMU group. */
  vfioDevice: string | null;
  /**
   * ARPHRD type (`type`) of the first netdev; for a device without netdev (DPDK-bound VF) the PF's first netdev, as
   * the device plugin does since PR #479. null when neither exists.
   */
  linkType: number | null;
}

export interface Sysfs {
  readonly root: string;
  /** Where things are, under the root. Pure string building after validation; no I/O. */
  readonly paths: SysfsPaths;

  listPciDevices(): PciAddress[];
  hasPciDevice(address: string): boolean;
  /** One snapshot of a device. Throws SysfsError ENOENT when the device does not exist. */
  deviceInfo(address: string): PciDeviceInfo;
  /** Snapshots of every device (or of `addresses`), sharing per-PF work; discovery's entry point. */
  scanDevices(addresses?: readonly string[]): PciDeviceInfo[];

  vendor(address: string): string;
  deviceId(address: string): string;
  classCode(address: string): string;
  subsystemVendor(address: string): string | null;
  subsystemDevice(address: string): string | null;
  modalias(address: string): string | null;
  driver(address: string): string | null;
  hasUserspaceDriver(address: string): boolean;
  numaNode(address: string): number | null;
  iommuGroup(address: string): string | null;
  acpiIndex(address: string): string | null;

  isSriovPf(address: string): boolean;
  sriovTotalVfs(address: string): number | null;
  sriovNumVfs(address: string): number | null;
  /** A PF's VFs by index (from `virtfnN`). */
  vfs(pfAddress: string): VirtualFunctionRef[];
  /** The address behind the PF's `virtfn<index>`, null when there is no such link. */
  vfAddress(pfAddress: string, index: number): PciAddress | null;
  isVf(address: string): boolean;
  pfOfVf(vfAddress: string): PciAddress | null;
  /** N such that the VF's PF has `virtfnN` → this VF; null when not a VF. Scans the PF's links once. */
  vfIndex(vfAddress: string): number | null;
  /** Same, on a given PF (e.g. one named by a netdev): null when no `virtfnN` of that PF points at the VF. */
  vfIndexOnPf(pfAddress: string, vfAddress: string): number | null;
  /** Names under `physfn/net/`, sorted. */
  pfNetdevsOfVf(vfAddress: string): string[];

  netdevs(address: string): string[];
  rdmaDevices(address: string): string[];
  uioDevice(address: string): string | null;
  vfioDevice(address: string): string | null;
  /** `infiniband/<first>/ports/1/pkeys/0`, null when the device has no RDMA device or file. */
  defaultPkey(address: string): string | null;
  /** `/dev/infiniband/*` nodes of an RDMA device: ucm/issm/umad/uverbs whose `ibdev` matches, plus rdma_cm. */
  rdmaCharDevices(rdmaDevice: string): string[];

  /**
   * Auxiliary devices (`<driver>.<type>.<id>`, e.g. `mlx5_core.sf.4`) that are children of a PCI function, sorted.
   * Only names that also exist under `bus/auxiliary/devices` count.
   */
  auxiliaryDevices(address: string): string[];
  /** Facts of one auxiliary device from `/sys/bus/auxiliary/devices/<name>`. Throws ENOENT when absent. */
  auxiliaryDeviceInfo(name: string): AuxiliaryDeviceInfo;

  /** PCI function behind a netdev (nearest PCI ancestor of `class/net/<if>/device`); null for virtual netdevs. */
  netdevPciAddress(ifname: string): PciAddress | null;
  netdevExists(ifname: string): boolean;
  netdevIsVf(ifname: string): boolean;
  netdevIsSriovPf(ifname: string): boolean;
  /** ARPHRD type from `type` (1 ethernet, 32 infiniband). */
  netdevType(ifname: string): number;
  netdevMacAddress(ifname: string): string | null;
  netdevOperstate(ifname: string): string | null;
  physPortName(ifname: string): string | null;
  physSwitchId(ifname: string): string | null;
  /** `sriov_numvfs` read through `class/net/<pf>/device/`, as sriov-cni does. */
  sriovNumVfsOfNetdev(ifname: string): number;

  /** Whether a `/dev/...` path exists under the root (e.g. `/dev/vfio/12`). */
  devNodeExists(devPath: string): boolean;

  /** Unbinds from the current driver; returns its name, or null when nothing was bound (nothing written). */
  unbindDriver(address: string): string | null;
  /**
   * Binds to `driver` by writing the address to `drivers/<driver>/bind`. Already bound to it: nothing is written.
   * Bound to another driver: SysfsError EBUSY (unbind first).
   */
  bindDriver(address: string, driver: string): void;
  /**
   * Unbinds the device and binds it to the same driver again, so the driver re-probes it (sriovnet's
   * UnbindVf + BindVf, which ib-sriov-cni uses to apply a new VF GUID). Both writes always happen, whatever the
   * driver link says in between. Returns the driver; SysfsError ENOENT when no driver is bound.
   */
  rebindDriver(address: string): string;
  /** Writes `driver_override` (null clears it). */
  setDriverOverride(address: string, driver: string | null): void;
  /** Writes the address to `bus/pci/drivers_probe`. */
  probeDriver(address: string): void;
  /** Writes `sriov_numvfs` after checking 0 ≤ count ≤ sriov_totalvfs. The kernel needs 0 before a new non-zero. */
  setSriovNumVfs(pfAddress: string, count: number): void;
}

/** An auxiliary-bus device (a scalable function or another driver-created child of a PCI function). */
export interface AuxiliaryDeviceInfo {
  /** `<driver>.<type>.<id>`, e.g. `mlx5_core.sf.4`. */
  name: string;
  /** First token: the parent driver that created it (`mlx5_core`). */
  driverName: string;
  /** Middle token: `sf`, `eth`, `rdma`, ... (what the device plugin's `auxTypes` selects on). */
  type: string;
  /** Last token. */
  id: number;
  /** The PCI function it belongs to (nearest PCI ancestor of its directory). */
  parent: PciAddress | null;
  /** Trimmed `sfnum` for scalable functions (the device plugin's index), null when absent. */
  sfnum: number | null;
  /** Basename of its `driver` link, null when unbound. */
  driver: string | null;
  /** Entries of `net/`, name-sorted. */
  netdevs: string[];
  /** Entries of `infiniband/`, name-sorted. */
  rdmaDevices: string[];
}

export interface SysfsPaths {
  pciDevices: string;
  pciDrivers: string;
  classNet: string;
  iommuGroups: string;
  dev: string;
  pciDevice(address: string): string;
  pciDriver(driver: string): string;
  netdev(ifname: string): string;
  auxiliaryDevices: string;
  auxiliaryDevice(name: string): string;
}

/** `<driver>.<type>.<id>`: the auxiliary bus's device naming (drivers/base/auxiliary.c). */
const AUX_NAME = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.(\d+)$/;

export function isAuxiliaryDeviceName(name: string): boolean {
  return typeof name === 'string' && name.length <= 255 && AUX_NAME.test(name);
}

function assertAuxiliaryDeviceName(name: string): string {
  if (!isAuxiliaryDeviceName(name)) {
    throw invalidArgument('auxiliary device name', name, 'expected <driver>.<type>.<id>');
  }
  return name;
}

const VIRTFN = /^virtfn(\d+)$/;
/** pci:v<vendor>d<device>sv<subvendor>sd<subdevice>bc<base>sc<sub>i<prog-if> (drivers/pci/pci-sysfs.c). */
const MODALIAS =
  /^pci:v0000([0-9A-Fa-f]{4})d0000([0-9A-Fa-f]{4})sv0000([0-9A-Fa-f]{4})sd0000([0-9A-Fa-f]{4})bc([0-9A-Fa-f]{2})sc([0-9A-Fa-f]{2})i([0-9A-Fa-f]{2})$/;

interface PciIds {
  vendor: string;
  device: string;
  subsystemVendor: string | null;
  subsystemDevice: string | null;
  classCode: string;
  modalias: string | null;
}
const HEX4 = /^0x([0-9a-fA-F]{4})$/;
const CLASS = /^0x([0-9a-fA-F]{6})$/;
const INTEGER = /^-?\d+$/;

interface PfFacts {
  vfIndexByAddress: Map<string, number>;
  netdevs: string[];
  linkType: number | null;
}

/** Builds the reader/writer. Nothing is read until a method is called. */
export function createSysfs(options: SysfsOptions = {}): Sysfs {
  const root = options.root ?? '/';
  if (typeof root !== 'string' || root === '' || root.includes('\0')) throw invalidArgument('sysfs root', root, '');
  const io = new SysfsIo();

  const pciDevices = join(root, 'sys/bus/pci/devices');
  const pciDrivers = join(root, 'sys/bus/pci/drivers');
  const classNet = join(root, 'sys/class/net');
  const sysClass = join(root, 'sys/class');
  const iommuGroups = join(root, 'sys/kernel/iommu_groups');
  const auxiliaryDevices = join(root, 'sys/bus/auxiliary/devices');
  const dev = join(root, 'dev');

  const deviceDir = (address: string) => join(pciDevices, normalizePciAddress(address));
  const netdevDir = (ifname: string) => join(classNet, assertNetdevName(ifname));

  const paths: SysfsPaths = {
    pciDevices,
    pciDrivers,
    classNet,
    iommuGroups,
    dev,
    pciDevice: deviceDir,
    pciDriver: (driver) => join(pciDrivers, assertDriverName(driver)),
    netdev: netdevDir,
    auxiliaryDevices,
    auxiliaryDevice: (name) => join(auxiliaryDevices, assertAuxiliaryDeviceName(name)),
  };

  function hex4(dir: string, attribute: string, address: string): string {
    const path = join(dir, attribute);
    const text = io.read(path, address).trim();
    const match = HEX4.exec(text);
    if (match === null) throw malformed(path, address, text, 'a 0x-prefixed 4-digit hex ID');
    return match[1]!.toLowerCase();
  }

  function optionalHex4(dir: string, attribute: string, address: string): string | null {
    const path = join(dir, attribute);
    const text = io.readOptional(path, address);
    if (text === null) return null;
    const match = HEX4.exec(text);
    if (match === null) throw malformed(path, address, text, 'a 0x-prefixed 4-digit hex ID');
    return match[1]!.toLowerCase();
  }

  function classOf(dir: string, address: string): string {
    const path = join(dir, 'class');
    const text = io.read(path, address).trim();
    const match = CLASS.exec(text);
    if (match === null) throw malformed(path, address, text, 'a 0x-prefixed 6-digit hex class');
    return match[1]!.toLowerCase();
  }

  function optionalInteger(path: string, device: string): number | null {
    const text = io.readOptional(path, device);
    if (text === null) return null;
    if (!INTEGER.test(text)) throw malformed(path, device, text, 'an integer');
    return Number.parseInt(text, 10);
  }

  function numaOf(dir: string, address: string): number | null {
    const text = io.readOptional(join(dir, 'numa_node'), address);
    if (text === null || !INTEGER.test(text)) return null;
    const node = Number.parseInt(text, 10);
    return node < 0 ? null : node;
  }

  function linkBasename(path: string, device: string): string | null {
    const target = io.readlinkOptional(path, device);
    return target === null ? null : basename(target);
  }

  function pciLinkTarget(path: string, device: string): PciAddress | null {
    const name = linkBasename(path, device);
    if (name === null) return null;
    if (!isCanonicalPciAddress(name)) throw malformed(path, device, name, 'a link to a PCI device');
    return name;
  }

  /** virtfnN links of a PF directory, given its entry list (avoids a second readdir in scans). */
  function virtfnsIn(dir: string, entries: readonly string[], address: string): VirtualFunctionRef[] {
    const vfs: VirtualFunctionRef[] = [];
    for (const entry of entries) {
      const match = VIRTFN.exec(entry);
      if (match === null) continue;
      const target = pciLinkTarget(join(dir, entry), address);
      if (target !== null) vfs.push({ index: Number.parseInt(match[1]!, 10), address: target });
    }
    return vfs.sort((a, b) => a.index - b.index);
  }

  /** `type` of a netdev listed under a device's `net/` (read there, not via class/net, so it matches the listing). */
  function typeOfNetdev(deviceDirectory: string, ifname: string, device: string): number | null {
    const path = join(deviceDirectory, 'net', ifname, 'type');
    const text = io.readOptional(path, device);
    if (text === null) return null;
    if (!INTEGER.test(text)) throw malformed(path, device, text, 'an ARPHRD number');
    return Number.parseInt(text, 10);
  }

  /** Netdev names as sysfs lists them, validated so callers can build paths from them. */
  function netdevsIn(dir: string, device: string): string[] {
    const names = io.listOptional(join(dir, 'net'), device);
    for (const name of names) assertNetdevName(name);
    return names;
  }

  function pfFacts(pfAddress: PciAddress, cache: Map<string, PfFacts> | undefined, device: string): PfFacts {
    const cached = cache?.get(pfAddress);
    if (cached !== undefined) return cached;
    const dir = join(pciDevices, pfAddress);
    const vfIndexByAddress = new Map<string, number>();
    for (const vf of virtfnsIn(dir, io.listOptional(dir, device), pfAddress))
      vfIndexByAddress.set(vf.address, vf.index);
    const netdevs = netdevsIn(dir, pfAddress);
    const facts: PfFacts = {
      vfIndexByAddress,
      netdevs,
      linkType: netdevs[0] === undefined ? null : typeOfNetdev(dir, netdevs[0], pfAddress),
    };
    cache?.set(pfAddress, facts);
    return facts;
  }

  function vfioDeviceOfGroup(group: string, address: string): string {
    const name = io.readOptional(join(iommuGroups, group, 'name'), address);
    return name === 'vfio-noiommu' ? `/dev/vfio/noiommu-${group}` : `/dev/vfio/${group}`;
  }

  /**
   * IDs and class. Like the Go device plugin (ghw), from `modalias` — one read instead of six; the kernel writes
   * every field there. Trees without a complete modalias (hand-made fakes) fall back to the individual files.
   */
  function idsOf(dir: string, has: ReadonlySet<string>, address: string): PciIds {
    const modalias = has.has('modalias') ? io.readOptional(join(dir, 'modalias'), address) : null;
    const match = modalias === null ? null : MODALIAS.exec(modalias);
    if (match !== null) {
      const [, vendor, device, subsystemVendor, subsystemDevice, base, sub, progIf] = match;
      return {
        vendor: vendor!.toLowerCase(),
        device: device!.toLowerCase(),
        subsystemVendor: subsystemVendor!.toLowerCase(),
        subsystemDevice: subsystemDevice!.toLowerCase(),
        classCode: `${base}${sub}${progIf}`.toLowerCase(),
        modalias,
      };
    }
    return {
      vendor: hex4(dir, 'vendor', address),
      device: hex4(dir, 'device', address),
      subsystemVendor: has.has('subsystem_vendor') ? optionalHex4(dir, 'subsystem_vendor', address) : null,
      subsystemDevice: has.has('subsystem_device') ? optionalHex4(dir, 'subsystem_device', address) : null,
      classCode: classOf(dir, address),
      modalias,
    };
  }

  function snapshot(address: PciAddress, cache: Map<string, PfFacts> | undefined): PciDeviceInfo {
    const dir = join(pciDevices, address);
    // One readdir tells which optional attributes exist, so absent ones cost no failed open (and no exception).
    const entries = io.list(dir, address);
    const has = new Set(entries);
    const ids = idsOf(dir, has, address);
    const classCode = ids.classCode;
    const driver = has.has('driver') ? linkBasename(join(dir, 'driver'), address) : null;
    const iommuGroup = has.has('iommu_group') ? linkBasename(join(dir, 'iommu_group'), address) : null;
    const physfn = has.has('physfn') ? pciLinkTarget(join(dir, 'physfn'), address) : null;
    const sriovTotalVfs = has.has('sriov_totalvfs') ? optionalInteger(join(dir, 'sriov_totalvfs'), address) : null;
    const netdevs = has.has('net') ? netdevsIn(dir, address) : [];
    const rdmaDevices = has.has('infiniband') ? io.listOptional(join(dir, 'infiniband'), address) : [];
    const uio = has.has('uio') ? io.listOptional(join(dir, 'uio'), address)[0] : undefined;

    let vfIndex: number | null = null;
    let pfNetdevs: string[] = [];
    let pfLinkType: number | null = null;
    if (physfn !== null) {
      const facts = pfFacts(physfn, cache, address);
      vfIndex = facts.vfIndexByAddress.get(address) ?? null;
      pfNetdevs = facts.netdevs;
      pfLinkType = facts.linkType;
    }
    const ownLinkType = netdevs[0] === undefined ? null : typeOfNetdev(dir, netdevs[0], address);

    return {
      address,
      vendor: ids.vendor,
      device: ids.device,
      classCode,
      baseClass: classCode.slice(0, 2),
      subsystemVendor: ids.subsystemVendor,
      subsystemDevice: ids.subsystemDevice,
      modalias: ids.modalias,
      driver,
      numaNode: has.has('numa_node') ? numaOf(dir, address) : null,
      iommuGroup,
      acpiIndex: has.has('acpi_index') ? io.readOptional(join(dir, 'acpi_index'), address) : null,
      sriovTotalVfs,
      sriovNumVfs: has.has('sriov_numvfs') ? optionalInteger(join(dir, 'sriov_numvfs'), address) : null,
      vfs: virtfnsIn(dir, entries, address),
      physfn,
      vfIndex,
      netdevs,
      pfNetdevs,
      rdmaDevices,
      uioDevice: uio === undefined ? null : `/dev/${uio}`,
      vfioDevice: driver === 'vfio-pci' && iommuGroup !== null ? vfioDeviceOfGroup(iommuGroup, address) : null,
      linkType: ownLinkType ?? pfLinkType,
    };
  }

  function listPciDevices(): PciAddress[] {
    return io.list(pciDevices, '').filter(isCanonicalPciAddress).sort();
  }

  function requireDevice(address: string): PciAddress {
    const canonical = normalizePciAddress(address);
    if (!io.exists(join(pciDevices, canonical))) {
      const path = join(pciDevices, canonical);
      throw new SysfsError(`sysfs: no PCI device ${canonical} (${path} does not exist)`, {
        path,
        device: canonical,
        code: 'ENOENT',
      });
    }
    return canonical;
  }

  function vfIndexOnPf(pfAddress: string, vfAddress: string): number | null {
    const pf = normalizePciAddress(pfAddress);
    const vf = normalizePciAddress(vfAddress);
    const dir = join(pciDevices, pf);
    for (const ref of virtfnsIn(dir, io.list(dir, pf), pf)) if (ref.address === vf) return ref.index;
    return null;
  }

  function writeAttribute(path: string, value: string, device: string): void {
    io.write(path, value, device);
  }

  const sysfs: Sysfs = {
    root,
    paths,
    listPciDevices,
    hasPciDevice: (address) => io.exists(deviceDir(address)),
    deviceInfo: (address) => snapshot(requireDevice(address), undefined),
    scanDevices(addresses) {
      const cache = new Map<string, PfFacts>();
      const list = addresses === undefined ? listPciDevices() : addresses.map(normalizePciAddress);
      return list.map((address) => snapshot(address, cache));
    },

    vendor: (address) => hex4(deviceDir(address), 'vendor', address),
    deviceId: (address) => hex4(deviceDir(address), 'device', address),
    classCode: (address) => classOf(deviceDir(address), address),
    subsystemVendor: (address) => optionalHex4(deviceDir(address), 'subsystem_vendor', address),
    subsystemDevice: (address) => optionalHex4(deviceDir(address), 'subsystem_device', address),
    modalias: (address) => io.readOptional(join(deviceDir(address), 'modalias'), address),
    driver: (address) => linkBasename(join(deviceDir(address), 'driver'), address),
    hasUserspaceDriver(address) {
      const driver = sysfs.driver(address);
      return driver !== null && USERSPACE_DRIVERS.includes(driver);
    },
    numaNode: (address) => numaOf(deviceDir(address), address),
    iommuGroup: (address) => linkBasename(join(deviceDir(address), 'iommu_group'), address),
    acpiIndex: (address) => io.readOptional(join(deviceDir(address), 'acpi_index'), address),

    isSriovPf: (address) => io.exists(join(deviceDir(address), 'sriov_totalvfs')),
    sriovTotalVfs: (address) => optionalInteger(join(deviceDir(address), 'sriov_totalvfs'), address),
    sriovNumVfs: (address) => optionalInteger(join(deviceDir(address), 'sriov_numvfs'), address),
    vfs(pfAddress) {
      const dir = deviceDir(pfAddress);
      return virtfnsIn(dir, io.list(dir, pfAddress), normalizePciAddress(pfAddress));
    },
    vfAddress(pfAddress, index) {
      if (!Number.isSafeInteger(index) || index < 0) throw invalidArgument('VF index', index, 'not a natural number');
      return pciLinkTarget(join(deviceDir(pfAddress), `virtfn${index}`), pfAddress);
    },
    isVf: (address) => io.exists(join(deviceDir(address), 'physfn')),
    pfOfVf: (vfAddress) => pciLinkTarget(join(deviceDir(vfAddress), 'physfn'), vfAddress),
    vfIndex(vfAddress) {
      const pf = sysfs.pfOfVf(vfAddress);
      return pf === null ? null : vfIndexOnPf(pf, vfAddress);
    },
    vfIndexOnPf,
    pfNetdevsOfVf(vfAddress) {
      const dir = join(deviceDir(vfAddress), 'physfn');
      return netdevsIn(dir, vfAddress);
    },

    netdevs: (address) => netdevsIn(deviceDir(address), address),
    rdmaDevices(address) {
      const names = io.listOptional(join(deviceDir(address), 'infiniband'), address);
      for (const name of names) assertRdmaDeviceName(name);
      return names;
    },
    uioDevice(address) {
      const first = io.listOptional(join(deviceDir(address), 'uio'), address)[0];
      return first === undefined ? null : `/dev/${first}`;
    },
    vfioDevice(address) {
      const group = sysfs.iommuGroup(address);
      return group === null ? null : vfioDeviceOfGroup(group, address);
    },
    defaultPkey(address) {
      const first = sysfs.rdmaDevices(address)[0];
      if (first === undefined) return null;
      return io.readOptional(join(deviceDir(address), 'infiniband', first, 'ports/1/pkeys/0'), address);
    },
    rdmaCharDevices(rdmaDevice) {
      assertRdmaDeviceName(rdmaDevice);
      const found: string[] = [];
      const classes: Array<[string, RegExp]> = [
        ['infiniband_cm', /^ucm\d+$/],
        ['infiniband_mad', /^(?:issm|umad)\d+$/],
        ['infiniband_verbs', /^uverbs\d+$/],
      ];
      for (const [cls, pattern] of classes) {
        const dir = join(sysClass, cls);
        for (const entry of io.listOptional(dir, rdmaDevice)) {
          if (!pattern.test(entry)) continue;
          if (io.readOptional(join(dir, entry, 'ibdev'), rdmaDevice) === rdmaDevice) {
            found.push(`/dev/infiniband/${entry}`);
          }
        }
      }
      if (io.exists(join(dev, 'infiniband/rdma_cm'))) found.push('/dev/infiniband/rdma_cm');
      return found;
    },

    auxiliaryDevices(address) {
      const dir = deviceDir(address);
      return io
        .listOptional(dir, address)
        .filter((entry) => isAuxiliaryDeviceName(entry) && io.exists(join(auxiliaryDevices, entry)));
    },
    auxiliaryDeviceInfo(name) {
      const dir = paths.auxiliaryDevice(name);
      if (!io.exists(dir)) {
        throw new SysfsError(`sysfs: no auxiliary device ${name} (${dir} does not exist)`, {
          path: dir,
          device: name,
          code: 'ENOENT',
        });
      }
      const [, driverName, type, id] = AUX_NAME.exec(name)!;
      let parent: PciAddress | null = null;
      try {
        const segments = realpathSync.native(dir).split('/');
        for (let i = segments.length - 2; i >= 0 && parent === null; i--) {
          if (isCanonicalPciAddress(segments[i]!)) parent = segments[i] as PciAddress;
        }
      } catch (error) {
        throw fsError('resolve', dir, name, error);
      }
      const netdevs = io.listOptional(join(dir, 'net'), name);
      for (const netdev of netdevs) assertNetdevName(netdev);
      return {
        name,
        driverName: driverName!,
        type: type!,
        id: Number.parseInt(id!, 10),
        parent,
        sfnum: optionalInteger(join(dir, 'sfnum'), name),
        driver: linkBasename(join(dir, 'driver'), name),
        netdevs,
        rdmaDevices: io.listOptional(join(dir, 'infiniband'), name),
      };
    },

    netdevPciAddress(ifname) {
      const link = join(netdevDir(ifname), 'device');
      if (!io.exists(netdevDir(ifname))) {
        throw new SysfsError(`sysfs: no network interface ${ifname} (${netdevDir(ifname)} does not exist)`, {
          path: netdevDir(ifname),
          device: ifname,
          code: 'ENOENT',
        });
      }
      if (!io.exists(link)) return null; // virtual netdev (veth, bridge, ...)
      let resolved: string;
      try {
        resolved = realpathSync.native(link);
      } catch (error) {
        throw fsError('resolve', link, ifname, error);
      }
      // virtio-net hangs its netdev below virtioN under the PCI function: take the nearest PCI ancestor.
      const segments = resolved.split('/');
      for (let i = segments.length - 1; i >= 0; i--) {
        const segment = segments[i]!;
        if (isCanonicalPciAddress(segment)) return segment;
      }
      return null;
    },
    netdevExists: (ifname) => io.exists(netdevDir(ifname)),
    netdevIsVf: (ifname) => io.exists(join(netdevDir(ifname), 'device/physfn')),
    netdevIsSriovPf: (ifname) => io.exists(join(netdevDir(ifname), 'device/sriov_totalvfs')),
    netdevType(ifname) {
      const path = join(netdevDir(ifname), 'type');
      const text = io.read(path, ifname).trim();
      if (!INTEGER.test(text)) throw malformed(path, ifname, text, 'an ARPHRD number');
      return Number.parseInt(text, 10);
    },
    netdevMacAddress: (ifname) => io.readOptional(join(netdevDir(ifname), 'address'), ifname),
    netdevOperstate: (ifname) => io.readOptional(join(netdevDir(ifname), 'operstate'), ifname),
    physPortName: (ifname) => emptyToNull(io.readOptional(join(netdevDir(ifname), 'phys_port_name'), ifname)),
    physSwitchId: (ifname) => emptyToNull(io.readOptional(join(netdevDir(ifname), 'phys_switch_id'), ifname)),
    sriovNumVfsOfNetdev(ifname) {
      const path = join(netdevDir(ifname), 'device/sriov_numvfs');
      const text = io.read(path, ifname).trim();
      if (!INTEGER.test(text)) throw malformed(path, ifname, text, 'an integer');
      return Number.parseInt(text, 10);
    },

    devNodeExists(devPath) {
      if (typeof devPath !== 'string' || !/^\/dev\/[A-Za-z0-9_.+@:/-]+$/.test(devPath) || devPath.includes('/..')) {
        throw invalidArgument('device node path', devPath, 'must be an absolute /dev/... path without ".."');
      }
      return io.exists(join(root, devPath));
    },

    unbindDriver(address) {
      const canonical = requireDevice(address);
      const driver = sysfs.driver(canonical);
      if (driver === null) return null;
      writeAttribute(join(pciDevices, canonical, 'driver/unbind'), canonical, canonical);
      return driver;
    },
    bindDriver(address, driver) {
      const canonical = requireDevice(address);
      const bindPath = join(paths.pciDriver(driver), 'bind');
      const current = sysfs.driver(canonical);
      if (current === driver) return;
      if (current !== null) {
        throw new SysfsError(`sysfs: cannot bind ${canonical} to ${driver}: it is bound to ${current}`, {
          path: bindPath,
          device: canonical,
          code: 'EBUSY',
        });
      }
      writeAttribute(bindPath, canonical, canonical);
    },
    rebindDriver(address) {
      const canonical = requireDevice(address);
      const driver = sysfs.driver(canonical);
      if (driver === null) {
        throw new SysfsError(`sysfs: cannot rebind ${canonical}: no driver is bound`, {
          path: join(pciDevices, canonical, 'driver'),
          device: canonical,
          code: 'ENOENT',
        });
      }
      writeAttribute(join(paths.pciDriver(driver), 'unbind'), canonical, canonical);
      writeAttribute(join(paths.pciDriver(driver), 'bind'), canonical, canonical);
      return driver;
    },
    setDriverOverride(address, driver) {
      const canonical = requireDevice(address);
      const value = driver === null ? '\n' : assertDriverName(driver);
      writeAttribute(join(pciDevices, canonical, 'driver_override'), value, canonical);
    },
    probeDriver(address) {
      const canonical = requireDevice(address);
      writeAttribute(join(root, 'sys/bus/pci/drivers_probe'), canonical, canonical);
    },
    setSriovNumVfs(pfAddress, count) {
      const canonical = requireDevice(pfAddress);
      if (!Number.isSafeInteger(count) || count < 0) throw invalidArgument('VF count', count, 'not a natural number');
      const total = sysfs.sriovTotalVfs(canonical);
      if (total === null) {
        const path = join(pciDevices, canonical, 'sriov_totalvfs');
        throw new SysfsError(`sysfs: ${canonical} is not SR-IOV capable (${path} does not exist)`, {
          path,
          device: canonical,
          code: 'ENOENT',
        });
      }
      if (count > total) throw invalidArgument('VF count', count, `above sriov_totalvfs ${total} of ${canonical}`);
      writeAttribute(join(pciDevices, canonical, 'sriov_numvfs'), String(count), canonical);
    },
  };
  return sysfs;
}

function emptyToNull(value: string | null): string | null {
  return value === null || value === '' ? null : value;
}
