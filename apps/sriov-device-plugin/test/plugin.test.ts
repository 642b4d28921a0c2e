// Real gRPC over real unix sockets: the plugin against a fake kubelet, with in-memory host facts.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeHost, pci, pfWithVfs } from './host-fixtures.js';
import { type Harness, startHarness } from './plugin-harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const R = 'intel.com/sriov_net';

function mixedHost(): FakeHost {
  const drivers = ['iavf', 'vfio-pci', 'igb_uio', 'iavf'];
  const host = new FakeHost([
    ...pfWithVfs({ bus: '3b', pfName: 'ens1f0', count: 4, numa: 1, driverFor: (i) => drivers[i]! }),
    // host uplink: carries the default route, never offered
    pci({ address: '0000:01:00.0', device: '1572', driver: 'i40e', netdevs: ['eno1'] }),
    // PF without VFs, bound to vfio-pci (DPDK): offered
    pci({
      address: '0000:5e:00.0',
      device: '1572',
      driver: 'vfio-pci',
      sriovCapable: true,
      iommuGroup: 7,
      numaNode: -1,
    }),
    // accelerator
    pci({
      address: '0000:af:00.0',
      classBase: 0x12,
      vendor: '8086',
      device: '0d5c',
      driver: 'vfio-pci',
      iommuGroup: 9,
    }),
  ]);
  const uio = host.snapshotValue.pci.find((p) => p.driver === 'igb_uio')!;
  uio.uioDevice = 'uio3';
  host.snapshotValue.defaultRouteNetdevs.add('eno1');
  return host;
}

