import { mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTree } from '../test/fake-tree.js';
import { SysfsError } from './errors.js';
import { createSysfs, type Sysfs } from './sysfs.js';

const PF = '0000:3b:00.0';
const VF0 = '0000:3b:02.0';
const VF1 = '0000:3b:02.1';
const VF2 = '0000:3b:02.2';
const IB_PF = '0000:5e:00.0';
const IB_VF = '0000:5e:00.1';
const UIO = '0000:00:1f.0';
const VIRTIO = '0000:00:03.0';

function thrown(fn: () => unknown): SysfsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SysfsError);
    return error as SysfsError;
  }
  throw new Error('expected a SysfsError, nothing was thrown');
}

let tree: FakeTree;
let sysfs: Sysfs;

beforeAll(() => {
  tree = new FakeTree();
  const eth = { vendor: '8086', classCode: '020000' };
  tree.addPf({
    ...eth,
    address: PF,
    device: '158b',
    driver: 'i40e',
    numaNode: 0,
    iommuGroup: 40,
    totalVfs: 4,
    numVfs: 3,
  });
  tree.addNetdev(PF, 'ens1f0', {
    mac: '3c:fd:fe:00:00:01',
    files: { phys_port_name: 'p0\n', phys_switch_id: '3cfdfe000001\n' },
  });
  tree.addVf(PF, 0, { ...eth, address: VF0, device: '154c', driver: 'iavf', numaNode: 0, iommuGroup: 41 });
  tree.addNetdev(VF0, 'ens1f0v0', { mac: '02:00:00:00:00:10' });
  tree.addVf(PF, 1, { ...eth, address: VF1, device: '154c', driver: 'vfio-pci', numaNode: 0, iommuGroup: 42 });
  tree.file(join(tree.root, 'dev/vfio/42'), '');
  tree.addVf(PF, 2, { ...eth, address: VF2, device: '154c', numaNode: 0, iommuGroup: 43 });
  tree.file(join(tree.sys, 'kernel/iommu_groups/43/name'), 'vfio-noiommu\n');

  const ib = { vendor: '15b3', classCode: '020700', driver: 'mlx5_core', numaNode: 1 };
  tree.addPf({ ...ib, address: IB_PF, device: '101b', totalVfs: 8, numVfs: 1 });
  tree.addNetdev(IB_PF, 'ibp94s0', { type: 32 });
  tree.addRdma(IB_PF, 'mlx5_0', 0);
  tree.addVf(IB_PF, 0, { ...ib, address: IB_VF, device: '101c' });
  tree.addNetdev(IB_VF, 'ibp94s0v0', { type: 32 });
  tree.addRdma(IB_VF, 'mlx5_2', 2);
  tree.file(join(tree.root, 'dev/infiniband/rdma_cm'), '');
  // Auxiliary children of the mlx5 PF: a scalable function and the PF's own eth aux device.
  const ibPfDir = join(tree.sys, 'devices/pci0000:00', IB_PF);
  const sfDir = join(ibPfDir, 'mlx5_core.sf.4');
  tree.file(join(sfDir, 'sfnum'), '88\n');
  tree.file(join(sfDir, 'net/enp94s0f0s88/type'), '1\n');
  tree.file(join(sfDir, 'infiniband/mlx5_5/node_type'), '1: CA\n');
  mkdirSync(join(tree.sys, 'bus/auxiliary/drivers/mlx5_core.sf'), { recursive: true });
  tree.link(join(sfDir, 'driver'), join(tree.sys, 'bus/auxiliary/drivers/mlx5_core.sf'));
  tree.link(join(tree.sys, 'bus/auxiliary/devices/mlx5_core.sf.4'), sfDir);
  tree.file(join(ibPfDir, 'mlx5_core.eth.0/uevent'), '');
  tree.link(join(tree.sys, 'bus/auxiliary/devices/mlx5_core.eth.0'), join(ibPfDir, 'mlx5_core.eth.0'));
  tree.file(join(ibPfDir, 'mlx5_core.notonbus.1/uevent'), '');

  tree.addDevice({
    address: UIO,
    vendor: '8086',
    device: '1533',
    classCode: '020000',
    driver: 'uio_pci_generic',
    extraFiles: { acpi_index: '3\n', 'uio/uio3/name': 'uio_pci_generic\n' },
  });

  // virtio-net: the netdev hangs below virtio2, not directly under the PCI function.
  const virtioDir = tree.addDevice({
    address: VIRTIO,
    vendor: '1af4',
    device: '1041',
    classCode: '020000',
    driver: 'virtio-pci',
  });
  mkdirSync(join(virtioDir, 'virtio2/net/eth0'), { recursive: true });
  tree.file(join(virtioDir, 'virtio2/net/eth0/type'), '1\n');
  tree.link(join(virtioDir, 'virtio2/net/eth0/device'), join(virtioDir, 'virtio2'));
  tree.link(join(tree.sys, 'class/net/eth0'), join(virtioDir, 'virtio2/net/eth0'));

  // A virtual netdev: no device link.
  tree.file(join(tree.sys, 'devices/virtual/net/veth7/type'), '1\n');
  tree.link(join(tree.sys, 'class/net/veth7'), join(tree.sys, 'devices/virtual/net/veth7'));

  // Things sysfs may contain that are not PCI functions.
  writeFileSync(join(tree.sys, 'bus/pci/devices/not-a-device'), '');

  sysfs = createSysfs({ root: tree.root });
});

