// Discovery through the real sysfs-pci reader on a fake sysfs tree, then the full kubelet flow.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPools } from '@sriov-ts/device-selection';
import { createSysfs } from '@sriov-ts/sysfs-pci';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDevicePluginConfig } from '../src/config.js';
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

describe('full kubelet flow on a fake sysfs tree', () => {
  it('auxNetDevice (SF) and accelerator pools: discovery, ListAndWatch, Allocate, CDI kinds', async () => {
    fs.add({ address: '0000:03:00.0', vendor: '15b3', device: '101d', driver: 'mlx5_core', netdevs: ['p0'], numa: 1 });
    fs.addSf('0000:03:00.0', 'mlx5_core.sf.2', { sfnum: 1, netdev: 'en3f0pf0sf1', rdma: 'mlx5_4' });
    fs.addSf('0000:03:00.0', 'mlx5_core.sf.3', { sfnum: 2, netdev: 'en3f0pf0sf2', rdma: 'mlx5_5' });
    fs.addSf('0000:03:00.0', 'mlx5_core.sf.4', { sfnum: 7, netdev: 'en3f0pf0sf7' });
    fs.add({
      address: '0000:af:00.0',
      classCode: '120000',
      device: '0d5c',
      driver: 'vfio-pci',
      iommuGroup: 9,
      numa: 1,
    });
    fs.rdmaChar('infiniband_verbs', 'uverbs4', 'mlx5_4');
    fs.devNode('/dev/infiniband/rdma_cm');
    const host = createSysfsHost({ sysfs: createSysfs({ root }), log: silentLogger });
    const { startHarness } = await import('./plugin-harness.js');
    const h = await startHarness(
      host,
      {
        resourceList: [
          {
            resourceName: 'sf_rdma',
            resourcePrefix: 'nvidia.com',
            deviceType: 'auxNetDevice',
            selectors: [{ auxTypes: ['sf'], pfNames: ['p0#1-2'], isRdma: true }],
            additionalInfo: { '0000:03:00.0': { port: 'p0' } },
          },
          { resourceName: 'qat', deviceType: 'accelerator', selectors: { devices: ['0d5c'] } },
        ],
      },
      { useCdi: true },
    );
    try {
      const k = h.kubelet;
      await k.waitFor(
        () => (k.latest('nvidia.com/sf_rdma')?.length ?? 0) === 2 && k.plugins.has('intel.com/qat'),
        'pools',
      );
      expect(k.latest('nvidia.com/sf_rdma')).toEqual([
        { ID: 'mlx5_core.sf.2', health: 'Healthy', topology: { nodes: [{ ID: 1 }] } },
        { ID: 'mlx5_core.sf.3', health: 'Healthy', topology: { nodes: [{ ID: 1 }] } },
      ]);
      const sf = (await k.allocate('nvidia.com/sf_rdma', ['mlx5_core.sf.2'])).containerResponses[0]!;
      expect(sf.envs).toEqual({
        PCIDEVICE_NVIDIA_COM_SF_RDMA: 'mlx5_core.sf.2',
        PCIDEVICE_NVIDIA_COM_SF_RDMA_INFO:
          '{"mlx5_core.sf.2":{"extra":{"port":"p0"},"generic":{"deviceID":"mlx5_core.sf.2"},"rdma":{"rdma_cm":"/dev/infiniband/rdma_cm","rdma_dev":"mlx5_4","uverbs":"/dev/infiniband/uverbs4"}}}',
      });
      expect(sf.annotations).toEqual({ 'cdi.k8s.io/nvidia.com_net-sf': 'nvidia.com/net-sf=mlx5_core.sf.2' });
      const qat = (await k.allocate('intel.com/qat', ['0000:af:00.0'])).containerResponses[0]!;
      expect(qat.annotations).toEqual({ 'cdi.k8s.io/intel.com_net-accel': 'intel.com/net-accel=0000:af:00.0' });
      expect(qat.envs.PCIDEVICE_INTEL_COM_QAT_INFO).toBe(
        '{"0000:af:00.0":{"generic":{"deviceID":"0000:af:00.0"},"vfio":{"dev-mount":"/dev/vfio/9","mount":"/dev/vfio/vfio"}}}',
      );
      const { readdirSync, readFileSync } = await import('node:fs');
      expect(readdirSync(h.cdiDir).sort()).toEqual([
        'sriov-dp-intel.com-net-accel-qat.yaml',
        'sriov-dp-nvidia.com-net-sf-sf_rdma.yaml',
      ]);
      expect(readFileSync(join(h.cdiDir, 'sriov-dp-nvidia.com-net-sf-sf_rdma.yaml'), 'utf8')).toBe(
        [
          'cdiVersion: "0.5.0"',
          'kind: "nvidia.com/net-sf"',
          'devices:',
          '- name: "mlx5_core.sf.2"',
          '  containerEdits:',
          '    deviceNodes:',
          '    - path: "/dev/infiniband/uverbs4"',
          '      hostPath: "/dev/infiniband/uverbs4"',
          '      permissions: "rw"',
          '    - path: "/dev/infiniband/rdma_cm"',
          '      hostPath: "/dev/infiniband/rdma_cm"',
          '      permissions: "rw"',
          '- name: "mlx5_core.sf.3"',
          '  containerEdits:',
          '    deviceNodes:',
          '    - path: "/dev/infiniband/rdma_cm"',
          '      hostPath: "/dev/infiniband/rdma_cm"',
          '      permissions: "rw"',
          'containerEdits: {}',
          '',
        ].join('\n'),
      );
      // aux pools write no device-info files
      expect(() => readdirSync(h.devInfoDir)).toThrow();
    } finally {
      await h.close();
    }
  });

  it('a numvfs change on the tree is picked up by a rescan', async () => {
    fs.addPfWithVfs({ bus: '3b', pfName: 'ens1f0', count: 2 });
    const host = createSysfsHost({ sysfs: createSysfs({ root }), log: silentLogger });
    const { startHarness } = await import('./plugin-harness.js');
    const h = await startHarness(host, {
      resourceList: [{ resourceName: 'vfs', selectors: [{ pfNames: ['ens1f0'] }] }],
    });
    try {
      const k = h.kubelet;
      await k.waitFor(() => (k.latest('intel.com/vfs')?.length ?? 0) === 2, 'two VFs');
      fs.add({
        address: '0000:3b:02.2',
        device: '1889',
        driver: 'iavf',
        pf: '0000:3b:00.0',
        vfIndex: 2,
        netdevs: ['ens1f0v2'],
      });
      fs.setNumVfs('0000:3b:00.0', 3);
      await h.plugin.rescan('test');
      await k.waitFor(() => (k.latest('intel.com/vfs')?.length ?? 0) === 3, 'three VFs');
    } finally {
      await h.close();
    }
  });
});
