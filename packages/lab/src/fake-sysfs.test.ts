// The fake tree alone (no root needed): what sysfs-pci reads from it, and the exact symlinks.
import { existsSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { createSysfs } from '@sriov-ts/sysfs-pci';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from './lab.js';

let lab: Lab;

beforeAll(async () => {
  lab = await createLab({
    realNetdevs: false,
    pfs: [
      { model: 'intel-xxv710', vfs: 4, dpdkVfs: [3] },
      { model: 'mlx5-cx5-eth', vfs: 2, numaNode: 1, subfunctions: 2 },
      { model: 'mlx5-cx6-ib', vfs: 2, numaNode: 0 },
    ],
  });
});

afterAll(async () => {
  await lab.destroy();
});

describe('fake sysfs tree', () => {
  it('is read by sysfs-pci as a real SR-IOV node', () => {
    const sysfs = createSysfs({ root: lab.root });
    const pf0 = lab.pfs[0]!;
    expect(pf0.address).toBe('0000:3b:00.0');
    expect(pf0.vfs.map((v) => v.address)).toEqual(['0000:3b:02.0', '0000:3b:02.1', '0000:3b:02.2', '0000:3b:02.3']);
    const info = sysfs.deviceInfo(pf0.address);
    expect(info).toMatchObject({
      vendor: '8086',
      device: '158b',
      classCode: '020000',
      driver: 'i40e',
      numaNode: 0,
      sriovTotalVfs: 64,
      sriovNumVfs: 4,
      netdevs: [pf0.netdev],
      linkType: 1,
    });
    expect(info.vfs.map((v) => v.address)).toEqual(pf0.vfs.map((v) => v.address));

    const vf1 = sysfs.deviceInfo(pf0.vfs[1]!.address);
    expect(vf1).toMatchObject({
      device: '154c',
      driver: 'iavf',
      physfn: pf0.address,
      vfIndex: 1,
      netdevs: [pf0.vfs[1]!.netdev],
      pfNetdevs: [pf0.netdev],
      iommuGroup: pf0.vfs[1]!.iommuGroup,
      numaNode: 0,
    });

    const dpdk = sysfs.deviceInfo(pf0.vfs[3]!.address);
    expect(dpdk).toMatchObject({ driver: 'vfio-pci', netdevs: [], vfIndex: 3, linkType: 1 });
    expect(dpdk.vfioDevice).toBe(`/dev/vfio/${pf0.vfs[3]!.iommuGroup}`);
    expect(pf0.vfs[3]!.vfioDevice).toBe(dpdk.vfioDevice);
    expect(sysfs.devNodeExists(dpdk.vfioDevice!)).toBe(true);

    const mlx = lab.pfs[1]!;
    expect(sysfs.deviceInfo(mlx.address)).toMatchObject({
      vendor: '15b3',
      device: '1017',
      driver: 'mlx5_core',
      numaNode: 1,
    });
    expect(sysfs.deviceInfo(mlx.vfs[0]!.address)).toMatchObject({
      device: '1018',
      driver: 'mlx5_core',
      rdmaDevices: [mlx.vfs[0]!.rdmaDevice],
      numaNode: 1,
    });
    expect(mlx.vfs[0]!.address).toBe('0000:3f:00.2');
    expect(sysfs.physPortName(mlx.netdev)).toBe('p0');

    // Scalable functions on the auxiliary bus.
    expect(sysfs.auxiliaryDevices(mlx.address)).toEqual(['mlx5_core.sf.2', 'mlx5_core.sf.3']);
    expect(sysfs.auxiliaryDeviceInfo('mlx5_core.sf.3')).toEqual({
      name: 'mlx5_core.sf.3',
      driverName: 'mlx5_core',
      type: 'sf',
      id: 3,
      parent: mlx.address,
      sfnum: 89,
      driver: 'mlx5_core.sf',
      netdevs: [mlx.subfunctions[1]!.netdev],
      rdmaDevices: [mlx.subfunctions[1]!.rdmaDevice],
    });
    expect(sysfs.netdevPciAddress(mlx.subfunctions[0]!.netdev)).toBe(mlx.address);

    const ib = lab.pfs[2]!;
    const ibVf = sysfs.deviceInfo(ib.vfs[1]!.address);
    expect(ibVf).toMatchObject({ device: '101c', classCode: '020700', linkType: 32, vfIndex: 1 });
    expect(sysfs.netdevType(ib.vfs[1]!.netdev!)).toBe(32);
    expect(sysfs.netdevMacAddress(ib.vfs[1]!.netdev!)).toMatch(/^00:00:10:87:fe:80(:00){6}(:[0-9a-f]{2}){8}$/);
    expect(sysfs.defaultPkey(ib.vfs[1]!.address)).toBe('0xffff');
    expect(sysfs.rdmaCharDevices(ib.vfs[1]!.rdmaDevice!)).toEqual([
      expect.stringMatching(/^\/dev\/infiniband\/uverbs\d+$/),
      '/dev/infiniband/rdma_cm',
    ]);

    // Netdev → PCI and the class/net view.
    expect(sysfs.netdevPciAddress(pf0.vfs[0]!.netdev!)).toBe(pf0.vfs[0]!.address);
    expect(sysfs.netdevIsVf(pf0.vfs[0]!.netdev!)).toBe(true);
    expect(sysfs.netdevIsSriovPf(pf0.netdev)).toBe(true);
    expect(sysfs.sriovNumVfsOfNetdev(pf0.netdev)).toBe(4);

    // Root ports are PCI devices too (class 0604), as on a real host.
    expect(sysfs.listPciDevices()).toContain(pf0.bridgeAddress);
    expect(sysfs.classCode(pf0.bridgeAddress)).toBe('060400');
  });

  it('has the kernel relative symlink layout', () => {
    const sys = join(lab.root, 'sys');
    const pf = lab.pfs[0]!;
    const vf = pf.vfs[0]!;
    const vfPath = `devices/pci0000:00/${pf.bridgeAddress}/${vf.address}`;
    expect(readlinkSync(join(sys, 'bus/pci/devices', vf.address))).toBe(`../../../${vfPath}`);
    expect(readlinkSync(join(sys, vfPath, 'driver'))).toBe('../../../../bus/pci/drivers/iavf');
    expect(readlinkSync(join(sys, vfPath, 'physfn'))).toBe(`../${pf.address}`);
    expect(readlinkSync(join(sys, 'devices/pci0000:00', pf.bridgeAddress, pf.address, 'virtfn0'))).toBe(
      `../${vf.address}`,
    );
    expect(readlinkSync(join(sys, 'bus/pci/drivers/iavf', vf.address))).toBe(`../../../../${vfPath}`);
    expect(readlinkSync(join(sys, 'class/net', vf.netdev!))).toBe(`../../${vfPath}/net/${vf.netdev}`);
    expect(readlinkSync(join(sys, vfPath, 'net', vf.netdev!, 'device'))).toBe(`../../../${vf.address}`);
    expect(readlinkSync(join(sys, vfPath, 'iommu_group'))).toBe(`../../../../kernel/iommu_groups/${vf.iommuGroup}`);
    expect(readlinkSync(join(sys, 'kernel/iommu_groups', vf.iommuGroup, 'devices', vf.address))).toBe(
      `../../../../${vfPath}`,
    );
    // Every link in the tree resolves inside the tree.
    expect(realpathSync(join(sys, 'class/net', vf.netdev!, 'device/physfn/net'))).toBe(
      realpathSync(join(sys, 'devices/pci0000:00', pf.bridgeAddress, pf.address, 'net')),
    );
  });

  it('records driver writes made through sysfs-pci and applies them on settle', () => {
    const sysfs = createSysfs({ root: lab.root });
    const vf = lab.pfs[0]!.vfs[2]!;
    expect(sysfs.unbindDriver(vf.address)).toBe('iavf');
    expect(readFileSync(join(lab.root, 'sys/bus/pci/drivers/iavf/unbind'), 'utf8')).toBe(vf.address);
    expect(sysfs.driver(vf.address)).toBe('iavf'); // a fake file cannot react by itself
    expect(lab.settleDriverWrites()).toEqual([{ driver: 'iavf', operation: 'unbind', address: vf.address }]);
    expect(sysfs.driver(vf.address)).toBeNull();
    expect(sysfs.netdevs(vf.address)).toEqual([]);
    expect(sysfs.netdevExists(vf.netdev!)).toBe(false);

    sysfs.bindDriver(vf.address, 'vfio-pci');
    lab.settleDriverWrites();
    expect(sysfs.driver(vf.address)).toBe('vfio-pci');
    expect(sysfs.vfioDevice(vf.address)).toBe(`/dev/vfio/${vf.iommuGroup}`);
    expect(existsSync(join(lab.root, 'dev/vfio', vf.iommuGroup))).toBe(true);

    // The driver_override + drivers_probe recipe.
    lab.bindDevice(vf.address, null);
    sysfs.setDriverOverride(vf.address, 'iavf');
    sysfs.probeDriver(vf.address);
    expect(lab.settleDriverWrites()).toEqual([{ driver: 'iavf', operation: 'probe', address: vf.address }]);
    expect(sysfs.driver(vf.address)).toBe('iavf');
    sysfs.setDriverOverride(vf.address, null);
    lab.bindDevice(vf.address, 'vfio-pci');

    lab.bindDevice(vf.address, 'iavf'); // back: the netdev reappears, the vfio node goes
    expect(sysfs.netdevs(vf.address)).toEqual([vf.netdev]);
    expect(sysfs.netdevExists(vf.netdev!)).toBe(true);
    expect(existsSync(join(lab.root, 'dev/vfio', vf.iommuGroup))).toBe(false);
    expect(lab.settleDriverWrites()).toEqual([]);
  });

  it('gives every lab a unique prefix and refuses names that do not fit IFNAMSIZ', async () => {
    const other = await createLab({ realNetdevs: false, pfs: [{ vfs: 1 }] });
    try {
      expect(other.prefix).toMatch(/^xl[0-9a-z]{4}$/);
      expect(other.prefix).not.toBe(lab.prefix);
      expect(other.name('p0v1')).toBe(`${other.prefix}p0v1`);
      expect(() => other.name('toolongsuffix')).toThrow(/longer than 15/);
      expect(() => other.name('a/b')).toThrow();
      expect(() => other.createPodNetns()).toThrow(/realNetdevs/);
    } finally {
      await other.destroy();
    }
    expect(existsSync(other.dir)).toBe(false);
    await other.destroy(); // idempotent
  });

  it('rejects impossible specs before creating anything', async () => {
    await expect(createLab({ pfs: [] })).rejects.toThrow(/between 1 and 28 PFs/);
    await expect(createLab({ realNetdevs: false, pfs: [{ vfs: 65, totalVfs: 64 }] })).rejects.toThrow(/vfs must be/);
    await expect(createLab({ realNetdevs: false, pfs: [{ vfs: 2, dpdkVfs: [2] }] })).rejects.toThrow(/no VF 2/);
    await expect(createLab({ realNetdevs: false, pfs: [{ vfs: 2, model: 'nope' }] })).rejects.toThrow(/unknown NIC/);
    await expect(createLab({ realNetdevs: false, pfs: [{ vfs: 2, subfunctions: 1 }] })).rejects.toThrow(/support them/);
  });
});