afterAll(() => tree.remove());

describe('createSysfs', () => {
  it('reads nothing at construction; the first call names the missing path', () => {
    const absent = createSysfs({ root: '/nonexistent-sysfs-root' });
    expect(absent.root).toBe('/nonexistent-sysfs-root');
    const error = thrown(() => absent.listPciDevices());
    expect(error.code).toBe('ENOENT');
    expect(error.path).toBe('/nonexistent-sysfs-root/sys/bus/pci/devices');
    expect(error.message).toContain('/nonexistent-sysfs-root/sys/bus/pci/devices');
  });

  it('defaults to /', () => {
    expect(createSysfs().paths.pciDevices).toBe('/sys/bus/pci/devices');
    expect(createSysfs().paths.netdev('eth0')).toBe('/sys/class/net/eth0');
  });

  it('rejects a bad root', () => {
    expect(thrown(() => createSysfs({ root: '' })).code).toBe('INVALID_ARGUMENT');
  });
});

describe('device facts', () => {
  it('lists only PCI functions, sorted', () => {
    expect(sysfs.listPciDevices()).toEqual([VIRTIO, UIO, PF, VF0, VF1, VF2, IB_PF, IB_VF]);
  });

  it('returns a full snapshot of a PF', () => {
    expect(sysfs.deviceInfo(PF)).toEqual({
      address: PF,
      vendor: '8086',
      device: '158b',
      classCode: '020000',
      baseClass: '02',
      subsystemVendor: '8086',
      subsystemDevice: '0000',
      modalias: 'pci:v00008086d0000158Bsv00008086sd00000000bc02sc00i00',
      driver: 'i40e',
      numaNode: 0,
      iommuGroup: '40',
      acpiIndex: null,
      sriovTotalVfs: 4,
      sriovNumVfs: 3,
      vfs: [
        { index: 0, address: VF0 },
        { index: 1, address: VF1 },
        { index: 2, address: VF2 },
      ],
      physfn: null,
      vfIndex: null,
      netdevs: ['ens1f0'],
      pfNetdevs: [],
      rdmaDevices: [],
      uioDevice: null,
      vfioDevice: null,
      linkType: 1,
    });
  });

  it('returns a VF snapshot with its PF, index and netdev', () => {
    const info = sysfs.deviceInfo('3b:02.0');
    expect(info).toMatchObject({
      address: VF0,
      device: '154c',
      driver: 'iavf',
      physfn: PF,
      vfIndex: 0,
      netdevs: ['ens1f0v0'],
      pfNetdevs: ['ens1f0'],
      sriovTotalVfs: null,
      vfs: [],
      vfioDevice: null,
      linkType: 1,
    });
  });

  it('gives a vfio-bound VF its /dev/vfio node and the PF link type', () => {
    expect(sysfs.deviceInfo(VF1)).toMatchObject({
      driver: 'vfio-pci',
      netdevs: [],
      vfIndex: 1,
      iommuGroup: '42',
      vfioDevice: '/dev/vfio/42',
      linkType: 1,
    });
    expect(sysfs.hasUserspaceDriver(VF1)).toBe(true);
    expect(sysfs.hasUserspaceDriver(VF0)).toBe(false);
    expect(sysfs.devNodeExists('/dev/vfio/42')).toBe(true);
    expect(sysfs.devNodeExists('/dev/vfio/41')).toBe(false);
  });

  it('names the noiommu vfio node from the group name', () => {
    expect(sysfs.driver(VF2)).toBeNull();
    expect(sysfs.vfioDevice(VF2)).toBe('/dev/vfio/noiommu-43');
    expect(sysfs.vfioDevice(VF0)).toBe('/dev/vfio/41');
    expect(sysfs.vfioDevice(UIO)).toBeNull();
  });

  it('reads InfiniBand PF and VF facts', () => {
    const pf = sysfs.deviceInfo(IB_PF);
    expect(pf).toMatchObject({ classCode: '020700', numaNode: 1, rdmaDevices: ['mlx5_0'], linkType: 32 });
    const vf = sysfs.deviceInfo(IB_VF);
    expect(vf).toMatchObject({ physfn: IB_PF, vfIndex: 0, netdevs: ['ibp94s0v0'], rdmaDevices: ['mlx5_2'] });
    expect(sysfs.defaultPkey(IB_VF)).toBe('0xffff');
    expect(sysfs.defaultPkey(VF0)).toBeNull();
    expect(sysfs.rdmaCharDevices('mlx5_2')).toEqual(['/dev/infiniband/uverbs2', '/dev/infiniband/rdma_cm']);
    expect(sysfs.rdmaCharDevices('mlx5_9')).toEqual(['/dev/infiniband/rdma_cm']);
  });

  it('reads uio and acpi_index', () => {
    expect(sysfs.deviceInfo(UIO)).toMatchObject({ uioDevice: '/dev/uio3', acpiIndex: '3', driver: 'uio_pci_generic' });
    expect(sysfs.uioDevice(UIO)).toBe('/dev/uio3');
    expect(sysfs.uioDevice(VF0)).toBeNull();
    expect(sysfs.acpiIndex(UIO)).toBe('3');
  });

  it('scanDevices agrees with per-device snapshots', () => {
    const scanned = sysfs.scanDevices();
    expect(scanned.map((d) => d.address)).toEqual(sysfs.listPciDevices());
    expect(scanned).toEqual(sysfs.listPciDevices().map((a) => sysfs.deviceInfo(a)));
    expect(sysfs.scanDevices(['3b:02.1']).map((d) => d.address)).toEqual([VF1]);
  });

  it('has focused getters that agree with the snapshot', () => {
    expect(sysfs.vendor(VF0)).toBe('8086');
    expect(sysfs.deviceId(VF0)).toBe('154c');
    expect(sysfs.classCode(VF0)).toBe('020000');
    expect(sysfs.subsystemVendor(VF0)).toBe('8086');
    expect(sysfs.subsystemDevice(VF0)).toBe('0000');
    expect(sysfs.modalias(VF0)).toMatch(/^pci:v00008086d0000154C/);
    expect(sysfs.numaNode(VF0)).toBe(0);
    expect(sysfs.numaNode(UIO)).toBeNull(); // -1
    expect(sysfs.iommuGroup(VF0)).toBe('41');
    expect(sysfs.iommuGroup(UIO)).toBeNull();
    expect(sysfs.isSriovPf(PF)).toBe(true);
    expect(sysfs.isSriovPf(VF0)).toBe(false);
    expect(sysfs.sriovTotalVfs(PF)).toBe(4);
    expect(sysfs.sriovNumVfs(PF)).toBe(3);
    expect(sysfs.sriovNumVfs(VF0)).toBeNull();
    expect(sysfs.isVf(VF2)).toBe(true);
    expect(sysfs.isVf(PF)).toBe(false);
    expect(sysfs.pfOfVf(VF2)).toBe(PF);
    expect(sysfs.pfOfVf(PF)).toBeNull();
    expect(sysfs.vfIndex(VF2)).toBe(2);
    expect(sysfs.vfIndex(PF)).toBeNull();
    expect(sysfs.vfIndexOnPf(PF, VF1)).toBe(1);
    expect(sysfs.vfIndexOnPf(IB_PF, VF1)).toBeNull();
    expect(sysfs.vfAddress(PF, 1)).toBe(VF1);
    expect(sysfs.vfAddress(PF, 3)).toBeNull();
    expect(sysfs.vfs(IB_PF)).toEqual([{ index: 0, address: IB_VF }]);
    expect(sysfs.pfNetdevsOfVf(VF1)).toEqual(['ens1f0']);
    expect(sysfs.netdevs(PF)).toEqual(['ens1f0']);
    expect(sysfs.netdevs(VF1)).toEqual([]);
    expect(sysfs.hasPciDevice(VF0)).toBe(true);
    expect(sysfs.hasPciDevice('0000:99:00.0')).toBe(false);
  });
});

