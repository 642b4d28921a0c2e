// On @sriov-ts/lab's simulated SR-IOV node (fake sysfs tree + real veth/macvlan netdevs, needs root): discovery
// through sysfs-pci, default routes and link events through netlink-ops, a fake kubelet over real unix sockets.
// Link down on a PF → its VFs become Unhealthy; link up → Healthy again.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, type Lab, MLX5_CX5_ETH } from '@sriov-ts/lab';
import { createNetlinkOps } from '@sriov-ts/netlink-ops';
import { isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDevicePluginConfig } from '../src/config.js';
import { createSysfsHost } from '../src/host.js';
import { silentLogger } from '../src/logger.js';
import { defaultRouteNetdevs, netlinkLinkSource } from '../src/netlink-host.js';
import { DevicePlugin } from '../src/plugin.js';
import { FakeKubelet } from './fake-kubelet.js';

const reason = missingPrerequisites('sriov-device-plugin lab suite', [isRoot()]);

describe.skipIf(reason !== null)('device plugin on the lab node', () => {
  let lab: Lab;
  let root: string;
  let kubelet: FakeKubelet;
  let plugin: DevicePlugin;
  const ops = createNetlinkOps();

  beforeAll(async () => {
    lab = await createLab({ pfs: [{ vfs: 3, dpdkVfs: [2] }, { vfs: 2 }, { model: MLX5_CX5_ETH, vfs: 2 }] });
    root = mkdtempSync(join(tmpdir(), 'sriovdp-lab-'));
    mkdirSync(join(root, 'dp'));
    kubelet = new FakeKubelet(join(root, 'dp'));
    await kubelet.start();
    const config = JSON.stringify({
      resourceList: [
        { resourceName: 'pf0_net', selectors: [{ pfNames: [lab.pfs[0]!.netdev], drivers: ['iavf'] }] },
        { resourceName: 'dpdk', selectors: [{ drivers: ['vfio-pci'] }] },
        { resourceName: 'pf1_net', selectors: [{ rootDevices: [lab.pfs[1]!.address] }] },
        { resourceName: 'rdma', selectors: [{ vendors: ['15b3'], isRdma: true }] },
      ],
    });
    const configFile = join(root, 'config.json');
    (await import('node:fs')).writeFileSync(configFile, config);
    plugin = new DevicePlugin({
      configFile,
      resourcePrefix: 'lab.example',
      useCdi: false,
      loadConfig: (text, prefix) => loadDevicePluginConfig(text, prefix),
      host: createSysfsHost({
        sysfs: lab.sysfs,
        log: silentLogger,
        defaultRouteNetdevs: async () => defaultRouteNetdevs(ops),
        links: netlinkLinkSource(ops, silentLogger),
      }),
      log: silentLogger,
      devicePluginDir: join(root, 'dp'),
      pluginsRegistryDir: join(root, 'no-registry'),
      deviceInfoDir: join(root, 'devinfo'),
      cdiDirs: [join(root, 'cdi')],
      rescanIntervalMs: 0,
      watchConfig: false,
    });
    await plugin.start();
  }, 120_000);

  afterAll(async () => {
    await plugin?.stop();
    await kubelet?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
    await lab?.destroy();
  });

  const health = (resource: string) =>
    Object.fromEntries((kubelet.latest(`lab.example/${resource}`) ?? []).map((d) => [d.ID, d.health]));

  it('discovers the lab VFs into pools and allocates them', async () => {
    await kubelet.waitFor(() => kubelet.plugins.size === 4, 'four pools registered');
    const pf0 = lab.pfs[0]!;
    await kubelet.waitFor(() => Object.keys(health('pf0_net')).length === 2, 'pf0 pool devices');
    expect(Object.keys(health('pf0_net'))).toEqual([pf0.vfs[0]!.address, pf0.vfs[1]!.address]);
    expect(Object.values(health('pf0_net'))).toEqual(['Healthy', 'Healthy']);
    const dpdkVf = pf0.vfs[2]!;
    const dpdk = await kubelet.allocate('lab.example/dpdk', [dpdkVf.address]);
    expect(dpdk.containerResponses[0]!.devices.map((d) => d.hostPath)).toEqual(['/dev/vfio/vfio', dpdkVf.vfioDevice]);
    expect(kubelet.latest('lab.example/pf1_net')!.map((d) => d.ID)).toEqual(lab.pfs[1]!.vfs.map((v) => v.address));
    const rdma = kubelet.latest('lab.example/rdma')!;
    expect(rdma.length).toBeGreaterThan(0);
    const info = await kubelet.allocate('lab.example/rdma', [rdma[0]!.ID]);
    expect(info.containerResponses[0]!.envs.PCIDEVICE_LAB_EXAMPLE_RDMA_INFO).toContain('"rdma_dev":"mlx5_');
  });

  it('PF link down → its VFs Unhealthy (others untouched); link up → Healthy', async () => {
    const pf0 = lab.pfs[0]!;
    await ops.setLinkDown(pf0.netdev);
    await kubelet.waitFor(() => Object.values(health('pf0_net')).every((h) => h === 'Unhealthy'), 'unhealthy');
    await kubelet.waitFor(() => health('dpdk')[pf0.vfs[2]!.address] === 'Unhealthy', 'dpdk VF of pf0 unhealthy');
    expect(Object.values(health('pf1_net')).every((h) => h === 'Healthy')).toBe(true);
    await ops.setLinkUp(pf0.netdev);
    await kubelet.waitFor(() => Object.values(health('pf0_net')).every((h) => h === 'Healthy'), 'healthy again');
  });
});
