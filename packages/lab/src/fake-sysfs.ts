// Builds a fake sysfs tree (plus /dev stand-ins) in a directory, with the kernel's exact relative symlinks. Every
// link is written as path.relative(dirname(link), target), so its depth is right wherever the tree is mounted:
// bind-mounted over /sys/bus/pci, /sys/devices/pci0000:00, /sys/class/net ... the same relative targets resolve
// into the fake tree, exactly like lab-notes §6 requires (one `..` too many and the Go plugins fail on `lstat`).
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

export interface FakeFunctionSpec {
  address: string;
  /** Absolute directory the function's directory is created in (the PCI root or a bridge). */
  parentDir: string;
  vendor: string;
  device: string;
  classCode: string;
  subsystemVendor?: string;
  subsystemDevice?: string;
  driver: string | null;
  numaNode: number;
  iommuGroup: number | null;
  extraFiles?: Record<string, string>;
}

export interface FakeNetdevSpec {
  type: number;
  mac: string;
  operstate?: string;
  ifindex?: number;
  mtu?: number;
}

export interface DriverWrite {
  driver: string;
  /** `probe`: an address written to `bus/pci/drivers_probe`, bound to the device's `driver_override`. */
  operation: 'bind' | 'unbind' | 'probe';
  address: string;
}

/**
 * The relative target sysfs writes: a link to an ancestor is not a bare `../..` but goes up past the ancestor and
 * back down by name (`net/eth0/device -> ../../../0000:00:05.1`), as lab-notes §6 shows.
 */
export function kernfsRelative(fromDir: string, target: string): string {
  const rel = relative(fromDir, target);
  if (/^(\.\.\/)*\.\.$/.test(rel)) return join(relative(fromDir, dirname(target)), basename(target));
  return rel;
}

/** The driver files a real PCI driver directory has; `bind`/`unbind` are plain files that record the last write. */
const DRIVER_FILES = ['bind', 'unbind', 'new_id', 'remove_id', 'uevent'];

export class FakeSysfsTree {
  readonly root: string;
  readonly sys: string;
  readonly dev: string;
  /** Name of the PCI root directory under sys/devices (what gets bind-mounted over the real one). */
  readonly pciRootName: string;
  readonly pciRootDir: string;
  private readonly dirs = new Map<string, string>();
  /** Netdevs hidden by an unbind, restored on a bind back to a netdev driver. */
  private readonly parkedNetdevs = new Map<string, Array<{ name: string; spec: FakeNetdevSpec }>>();
  private readonly netdevSpecs = new Map<string, FakeNetdevSpec>();
  /** Drivers that create netdevs when they bind (everything but the user-space ones). */
  private readonly userspaceDrivers = new Set(['vfio-pci', 'uio_pci_generic', 'igb_uio']);

  constructor(root: string, pciRootName = 'pci0000:00') {
    this.root = root;
    this.sys = join(root, 'sys');
    this.dev = join(root, 'dev');
    this.pciRootName = pciRootName;
    this.pciRootDir = join(this.sys, 'devices', pciRootName);
    for (const dir of [
      'bus/pci/devices',
      'bus/pci/drivers',
      'class/net',
      'class/infiniband',
      'class/infiniband_verbs',
      'class/infiniband_cm',
      'class/infiniband_mad',
      'kernel/iommu_groups',
      'bus/auxiliary/devices',
      'bus/auxiliary/drivers',
      `devices/${pciRootName}`,
    ]) {
      mkdirSync(join(this.sys, dir), { recursive: true });
    }
    for (const file of ['bus/pci/drivers_probe', 'bus/pci/drivers_autoprobe', 'bus/pci/rescan']) {
      writeFileSync(join(this.sys, file), file.endsWith('autoprobe') ? '1\n' : '');
    }
    mkdirSync(join(this.dev, 'vfio'), { recursive: true });
    writeFileSync(join(this.dev, 'vfio/vfio'), '');
  }

  /** Absolute directory of a PCI function or auxiliary device (its real place under sys/devices). */
  deviceDir(address: string): string {
    const dir = this.dirs.get(address);
    if (dir === undefined) throw new Error(`fake sysfs: no device ${address}`);
    return dir;
  }

  link(at: string, target: string): void {
    mkdirSync(dirname(at), { recursive: true });
    rmSync(at, { force: true });
    symlinkSync(kernfsRelative(dirname(at), target), at);
  }