describe('auxiliary devices', () => {
  it('lists the aux children of a PCI function that are on the auxiliary bus', () => {
    expect(sysfs.auxiliaryDevices(IB_PF)).toEqual(['mlx5_core.eth.0', 'mlx5_core.sf.4']);
    expect(sysfs.auxiliaryDevices(PF)).toEqual([]);
  });

  it('reads an SF: parent, sfnum, driver, netdevs, RDMA devices', () => {
    expect(sysfs.auxiliaryDeviceInfo('mlx5_core.sf.4')).toEqual({
      name: 'mlx5_core.sf.4',
      driverName: 'mlx5_core',
      type: 'sf',
      id: 4,
      parent: IB_PF,
      sfnum: 88,
      driver: 'mlx5_core.sf',
      netdevs: ['enp94s0f0s88'],
      rdmaDevices: ['mlx5_5'],
    });
    expect(sysfs.auxiliaryDeviceInfo('mlx5_core.eth.0')).toMatchObject({ type: 'eth', sfnum: null, driver: null });
  });

  it('rejects bad names and names a missing device', () => {
    expect(thrown(() => sysfs.auxiliaryDeviceInfo('../x.sf.1')).code).toBe('INVALID_ARGUMENT');
    expect(thrown(() => sysfs.auxiliaryDeviceInfo('mlx5_core.sf')).code).toBe('INVALID_ARGUMENT');
    const missing = thrown(() => sysfs.auxiliaryDeviceInfo('mlx5_core.sf.9'));
    expect(missing.code).toBe('ENOENT');
    expect(missing.path).toBe(join(tree.root, 'sys/bus/auxiliary/devices/mlx5_core.sf.9'));
  });
});

