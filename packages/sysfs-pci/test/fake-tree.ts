// A minimal builder of fake sysfs trees for this package's unit tests. It writes the same relative symlinks the
// kernel shows (computed with path.relative, so the depth is always right), under <root>/sys and <root>/dev.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';

export interface FakeDevice {
  address: string;
  vendor: string;
  device: string;
  /** 6 hex digits. */
  classCode: string;
  driver?: string;
  numaNode?: number;
  iommuGroup?: number;
  /** Parent directory below sys/devices, default `pci0000:00`. */
  parent?: string;
  extraFiles?: Record<string, string>;
}

export class FakeTree {
  readonly root: string;
  readonly sys: string;

  constructor(root?: string) {
    this.root = root ?? mkdtempSync(join(tmpdir(), 'sysfs-pci-test-'));
    this.sys = join(this.root, 'sys');
    for (const dir of [
      'bus/pci/devices',
      'bus/pci/drivers',
      'class/net',
      'kernel/iommu_groups',
      'devices/pci0000:00',
    ]) {
      mkdirSync(join(this.sys, dir), { recursive: true });
    }
    writeFileSync(join(this.sys, 'bus/pci/drivers_probe'), '');
    mkdirSync(join(this.root, 'dev'), { recursive: true });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Absolute path of a device directory (the real one under sys/devices). */
  deviceDir(address: string): string {
    return join(this.sys, 'bus/pci/devices', address);
  }

  private realDir = new Map<string, string>();

  link(at: string, target: string): void {
    mkdirSync(dirname(at), { recursive: true });
    // The kernel never writes a bare '../..' for a link to an ancestor: it goes up past it and back down by name.
    let rel = relative(dirname(at), target);
    if (/^(\.\.\/)*\.\.$/.test(rel)) rel = join(relative(dirname(at), dirname(target)), basename(target));
    symlinkSync(rel, at);
  }

  file(path: string, content: string): void {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }

  addDriver(name: string): string {
    const dir = join(this.sys, 'bus/pci/drivers', name);
    mkdirSync(dir, { recursive: true });
    for (const f of ['bind', 'unbind', 'new_id', 'remove_id']) writeFileSync(join(dir, f), '');
    return dir;
  }

  addDevice(spec: FakeDevice): string {
    const dir = join(this.sys, 'devices', spec.parent ?? 'pci0000:00', spec.address);
    this.realDir.set(spec.address, dir);
    mkdirSync(dir, { recursive: true });
    const files: Record<string, string> = {
      vendor: `0x${spec.vendor}\n`,
      device: `0x${spec.device}\n`,
      class: `0x${spec.classCode}\n`,
      subsystem_vendor: `0x${spec.vendor}\n`,
      subsystem_device: '0x0000\n',
      numa_node: `${spec.numaNode ?? -1}\n`,
      modalias: `pci:v0000${spec.vendor.toUpperCase()}d0000${spec.device.toUpperCase()}sv0000${spec.vendor.toUpperCase()}sd00000000bc${spec.classCode.slice(0, 2).toUpperCase()}sc${spec.classCode.slice(2, 4).toUpperCase()}i${spec.classCode.slice(4).toUpperCase()}\n`,
      driver_override: '(null)\n',
      ...spec.extraFiles,
    };
    for (const [name, content] of Object.entries(files)) this.file(join(dir, name), content);
    this.link(join(this.sys, 'bus/pci/devices', spec.address), dir);
    if (spec.driver !== undefined) this.bind(spec.address, spec.driver);
    if (spec.iommuGroup !== undefined) {
      const group = join(this.sys, 'kernel/iommu_groups', String(spec.iommuGroup));
      this.link(join(group, 'devices', spec.address), dir);
      this.link(join(dir, 'iommu_group'), group);
    }
    return dir;
  }

  bind(address: string, driver: string): void {
    const dir = this.realDir.get(address)!;
    const driverDir = this.addDriverIfMissing(driver);
    this.link(join(dir, 'driver'), driverDir);
    this.link(join(driverDir, address), dir);
  }

  private addDriverIfMissing(driver: string): string {
    const dir = join(this.sys, 'bus/pci/drivers', driver);
    try {
      return this.addDriver(driver);
    } catch {
      return dir;
    }
  }

  /** PF with sriov files; VFs are added with addVf. */
  addPf(spec: FakeDevice & { totalVfs: number; numVfs: number }): string {
    return this.addDevice({
      ...spec,
      extraFiles: { sriov_totalvfs: `${spec.totalVfs}\n`, sriov_numvfs: `${spec.numVfs}\n`, ...spec.extraFiles },
    });
  }

  addVf(pf: string, index: number, spec: FakeDevice): string {
    const dir = this.addDevice(spec);
    const pfDir = this.realDir.get(pf)!;
    this.link(join(dir, 'physfn'), pfDir);
    this.link(join(pfDir, `virtfn${index}`), dir);
    return dir;
  }

  addNetdev(
    address: string,
    ifname: string,
    options: { type?: number; mac?: string; files?: Record<string, string> } = {},
  ) {
    const dir = this.realDir.get(address)!;
    const netDir = join(dir, 'net', ifname);
    mkdirSync(netDir, { recursive: true });
    this.file(join(netDir, 'type'), `${options.type ?? 1}\n`);
    this.file(join(netDir, 'address'), `${options.mac ?? '02:00:00:00:00:01'}\n`);
    this.file(join(netDir, 'operstate'), 'up\n');
    for (const [name, content] of Object.entries(options.files ?? {})) this.file(join(netDir, name), content);
    this.link(join(netDir, 'device'), dir);
    this.link(join(this.sys, 'class/net', ifname), netDir);
  }

  addRdma(address: string, name: string, uverbs?: number): void {
    const dir = this.realDir.get(address)!;
    const ibDir = join(dir, 'infiniband', name);
    mkdirSync(ibDir, { recursive: true });
    this.file(join(ibDir, 'ports/1/pkeys/0'), '0xffff\n');
    this.link(join(this.sys, 'class/infiniband', name), ibDir);
    if (uverbs !== undefined) {
      const verbs = join(dir, 'infiniband_verbs', `uverbs${uverbs}`);
      this.file(join(verbs, 'ibdev'), `${name}\n`);
      this.link(join(this.sys, 'class/infiniband_verbs', `uverbs${uverbs}`), verbs);
    }
  }
}
