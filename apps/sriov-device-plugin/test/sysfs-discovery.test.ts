// Discovery through the real sysfs-pci reader on a fake sysfs tree, then the full kubelet flow.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSysfs } from '@sriov-ts/sysfs-pci';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDevicePluginConfig } from '../src/config.js';
import { buildPools } from '../src/discovery.js';
import { createSysfsHost } from '../src/host.js';
import { silentLogger } from '../src/logger.js';
import { FakeSysfs } from './fake-sysfs.js';

let root: string;
let fs: FakeSysfs;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'sriovdp-sysfs-'));
  fs = new FakeSysfs(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('discovery on a fake sysfs tree', () => {
  it('applies PF/VF inclusion rules, the default-route exclusion, selectors and one-pool-per-device', async () => {
    fs.addPfWithVfs({ bus: '3b', pfName: 'ens1f0', count: 8, numa: 1, vfDriver: (i) => (i < 4 ? 'iavf' : 'vfio-pci') });
    fs.add({ address: '0000:01:00.0', driver: 'i40e', netdevs: ['eno1'], totalVfs: 64, numVfs: 0 });
    fs.add({ address: '0000:02:00.0', driver: 'i40e', netdevs: ['eno2'], totalVfs: 64, numVfs: 0 });
    fs.add({ address: '0000:5e:00.0', driver: 'vfio-pci', iommuGroup: 7, totalVfs: 64, numVfs: 0 });
    fs.add({ address: '0000:5f:00.0' }); // unbound: dropped
    fs.add({ address: '0000:af:00.0', classCode: '120000', device: '0d5c', driver: 'vfio-pci', iommuGroup: 9 });
    fs.add({ address: '0000:d8:00.0', classCode: '030000', driver: 'nvidia' }); // GPU: not a candidate
    fs.add({
      address: '0000:86:00.0',
      vendor: '15b3',
      device: '101e',
      driver: 'mlx5_core',
      netdevs: ['ib0'],
      netType: 32,
      rdma: ['mlx5_0'],
      pkey: '0x7fff',
    });
    const host = createSysfsHost({
      sysfs: createSysfs({ root }),
      log: silentLogger,
      defaultRouteNetdevs: async () => new Set(['eno1']),
    });
    const snap = await host.snapshot();
    const config = {
      resourceList: [
        { resourceName: 'net_a', selectors: [{ pfNames: ['ENS1F0#0-1,3'] }] },
        { resourceName: 'net_b', selectors: [{ drivers: ['iavf'] }] },
        {
          resourceName: 'dpdk',
          selectors: [{ drivers: ['vfio-pci'], rootDevices: ['0000:3b:00.0#4-5'] }, { pciAddresses: ['0000:5e:00.0'] }],
        },
        { resourceName: 'pf', selectors: [{ drivers: ['i40e'] }] },
        { resourceName: 'ib', selectors: [{ linkTypes: ['infiniband'], pKeys: ['0x7fff'], IsRdma: true }] },
        { resourceName: 'accel', deviceType: 'accelerator', selectors: { devices: ['0d5c'] } },
        { resourceName: 'everything', selectors: [{}] },
      ],
    };
    const pools = buildPools(snap, loadDevicePluginConfig(JSON.stringify(config), 'intel.com'), silentLogger);
    const ids = Object.fromEntries(pools.map((p) => [p.config.resourceName, p.devices.map((d) => d.id)]));
    expect(ids).toEqual({
      net_a: ['0000:3b:02.0', '0000:3b:02.1', '0000:3b:02.3'],
      net_b: ['0000:3b:02.2'],
      dpdk: ['0000:3b:02.4', '0000:3b:02.5', '0000:5e:00.0'],
      pf: ['0000:02:00.0'],
      ib: ['0000:86:00.0'],
      accel: ['0000:af:00.0'],
      everything: ['0000:3b:02.6', '0000:3b:02.7'],
    });
    const ib = pools.find((p) => p.config.resourceName === 'ib')!.devices[0]!;
    expect(ib.isRdma).toBe(true);
    expect(ib.pci.linkType).toBe('infiniband');
    const vf = pools.find((p) => p.config.resourceName === 'dpdk')!.devices[0]!;
    expect(vf.pci).toMatchObject({
      pfAddress: '0000:3b:00.0',
      vfIndex: 4,
      pfNetdev: 'ens1f0',
      iommuGroup: 104,
      numaNode: 1,
      linkType: 'ether',
    });
  });

  it('RDMA and vhost device nodes come from the tree at Allocate time', async () => {
    fs.add({
      address: '0000:86:00.2',
      vendor: '15b3',
      device: '101e',
      driver: 'mlx5_core',
      netdevs: ['ens2f0v0'],
      rdma: ['mlx5_3'],
    });
    fs.rdmaChar('infiniband_verbs', 'uverbs3', 'mlx5_3');
    fs.rdmaChar('infiniband_mad', 'umad3', 'mlx5_3');
    fs.rdmaChar('infiniband_mad', 'issm3', 'mlx5_3');
    fs.rdmaChar('infiniband_verbs', 'uverbs4', 'mlx5_4');
    fs.devNode('/dev/infiniband/rdma_cm');
    const host = createSysfsHost({ sysfs: createSysfs({ root }), log: silentLogger });
    expect(host.nodes.rdmaCharDevices('mlx5_3').sort()).toEqual([
      '/dev/infiniband/issm3',
      '/dev/infiniband/umad3',
      '/dev/infiniband/uverbs3',
    ]);
    expect(host.nodes.exists('/dev/infiniband/rdma_cm')).toBe(true);
    expect(host.nodes.exists('/dev/vhost-net')).toBe(false);
  });
});