describe('netdev facts', () => {
  it('maps a netdev to its PCI function', () => {
    expect(sysfs.netdevPciAddress('ens1f0')).toBe(PF);
    expect(sysfs.netdevPciAddress('ens1f0v0')).toBe(VF0);
    expect(sysfs.netdevPciAddress('eth0')).toBe(VIRTIO);
    expect(sysfs.netdevPciAddress('veth7')).toBeNull();
    const missing = thrown(() => sysfs.netdevPciAddress('nope0'));
    expect(missing.code).toBe('ENOENT');
    expect(missing.device).toBe('nope0');
    expect(missing.path).toBe(join(tree.root, 'sys/class/net/nope0'));
  });

  it('tells VFs and PFs apart', () => {
    expect(sysfs.netdevIsVf('ens1f0v0')).toBe(true);
    expect(sysfs.netdevIsVf('ens1f0')).toBe(false);
    expect(sysfs.netdevIsVf('veth7')).toBe(false);
    expect(sysfs.netdevIsSriovPf('ens1f0')).toBe(true);
    expect(sysfs.netdevIsSriovPf('ens1f0v0')).toBe(false);
    expect(sysfs.netdevExists('ens1f0')).toBe(true);
    expect(sysfs.netdevExists('nope0')).toBe(false);
  });

  it('reads type, address, operstate and switch attributes', () => {
    expect(sysfs.netdevType('ibp94s0v0')).toBe(32);
    expect(sysfs.netdevType('ens1f0')).toBe(1);
    expect(sysfs.netdevMacAddress('ens1f0')).toBe('3c:fd:fe:00:00:01');
    expect(sysfs.netdevOperstate('ens1f0')).toBe('up');
    expect(sysfs.physPortName('ens1f0')).toBe('p0');
    expect(sysfs.physSwitchId('ens1f0')).toBe('3cfdfe000001');
    expect(sysfs.physPortName('ens1f0v0')).toBeNull();
    expect(sysfs.sriovNumVfsOfNetdev('ens1f0')).toBe(3);
    expect(thrown(() => sysfs.sriovNumVfsOfNetdev('ens1f0v0')).code).toBe('ENOENT');
  });
});