describe('direct registration and the DevicePlugin service', () => {
  it('registers, answers GetDevicePluginOptions, streams devices with NUMA topology, allocates', async () => {
    const host = mixedHost();
    h = await startHarness(host, {
      resourceList: [
        { resourceName: 'sriov_net', selectors: [{ drivers: ['iavf'] }] },
        { resourceName: 'sriov_dpdk', selectors: [{ drivers: ['vfio-pci', 'igb_uio'], needVhostNet: true }] },
        { resourceName: 'accel', deviceType: 'accelerator', selectors: { vendors: ['8086'] }, excludeTopology: true },
        { resourceName: 'empty', selectors: [{ vendors: ['15b3'] }] },
      ],
    });
    const k = h.kubelet;
    await k.waitFor(
      () => k.plugins.size === 3 && [...k.plugins.values()].every((p) => p.updates.length > 0),
      '3 pools',
    );
    expect(k.registrations.map((r) => [r.version, r.endpoint, r.resourceName]).sort()).toEqual([
      ['v1beta1', 'intel.com_accel.sock', 'intel.com/accel'],
      ['v1beta1', 'intel.com_sriov_dpdk.sock', 'intel.com/sriov_dpdk'],
      ['v1beta1', 'intel.com_sriov_net.sock', 'intel.com/sriov_net'],
    ]);
    expect(existsSync(join(h.dpDir, 'intel.com_empty.sock'))).toBe(false);
    expect(k.plugins.get(R)!.options).toEqual({ preStartRequired: false, getPreferredAllocationAvailable: true });
    expect(k.latest(R)).toEqual([
      { ID: '0000:3b:02.0', health: 'Healthy', topology: { nodes: [{ ID: 1 }] } },
      { ID: '0000:3b:02.3', health: 'Healthy', topology: { nodes: [{ ID: 1 }] } },
    ]);
    // The DPDK PF has numa -1 → no topology; the default-route uplink and the PF with VFs are absent.
    expect(k.latest('intel.com/sriov_dpdk')).toEqual([
      { ID: '0000:3b:02.1', health: 'Healthy', topology: { nodes: [{ ID: 1 }] } },
      { ID: '0000:3b:02.2', health: 'Healthy', topology: { nodes: [{ ID: 1 }] } },
      { ID: '0000:5e:00.0', health: 'Healthy', topology: undefined },
    ]);
    expect(k.latest('intel.com/accel')).toEqual([{ ID: '0000:af:00.0', health: 'Healthy', topology: undefined }]);

    const net = await k.allocate(R, ['0000:3b:02.3', '0000:3b:02.0']);
    expect(net.containerResponses).toHaveLength(1);
    expect(net.containerResponses[0]!.envs).toEqual({
      PCIDEVICE_INTEL_COM_SRIOV_NET: '0000:3b:02.3,0000:3b:02.0',
      PCIDEVICE_INTEL_COM_SRIOV_NET_INFO:
        '{"0000:3b:02.0":{"generic":{"deviceID":"0000:3b:02.0"}},"0000:3b:02.3":{"generic":{"deviceID":"0000:3b:02.3"}}}',
    });
    expect(net.containerResponses[0]!.devices).toEqual([]);
    expect(net.containerResponses[0]!.mounts).toEqual([]);
    const infoFile = join(h.devInfoDir, 'intel.com-sriov_net-0000:3b:02.3-device.json');
    expect(readFileSync(infoFile, 'utf8')).toBe(
      '{"type":"pci","version":"1.1.0","pci":{"pci-address":"0000:3b:02.3"}}',
    );
    expect(statSync(infoFile).mode & 0o777).toBe(0o444);

    const dpdk = await k.allocate('intel.com/sriov_dpdk', ['0000:3b:02.1', '0000:3b:02.2', '0000:5e:00.0']);
    const c = dpdk.containerResponses[0]!;
    expect(c.envs.PCIDEVICE_INTEL_COM_SRIOV_DPDK).toBe('0000:3b:02.1,0000:3b:02.2,0000:5e:00.0');
    expect(c.envs.PCIDEVICE_INTEL_COM_SRIOV_DPDK_INFO).toBe(
      '{"0000:3b:02.1":{"generic":{"deviceID":"0000:3b:02.1"},"vfio":{"dev-mount":"/dev/vfio/101","mount":"/dev/vfio/vfio"},"vhost":{"net-mount":"/dev/vhost-net","tun-mount":"/dev/net/tun"}},' +
        '"0000:3b:02.2":{"generic":{"deviceID":"0000:3b:02.2"},"uio":{"mount":"/dev/uio3"},"vhost":{"net-mount":"/dev/vhost-net","tun-mount":"/dev/net/tun"}},' +
        '"0000:5e:00.0":{"generic":{"deviceID":"0000:5e:00.0"},"vfio":{"dev-mount":"/dev/vfio/7","mount":"/dev/vfio/vfio"},"vhost":{"net-mount":"/dev/vhost-net","tun-mount":"/dev/net/tun"}}}',
    );
    // De-duplicated by host path, in device order.
    expect(c.devices.map((d) => [d.containerPath, d.hostPath, d.permissions])).toEqual([
      ['/dev/vfio/vfio', '/dev/vfio/vfio', 'rw'],
      ['/dev/vfio/101', '/dev/vfio/101', 'rw'],
      ['/dev/vhost-net', '/dev/vhost-net', 'rw'],
      ['/dev/net/tun', '/dev/net/tun', 'rw'],
      ['/dev/uio3', '/dev/uio3', 'rw'],
      ['/dev/vfio/7', '/dev/vfio/7', 'rw'],
    ]);

    const accel = await k.allocate('intel.com/accel', ['0000:af:00.0']);
    expect(accel.containerResponses[0]!.envs.PCIDEVICE_INTEL_COM_ACCEL).toBe('0000:af:00.0');
    expect(accel.containerResponses[0]!.devices.map((d) => d.hostPath)).toEqual(['/dev/vfio/vfio', '/dev/vfio/9']);
    // accelerator pools write no device-info files
    expect(readdirSync(h.devInfoDir).sort()).toEqual([
      'intel.com-sriov_dpdk-0000:3b:02.1-device.json',
      'intel.com-sriov_dpdk-0000:3b:02.2-device.json',
      'intel.com-sriov_dpdk-0000:5e:00.0-device.json',
      'intel.com-sriov_net-0000:3b:02.0-device.json',
      'intel.com-sriov_net-0000:3b:02.3-device.json',
    ]);

    await expect(k.allocate(R, ['0000:3b:02.1'])).rejects.toThrow(/not in resource pool intel.com\/sriov_net/);
  });

  it('removes a stale socket file before binding', async () => {
    const host = new FakeHost(pfWithVfs({ bus: '3b', pfName: 'ens1f0', count: 1 }));
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    // A leftover regular file where the socket goes would make bind fail with EADDRINUSE.
    const dir = mkdtempSync(join(tmpdir(), 'sriovdp-stale-'));
    mkdirSync(join(dir, 'device-plugins'));
    writeFileSync(join(dir, 'device-plugins', 'intel.com_sriov_net.sock'), 'stale');
    h = await startHarness(
      host,
      { resourceList: [{ resourceName: 'sriov_net', selectors: [{}] }] },
      {
        devicePluginDir: join(dir, 'device-plugins'),
      },
    );
    const k = h.kubelet;
    expect(k.dir).not.toBe(join(dir, 'device-plugins'));
    // The harness's kubelet lives in its own folder; talk to the plugin's socket directly.
    await k.connect(R, join(dir, 'device-plugins', 'intel.com_sriov_net.sock'));
    await k.waitFor(() => (k.latest(R)?.length ?? 0) === 1, 'devices via the re-bound socket');
    rmSync(dir, { recursive: true, force: true });
  });

  it('GetPreferredAllocation keeps one NUMA node and spreads over PFs', async () => {
    const host = new FakeHost([
      ...pfWithVfs({ bus: '3b', pfName: 'p0', count: 4, numa: 0 }),
      ...pfWithVfs({ bus: '3c', pfName: 'p1', count: 4, numa: 0 }),
      ...pfWithVfs({ bus: '86', pfName: 'p2', count: 4, numa: 1 }),
    ]);
    h = await startHarness(host, { resourceList: [{ resourceName: 'sriov_net', selectors: [{}] }] });
    const k = h.kubelet;
    await k.waitFor(() => (k.latest(R)?.length ?? 0) === 12, '12 devices');
    const all = k.latest(R)!.map((d) => d.ID);
    const res = await k.preferred(R, all, [], 2);
    expect(res.containerResponses[0]!.deviceIDs).toEqual(['0000:3b:02.0', '0000:3c:02.0']);
    const withMust = await k.preferred(R, all, ['0000:86:02.1'], 3);
    expect(withMust.containerResponses[0]!.deviceIDs).toEqual(['0000:86:02.1', '0000:86:02.0', '0000:86:02.2']);
  });

  it('CDI mode: annotations instead of specs, one spec file per pool, cleaned on stop', async () => {
    const host = mixedHost();
    h = await startHarness(
      host,
      { resourceList: [{ resourceName: 'dpdk', selectors: [{ drivers: ['vfio-pci'] }] }] },
      { useCdi: true },
    );
    const k = h.kubelet;
    await k.waitFor(() => (k.latest('intel.com/dpdk')?.length ?? 0) === 2, 'dpdk pool');
    const res = await k.allocate('intel.com/dpdk', ['0000:3b:02.1']);
    const c = res.containerResponses[0]!;
    expect(c.devices).toEqual([]);
    expect(c.annotations).toEqual({ 'cdi.k8s.io/intel.com_net-pci': 'intel.com/net-pci=0000:3b:02.1' });
    const spec = readFileSync(join(h.cdiDir, 'sriov-dp-intel.com-net-pci-dpdk.yaml'), 'utf8');
    expect(spec).toContain('kind: "intel.com/net-pci"');
    expect(spec).toContain('- name: "0000:3b:02.1"');
    expect(spec).toContain('hostPath: "/dev/vfio/101"');
    await h.plugin.stop();
    expect(readdirSync(h.cdiDir)).toEqual([]);
  });
});
