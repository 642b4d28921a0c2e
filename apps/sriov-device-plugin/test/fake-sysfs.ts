// Builds a small fake sysfs tree (sys/bus/pci/devices, sys/class/net, iommu groups, dev nodes) under a temp root,
// in the layout sysfs-pci reads. Used until/besides @sriov-ts/lab's simulated node.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FakePciDevice {
  address: string;
  vendor?: string;
  device?: string;
  /** 6 hex digits, default 020000. */
  classCode?: string;
  driver?: string;
  numa?: number;
  iommuGroup?: number;
  noiommu?: boolean;
  totalVfs?: number;
  numVfs?: number;
  /** For a VF: PF address and index. */
  pf?: string;
  vfIndex?: number;
  netdevs?: string[];
  /** ARPHRD of the netdevs (default 1). */
  netType?: number;
  rdma?: string[];
  uio?: string;
  acpiIndex?: string;
  pkey?: string;
}

export class FakeSysfs {
  constructor(readonly root: string) {
    mkdirSync(join(root, 'sys/bus/pci/devices'), { recursive: true });
    mkdirSync(join(root, 'sys/class/net'), { recursive: true });
    mkdirSync(join(root, 'sys/kernel/iommu_groups'), { recursive: true });
    mkdirSync(join(root, 'dev'), { recursive: true });
  }

  private dir(address: string) {
    return join(this.root, 'sys/bus/pci/devices', address);
  }

  add(d: FakePciDevice): void {
    const dir = this.dir(d.address);
    mkdirSync(dir, { recursive: true });
    const w = (name: string, value: string) => writeFileSync(join(dir, name), `${value}\n`);
    w('vendor', `0x${d.vendor ?? '8086'}`);
    w('device', `0x${d.device ?? '154c'}`);
    w('class', `0x${d.classCode ?? '020000'}`);
    w('numa_node', String(d.numa ?? 0));
    if (d.acpiIndex !== undefined) w('acpi_index', d.acpiIndex);
    if (d.driver !== undefined) symlinkSync(`../../../bus/pci/drivers/${d.driver}`, join(dir, 'driver'));
    if (d.iommuGroup !== undefined) {
      const g = join(this.root, 'sys/kernel/iommu_groups', String(d.iommuGroup));
      mkdirSync(g, { recursive: true });
      if (d.noiommu) writeFileSync(join(g, 'name'), 'vfio-noiommu\n');
      symlinkSync(`../../../kernel/iommu_groups/${d.iommuGroup}`, join(dir, 'iommu_group'));
    }
    if (d.totalVfs !== undefined) {
      w('sriov_totalvfs', String(d.totalVfs));
      w('sriov_numvfs', String(d.numVfs ?? 0));
    }
    if (d.pf !== undefined) {
      symlinkSync(`../${d.pf}`, join(dir, 'physfn'));
      symlinkSync(`../${d.address}`, join(this.dir(d.pf), `virtfn${d.vfIndex ?? 0}`));
    }
    for (const n of d.netdevs ?? []) this.netdev(dir, n, d.netType ?? 1);
    for (const r of d.rdma ?? []) {
      mkdirSync(join(dir, 'infiniband', r, 'ports/1/pkeys'), { recursive: true });
      if (d.pkey !== undefined) writeFileSync(join(dir, 'infiniband', r, 'ports/1/pkeys/0'), `${d.pkey}\n`);
    }
    if (d.uio !== undefined) mkdirSync(join(dir, 'uio', d.uio), { recursive: true });
  }

  /** `<deviceDir>/net/<if>/type`, and `sys/class/net/<if>` linking to it, as the kernel lays it out. */
  private netdev(deviceDir: string, name: string, type: number): void {
    const dir = join(deviceDir, 'net', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'type'), `${type}\n`);
    symlinkSync(dir, join(this.root, 'sys/class/net', name));
  }

  /** A scalable function `<driver>.sf.<id>` under a PCI parent, registered on the auxiliary bus. */
  addSf(parent: string, name: string, o: { sfnum: number; netdev?: string; rdma?: string }): void {
    const dir = join(this.dir(parent), name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'sfnum'), `${o.sfnum}\n`);
    if (o.netdev !== undefined) this.netdev(dir, o.netdev, 1);
    if (o.rdma !== undefined) mkdirSync(join(dir, 'infiniband', o.rdma), { recursive: true });
    mkdirSync(join(this.root, 'sys/bus/auxiliary/devices'), { recursive: true });
    symlinkSync(dir, join(this.root, 'sys/bus/auxiliary/devices', name));
  }

  /** A PF with `count` VFs (VF i at bus:<2+i/8>.<i%8>), like a real SR-IOV NIC. */
  addPfWithVfs(o: {
    bus: string;
    pfName: string;
    count: number;
    numa?: number;
    vfDriver?: (i: number) => string;
    firstGroup?: number;
  }): void {
    const pf = `0000:${o.bus}:00.0`;
    this.add({
      address: pf,
      device: '1593',
      driver: 'ice',
      totalVfs: 128,
      numVfs: o.count,
      netdevs: [o.pfName],
      numa: o.numa,
    });
    for (let i = 0; i < o.count; i++) {
      const driver = o.vfDriver?.(i) ?? 'iavf';
      const address = `0000:${o.bus}:${(2 + (i >> 3)).toString(16).padStart(2, '0')}.${i & 7}`;
      this.add({
        address,
        device: '1889',
        driver,
        pf,
        vfIndex: i,
        numa: o.numa,
        netdevs: driver === 'iavf' ? [`${o.pfName}v${i}`] : [],
        iommuGroup: (o.firstGroup ?? 100) + i,
      });
    }
  }

  /** Creates a device node placeholder under dev/ (e.g. '/dev/vhost-net'). */
  devNode(path: string): void {
    const full = join(this.root, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, '');
  }

  /** Registers an RDMA char device for `rdmaDev` in sys/class (ucm/umad/issm/uverbs) and its /dev node. */
  rdmaChar(cls: 'infiniband_cm' | 'infiniband_mad' | 'infiniband_verbs', name: string, rdmaDev: string): void {
    const dir = join(this.root, 'sys/class', cls, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ibdev'), `${rdmaDev}\n`);
    this.devNode(`/dev/infiniband/${name}`);
  }

  setNumVfs(pf: string, n: number): void {
    writeFileSync(join(this.dir(pf), 'sriov_numvfs'), `${n}\n`);
  }
}