describe('malformed content and bad input', () => {
  it('names path and device when a file holds garbage', () => {
    const other = new FakeTree();
    try {
      other.addDevice({ address: '0000:01:00.0', vendor: 'zz', device: '0001', classCode: '020000' });
      const s = createSysfs({ root: other.root });
      const error = thrown(() => s.deviceInfo('0000:01:00.0'));
      expect(error.code).toBe('MALFORMED');
      expect(error.device).toBe('0000:01:00.0');
      expect(error.path).toBe(join(other.root, 'sys/bus/pci/devices/0000:01:00.0/vendor'));
      expect(error.message).toContain('0xzz');
    } finally {
      other.remove();
    }
  });

  it('takes IDs and class from modalias like ghw, and from the single files when modalias is absent or partial', () => {
    const other = new FakeTree();
    try {
      const base = { vendor: '8086', device: '1572', classCode: '020000' };
      const full = other.addDevice({ ...base, address: '0000:01:00.0' });
      writeFileSync(join(full, 'subsystem_device'), '0x0007\n'); // modalias says 0000: modalias is what counts
      const none = other.addDevice({ ...base, address: '0000:01:00.1' });
      rmSync(join(none, 'modalias'));
      const partial = other.addDevice({ ...base, address: '0000:01:00.2' });
      writeFileSync(join(partial, 'modalias'), 'pci:v00008086d00001572sv*sd*bc02sc00i00\n');
      const s = createSysfs({ root: other.root });
      expect(s.deviceInfo('0000:01:00.0')).toMatchObject({ vendor: '8086', device: '1572', subsystemDevice: '0000' });
      expect(s.deviceInfo('0000:01:00.1')).toMatchObject({
        vendor: '8086',
        device: '1572',
        classCode: '020000',
        subsystemVendor: '8086',
        modalias: null,
      });
      expect(s.deviceInfo('0000:01:00.2')).toMatchObject({
        vendor: '8086',
        classCode: '020000',
        subsystemDevice: '0000',
      });
      expect(s.subsystemDevice('0000:01:00.0')).toBe('0007'); // the focused getter reads the file itself
    } finally {
      other.remove();
    }
  });

  it('names a missing device', () => {
    const error = thrown(() => sysfs.deviceInfo('0000:99:00.0'));
    expect(error.code).toBe('ENOENT');
    expect(error.device).toBe('0000:99:00.0');
    expect(error.path).toBe(join(tree.root, 'sys/bus/pci/devices/0000:99:00.0'));
  });

  it('never builds a path outside its directory, whatever the input', () => {
    const paths = createSysfs({ root: '/r' }).paths;
    const builders: Array<[(input: string) => string, string]> = [
      [paths.pciDevice, paths.pciDevices],
      [paths.pciDriver, paths.pciDrivers],
      [paths.netdev, paths.classNet],
      [paths.auxiliaryDevice, paths.auxiliaryDevices],
    ];
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('..', '.', '', '../x', 'a/..', '/etc')),
        (input) => {
          for (const [build, parent] of builders) {
            let path: string;
            try {
              path = build(input);
            } catch (error) {
              expect(error).toBeInstanceOf(SysfsError);
              expect((error as SysfsError).code).toBe('INVALID_ARGUMENT');
              continue;
            }
            expect(dirname(path)).toBe(parent);
            expect(basename(path)).not.toMatch(/^\.\.?$/);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['deviceInfo', () => sysfs.deviceInfo('../../../etc')],
    ['driver', () => sysfs.driver('0000:3b:02.0/../../..')],
    ['vendor', () => sysfs.vendor('..')],
    ['netdevType', () => sysfs.netdevType('../../etc')],
    ['netdevPciAddress', () => sysfs.netdevPciAddress('a/b')],
    ['bindDriver', () => sysfs.bindDriver(VF2, '../../../x')],
    ['setDriverOverride', () => sysfs.setDriverOverride(VF2, 'a/b')],
    ['rdmaCharDevices', () => sysfs.rdmaCharDevices('../x')],
    ['devNodeExists', () => sysfs.devNodeExists('/dev/../etc/passwd')],
    ['devNodeExists relative', () => sysfs.devNodeExists('etc/passwd')],
    ['vfAddress', () => sysfs.vfAddress(PF, -1)],
    ['scanDevices', () => sysfs.scanDevices(['x'])],
  ])('%s rejects traversal before building a path', (_name, call) => {
    expect(thrown(call).code).toBe('INVALID_ARGUMENT');
  });
});

describe('writes', () => {
  let w: FakeTree;
  let s: Sysfs;
  const read = (rel: string) => readFileSync(join(w.sys, rel), 'utf8');

  beforeAll(() => {
    w = new FakeTree();
    w.addPf({
      address: PF,
      vendor: '8086',
      device: '158b',
      classCode: '020000',
      driver: 'i40e',
      totalVfs: 4,
      numVfs: 0,
    });
    w.addVf(PF, 0, { address: VF0, vendor: '8086', device: '154c', classCode: '020000', driver: 'iavf' });
    w.addVf(PF, 1, { address: VF1, vendor: '8086', device: '154c', classCode: '020000' });
    w.addDriver('vfio-pci');
    s = createSysfs({ root: w.root });
  });
  afterAll(() => w.remove());

  it('unbinds by writing the address to the current driver, and is a no-op when unbound', () => {
    expect(s.unbindDriver(VF0)).toBe('iavf');
    expect(read('bus/pci/drivers/iavf/unbind')).toBe(VF0);
    expect(s.unbindDriver(VF1)).toBeNull();
    expect(read('bus/pci/drivers/vfio-pci/unbind')).toBe('');
  });

  it('binds by writing to drivers/<drv>/bind; same driver is a no-op; another driver is EBUSY', () => {
    s.bindDriver('3b:02.1', 'vfio-pci');
    expect(read('bus/pci/drivers/vfio-pci/bind')).toBe(VF1);
    writeFileSync(join(w.sys, 'bus/pci/drivers/iavf/bind'), '');
    s.bindDriver(VF0, 'iavf'); // the fake did not move the link: still bound to iavf
    expect(read('bus/pci/drivers/iavf/bind')).toBe('');
    const busy = thrown(() => s.bindDriver(VF0, 'vfio-pci'));
    expect(busy.code).toBe('EBUSY');
    expect(busy.message).toContain('bound to iavf');
  });

  it('rebinds by writing the address to unbind and then bind of the same driver; unbound is ENOENT', () => {
    writeFileSync(join(w.sys, 'bus/pci/drivers/iavf/bind'), '');
    expect(s.rebindDriver('3b:02.0')).toBe('iavf');
    expect(read('bus/pci/drivers/iavf/unbind')).toBe(VF0);
    expect(read('bus/pci/drivers/iavf/bind')).toBe(VF0); // written although the (fake) link still names iavf
    const unbound = new FakeTree();
    try {
      unbound.addDevice({ address: VF1, vendor: '8086', device: '154c', classCode: '020000' });
      expect(thrown(() => createSysfs({ root: unbound.root }).rebindDriver(VF1)).code).toBe('ENOENT');
    } finally {
      unbound.remove();
    }
  });

  it('fails with ENOENT and the bind path for an unknown driver, creating nothing', () => {
    const other = new FakeTree();
    try {
      other.addDevice({ address: '0000:02:00.0', vendor: '8086', device: '0001', classCode: '020000' });
      const o = createSysfs({ root: other.root });
      const error = thrown(() => o.bindDriver('0000:02:00.0', 'nosuchdrv'));
      expect(error.code).toBe('ENOENT');
      expect(error.path).toBe(join(other.root, 'sys/bus/pci/drivers/nosuchdrv/bind'));
      expect(error.device).toBe('0000:02:00.0');
    } finally {
      other.remove();
    }
  });

  it('writes driver_override and drivers_probe', () => {
    s.setDriverOverride(VF1, 'vfio-pci');
    expect(read(`devices/pci0000:00/${VF1}/driver_override`)).toBe('vfio-pci');
    s.setDriverOverride(VF1, null);
    expect(read(`devices/pci0000:00/${VF1}/driver_override`)).toBe('\n');
    s.probeDriver(VF1);
    expect(read('bus/pci/drivers_probe')).toBe(VF1);
  });

  it('writes sriov_numvfs within sriov_totalvfs only', () => {
    s.setSriovNumVfs(PF, 4);
    expect(read(`devices/pci0000:00/${PF}/sriov_numvfs`)).toBe('4');
    expect(s.sriovNumVfs(PF)).toBe(4);
    expect(thrown(() => s.setSriovNumVfs(PF, 5)).code).toBe('INVALID_ARGUMENT');
    expect(thrown(() => s.setSriovNumVfs(PF, -1)).code).toBe('INVALID_ARGUMENT');
    const notPf = thrown(() => s.setSriovNumVfs(VF0, 1));
    expect(notPf.code).toBe('ENOENT');
    expect(notPf.path).toContain('sriov_totalvfs');
  });

  it('keeps the fake links relative, exactly like sysfs', () => {
    expect(readlinkSync(join(w.sys, 'bus/pci/devices', VF0))).toBe(`../../../devices/pci0000:00/${VF0}`);
    expect(readlinkSync(join(w.sys, 'devices/pci0000:00', VF0, 'driver'))).toBe('../../../bus/pci/drivers/iavf');
    expect(readlinkSync(join(w.sys, 'devices/pci0000:00', VF0, 'physfn'))).toBe(`../${PF}`);
  });
});
