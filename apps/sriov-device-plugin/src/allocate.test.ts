import { describe, expect, it } from 'vitest';
import { FakeNodes, pci } from '../test/host-fixtures.js';
import { allocateContainer, resourceEnvName, UnknownDeviceError } from './allocate.js';
import { deviceInfoContent, deviceInfoFileName } from './device-info.js';
import { goMarshalSorted } from './go-json.js';
import type { PoolDevice, ResourceConfig } from './types.js';

const config = (over: Partial<ResourceConfig> = {}): ResourceConfig => ({
  resourceName: 'intel_sriov_dpdk',
  resourcePrefix: 'intel.com',
  deviceType: 'netDevice',
  excludeTopology: false,
  selectors: [{}],
  additionalInfo: {},
  ...over,
});

const dev = (over: Partial<PoolDevice> & { id: string }, facts: Parameters<typeof pci>[0]): PoolDevice => ({
  pci: pci(facts),
  aux: null,
  isRdma: false,
  needVhostNet: false,
  ...over,
});

describe('env names', () => {
  it('replaces only "." and "/" and upper-cases (hyphens kept, as the Go plugin)', () => {
    expect(resourceEnvName('intel.com', 'sriov_net_A')).toBe('PCIDEVICE_INTEL_COM_SRIOV_NET_A');
    expect(resourceEnvName('my-vendor.io', 'net-1')).toBe('PCIDEVICE_MY-VENDOR_IO_NET-1');
    expect(resourceEnvName('a/b.c', 'x.y')).toBe('PCIDEVICE_A_B_C_X_Y');
  });
});

describe('_INFO JSON', () => {
  it('matches the reference worked example byte for byte (vfio + vhost)', () => {
    const d = dev(
      { id: '0000:3b:02.1', needVhostNet: true },
      { address: '0000:3b:02.1', driver: 'vfio-pci', iommuGroup: 169 },
    );
    const out = allocateContainer(['0000:3b:02.1'], new Map([[d.id, d]]), config(), new FakeNodes());
    expect(out.envs).toEqual({
      PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK: '0000:3b:02.1',
      PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK_INFO:
        '{"0000:3b:02.1":{"generic":{"deviceID":"0000:3b:02.1"},"vfio":{"dev-mount":"/dev/vfio/169","mount":"/dev/vfio/vfio"},"vhost":{"net-mount":"/dev/vhost-net","tun-mount":"/dev/net/tun"}}}',
    });
  });

  it('rdma keys, extra = "*" merged with the per-address map, uio mount on the first allocation', () => {
    const nodes = new FakeNodes();
    nodes.rdma.set('mlx5_3', [
      '/dev/infiniband/issm3',
      '/dev/infiniband/umad3',
      '/dev/infiniband/uverbs3',
      '/dev/infiniband/ucm3',
    ]);
    const rdma = dev(
      { id: '0000:86:00.2', isRdma: true },
      { address: '0000:86:00.2', driver: 'mlx5_core', rdmaDevices: ['mlx5_3'] },
    );
    const uio = dev({ id: '0000:86:00.3' }, { address: '0000:86:00.3', driver: 'igb_uio', uioDevice: 'uio7' });
    const c = config({
      additionalInfo: { '*': { tier: 'gold', zone: 'a<b>&' }, '0000:86:00.2': { zone: 'b' } },
    });
    const out = allocateContainer([rdma.id, uio.id], new Map([rdma, uio].map((d) => [d.id, d])), c, nodes);
    expect(out.envs.PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK_INFO).toBe(
      '{"0000:86:00.2":{"extra":{"tier":"gold","zone":"b"},"generic":{"deviceID":"0000:86:00.2"},' +
        '"rdma":{"issm":"/dev/infiniband/issm3","rdma_cm":"/dev/infiniband/rdma_cm","rdma_dev":"mlx5_3","umad":"/dev/infiniband/umad3","uverbs":"/dev/infiniband/uverbs3"}},' +
        '"0000:86:00.3":{"extra":{"tier":"gold","zone":"a\\u003cb\\u003e\\u0026"},"generic":{"deviceID":"0000:86:00.3"},"uio":{"mount":"/dev/uio7"}}}',
    );
    expect(out.specs.map((s) => s.hostPath)).toEqual([
      '/dev/infiniband/issm3',
      '/dev/infiniband/umad3',
      '/dev/infiniband/uverbs3',
      '/dev/infiniband/ucm3',
      '/dev/infiniband/rdma_cm',
      '/dev/uio7',
    ]);
  });

  it('vfio noiommu maps host /dev/vfio/noiommu-N to container /dev/vfio/N', () => {
    const d = dev(
      { id: '0000:00:05.0' },
      { address: '0000:00:05.0', driver: 'vfio-pci', iommuGroup: 3, vfioNoIommu: true },
    );
    const out = allocateContainer([d.id], new Map([[d.id, d]]), config(), new FakeNodes());
    expect(out.specs).toEqual([
      { containerPath: '/dev/vfio/vfio', hostPath: '/dev/vfio/vfio', permissions: 'rw' },
      { containerPath: '/dev/vfio/3', hostPath: '/dev/vfio/noiommu-3', permissions: 'rw' },
    ]);
  });

  it('needVhostNet without /dev/vhost-net gives no vhost specs or info', () => {
    const nodes = new FakeNodes();
    nodes.present.delete('/dev/vhost-net');
    const d = dev({ id: '0000:00:05.0', needVhostNet: true }, { address: '0000:00:05.0', driver: 'iavf' });
    const out = allocateContainer([d.id], new Map([[d.id, d]]), config(), nodes);
    expect(out.specs).toEqual([]);
    expect(out.envs.PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK_INFO).toBe(
      '{"0000:00:05.0":{"generic":{"deviceID":"0000:00:05.0"}}}',
    );
  });

  it('unknown device IDs are an error naming them', () => {
    expect(() => allocateContainer(['0000:99:00.0'], new Map(), config(), new FakeNodes())).toThrow(UnknownDeviceError);
  });

  it('Go-style escaping of HTML-sensitive characters and sorted keys', () => {
    expect(goMarshalSorted({ b: '1', a: { d: '\u2028', c: '"' } })).toBe('{"a":{"c":"\\"","d":"\\u2028"},"b":"1"}');
  });
});

describe('device-info files', () => {
  it('names and content follow the NPWG spec and the Go plugin', () => {
    expect(deviceInfoFileName('intel.com/intel_sriov_netdevice', '0000:af:06.0')).toBe(
      'intel.com-intel_sriov_netdevice-0000:af:06.0-device.json',
    );
    const d = dev({ id: '0000:86:00.2', isRdma: true }, { address: '0000:86:00.2', rdmaDevices: ['mlx5_3', 'mlx5_7'] });
    expect(deviceInfoContent(d)).toBe(
      '{"type":"pci","version":"1.1.0","pci":{"pci-address":"0000:86:00.2","rdma-device":"mlx5_3,mlx5_7"}}',
    );
  });
});