  file(path: string, content: string): void {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }

  addDriver(name: string): string {
    const dir = join(this.sys, 'bus/pci/drivers', name);
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      for (const file of DRIVER_FILES) writeFileSync(join(dir, file), '');
    }
    return dir;
  }

  addFunction(spec: FakeFunctionSpec): string {
    const dir = join(spec.parentDir, spec.address);
    this.dirs.set(spec.address, dir);
    mkdirSync(dir, { recursive: true });
    const cls = spec.classCode;
    const upper = (hex: string) => hex.toUpperCase().padStart(8, '0');
    const subVendor = spec.subsystemVendor ?? spec.vendor;
    const subDevice = spec.subsystemDevice ?? '0000';
    const files: Record<string, string> = {
      vendor: `0x${spec.vendor}\n`,
      device: `0x${spec.device}\n`,
      class: `0x${cls}\n`,
      subsystem_vendor: `0x${subVendor}\n`,
      subsystem_device: `0x${subDevice}\n`,
      revision: '0x00\n',
      numa_node: `${spec.numaNode}\n`,
      local_cpulist: '0-1\n',
      enable: '1\n',
      irq: '0\n',
      driver_override: '(null)\n',
      modalias: `pci:v${upper(spec.vendor)}d${upper(spec.device)}sv${upper(subVendor)}sd${upper(subDevice)}bc${cls.slice(0, 2).toUpperCase()}sc${cls.slice(2, 4).toUpperCase()}i${cls.slice(4).toUpperCase()}\n`,
      uevent: `PCI_CLASS=${Number.parseInt(cls, 16).toString(16).toUpperCase()}\nPCI_ID=${spec.vendor.toUpperCase()}:${spec.device.toUpperCase()}\nPCI_SUBSYS_ID=${subVendor.toUpperCase()}:${subDevice.toUpperCase()}\nPCI_SLOT_NAME=${spec.address}\n`,
      remove: '',
      reset: '',
      ...spec.extraFiles,
    };
    for (const [name, content] of Object.entries(files)) this.file(join(dir, name), content);
    this.link(join(dir, 'subsystem'), join(this.sys, 'bus/pci'));
    this.link(join(this.sys, 'bus/pci/devices', spec.address), dir);
    if (spec.iommuGroup !== null) {
      const group = join(this.sys, 'kernel/iommu_groups', String(spec.iommuGroup));
      this.file(join(group, 'type'), 'DMA\n');
      this.file(join(group, 'reserved_regions'), '');
      this.link(join(group, 'devices', spec.address), dir);
      this.link(join(dir, 'iommu_group'), group);
    }
    if (spec.driver !== null) this.bind(spec.address, spec.driver);
    return dir;
  }

  /**
   * An auxiliary device `<driver>.<type>.<id>` as a child of a PCI function (how mlx5 scalable functions appear),
   * with its `bus/auxiliary/devices` link, `sfnum` and driver. Netdevs and RDMA devices are added with
   * addNetdev/addRdmaDevice using the aux name.
   */
  addAuxiliaryDevice(parentAddress: string, name: string, facts: { sfnum: number | null; driver: string }): string {
    const dir = join(this.deviceDir(parentAddress), name);
    this.dirs.set(name, dir);
    mkdirSync(dir, { recursive: true });
    if (facts.sfnum !== null) this.file(join(dir, 'sfnum'), `${facts.sfnum}\n`);
    this.file(
      join(dir, 'uevent'),
      `DRIVER=${facts.driver}\nMODALIAS=auxiliary:${name.slice(0, name.lastIndexOf('.'))}\n`,
    );
    const bus = join(this.sys, 'bus/auxiliary');
    const driverDir = join(bus, 'drivers', facts.driver);
    mkdirSync(driverDir, { recursive: true });
    for (const file of ['bind', 'unbind', 'uevent'])
      if (!existsSync(join(driverDir, file))) writeFileSync(join(driverDir, file), '');
    this.link(join(dir, 'subsystem'), bus);
    this.link(join(dir, 'driver'), driverDir);
    this.link(join(driverDir, name), dir);
    this.link(join(bus, 'devices', name), dir);
    return dir;
  }

  /** Turns a function into an SR-IOV PF (sriov_* files). */
  makeSriovPf(
    address: string,
    facts: { totalVfs: number; numVfs: number; offset: number; stride: number; vfDevice: string },
  ): void {
    const dir = this.deviceDir(address);
    this.file(join(dir, 'sriov_totalvfs'), `${facts.totalVfs}\n`);
    this.file(join(dir, 'sriov_numvfs'), `${facts.numVfs}\n`);
    this.file(join(dir, 'sriov_offset'), `${facts.offset}\n`);
    this.file(join(dir, 'sriov_stride'), `${facts.stride}\n`);
    this.file(join(dir, 'sriov_vf_device'), `${facts.vfDevice}\n`);
    this.file(join(dir, 'sriov_drivers_autoprobe'), '1\n');
  }

  /** physfn on the VF, virtfnN on the PF. */
  linkVf(pfAddress: string, vfAddress: string, index: number): void {
    this.link(join(this.deviceDir(vfAddress), 'physfn'), this.deviceDir(pfAddress));
    this.link(join(this.deviceDir(pfAddress), `virtfn${index}`), this.deviceDir(vfAddress));
  }

  addNetdev(address: string, name: string, spec: FakeNetdevSpec): void {
    const dir = this.deviceDir(address);
    const netDir = join(dir, 'net', name);
    mkdirSync(netDir, { recursive: true });
    const files: Record<string, string> = {
      address: `${spec.mac}\n`,
      type: `${spec.type}\n`,
      operstate: `${spec.operstate ?? 'up'}\n`,
      ifindex: `${spec.ifindex ?? 0}\n`,
      mtu: `${spec.mtu ?? (spec.type === 32 ? 2044 : 1500)}\n`,
      addr_len: `${spec.type === 32 ? 20 : 6}\n`,
      uevent: `INTERFACE=${name}\nIFINDEX=${spec.ifindex ?? 0}\n`,
    };
    for (const [file, content] of Object.entries(files)) this.file(join(netDir, file), content);
    this.link(join(netDir, 'device'), dir);
    this.link(join(netDir, 'subsystem'), join(this.sys, 'class/net'));
    this.link(join(this.sys, 'class/net', name), netDir);
    this.netdevSpecs.set(`${address}/${name}`, spec);
  }

  removeNetdev(address: string, name: string): void {
    rmSync(join(this.deviceDir(address), 'net', name), { recursive: true, force: true });
    rmSync(join(this.sys, 'class/net', name), { force: true });
  }

  netdevsOf(address: string): string[] {
    const dir = join(this.deviceDir(address), 'net');
    return existsSync(dir) ? readdirSync(dir).sort() : [];
  }

  /** `infiniband/<name>` with port 1 and default pkey, class/infiniband link, and a uverbs char device stand-in. */
  addRdmaDevice(
    address: string,
    name: string,
    facts: { linkLayer: 'InfiniBand' | 'Ethernet'; uverbs: number; nodeGuid: string },
  ): void {
    const dir = this.deviceDir(address);
    const ibDir = join(dir, 'infiniband', name);
    this.file(join(ibDir, 'node_guid'), `${facts.nodeGuid}\n`);
    this.file(join(ibDir, 'node_type'), '1: CA\n');
    this.file(join(ibDir, 'ports/1/link_layer'), `${facts.linkLayer}\n`);
    this.file(join(ibDir, 'ports/1/state'), '4: ACTIVE\n');
    this.file(join(ibDir, 'ports/1/pkeys/0'), '0xffff\n');
    this.link(join(ibDir, 'device'), dir);
    this.link(join(this.sys, 'class/infiniband', name), ibDir);
    const verbs = join(dir, 'infiniband_verbs', `uverbs${facts.uverbs}`);
    this.file(join(verbs, 'ibdev'), `${name}\n`);
    this.file(join(verbs, 'dev'), `231:${facts.uverbs}\n`);
    this.link(join(verbs, 'device'), dir);
    this.link(join(this.sys, 'class/infiniband_verbs', `uverbs${facts.uverbs}`), verbs);
    this.file(join(this.dev, 'infiniband', `uverbs${facts.uverbs}`), '');
    this.file(join(this.dev, 'infiniband/rdma_cm'), '');
  }

  driverOf(address: string): string | null {
    const link = join(this.deviceDir(address), 'driver');
    if (!existsSync(link)) return null;
    const target = readlinkSync(link);
    return target.slice(target.lastIndexOf('/') + 1);
  }

  /**
   * Moves the device to `driver` (null: unbound), as the kernel would: the `driver` link, the driver's device link,
   * the netdevs (a user-space driver has none; binding back to a netdev driver restores the ones it had), and the
   * `/dev/vfio/<group>` stand-in for vfio-pci.
   */
  bind(address: string, driver: string | null): void {
    const dir = this.deviceDir(address);
    const current = this.driverOf(address);
    if (current === driver) return;
    if (current !== null) {
      rmSync(join(dir, 'driver'), { force: true });
      rmSync(join(this.sys, 'bus/pci/drivers', current, address), { force: true });
      const netdevs = this.netdevsOf(address);
      if (netdevs.length > 0) {
        this.parkedNetdevs.set(
          address,
          netdevs.map((name) => ({
            name,
            spec: this.netdevSpecs.get(`${address}/${name}`) ?? { type: 1, mac: '00:00:00:00:00:00' },
          })),
        );
        for (const name of netdevs) this.removeNetdev(address, name);
      }
      if (current === 'vfio-pci') {
        const group = this.iommuGroupOf(address);
        if (group !== null) rmSync(join(this.dev, 'vfio', group), { force: true });
      }
    }
    if (driver === null) return;
    const driverDir = this.addDriver(driver);
    this.link(join(dir, 'driver'), driverDir);
    this.link(join(driverDir, address), dir);
    if (driver === 'vfio-pci') {
      const group = this.iommuGroupOf(address);
      if (group !== null) this.file(join(this.dev, 'vfio', group), '');
    } else if (!this.userspaceDrivers.has(driver)) {
      for (const { name, spec } of this.parkedNetdevs.get(address) ?? []) this.addNetdev(address, name, spec);
      this.parkedNetdevs.delete(address);
    }
  }

  iommuGroupOf(address: string): string | null {
    const link = join(this.deviceDir(address), 'iommu_group');
    if (!existsSync(link)) return null;
    const target = readlinkSync(link);
    return target.slice(target.lastIndexOf('/') + 1);
  }

  /** Writes recorded in the drivers' `unbind`/`bind` files (each file holds the last value written to it). */
  recordedDriverWrites(): DriverWrite[] {
    const writes: DriverWrite[] = [];
    const driversDir = join(this.sys, 'bus/pci/drivers');
    for (const driver of readdirSync(driversDir).sort()) {
      for (const operation of ['unbind', 'bind'] as const) {
        const path = join(driversDir, driver, operation);
        const address = existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
        if (address !== '') writes.push({ driver, operation, address });
      }
    }
    return writes;
  }

  /**
   * Applies the recorded `unbind` writes, then the `bind` writes, then a `drivers_probe` write (binding to the
   * device's `driver_override`), and empties the files. A fake file cannot react
   * at write time, so a test calls this (via `lab.settleDriverWrites()`) after the code under test wrote them.
   * Writes naming an unknown device or the wrong current driver are skipped, as the kernel would refuse them.
   */
  settleDriverWrites(): DriverWrite[] {
    const writes = this.recordedDriverWrites();
    const applied: DriverWrite[] = [];
    for (const write of writes.filter((w) => w.operation === 'unbind')) {
      if (this.dirs.has(write.address) && this.driverOf(write.address) === write.driver) {
        this.bind(write.address, null);
        applied.push(write);
      }
    }
    for (const write of writes.filter((w) => w.operation === 'bind')) {
      if (this.dirs.has(write.address) && this.driverOf(write.address) === null) {
        this.bind(write.address, write.driver);
        applied.push(write);
      }
    }
    for (const write of writes) writeFileSync(join(this.sys, 'bus/pci/drivers', write.driver, write.operation), '');
    // drivers_probe binds an unbound device to its driver_override (the vfio-pci recipe: override, then probe).
    const probePath = join(this.sys, 'bus/pci/drivers_probe');
    const probed = readFileSync(probePath, 'utf8').trim();
    if (probed !== '' && this.dirs.has(probed) && this.driverOf(probed) === null) {
      const override = readFileSync(join(this.deviceDir(probed), 'driver_override'), 'utf8').trim();
      if (override !== '' && override !== '(null)' && existsSync(join(this.sys, 'bus/pci/drivers', override))) {
        this.bind(probed, override);
        applied.push({ driver: override, operation: 'probe', address: probed });
      }
    }
    writeFileSync(probePath, '');
    return applied;
  }
}
