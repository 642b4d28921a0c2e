import { parseDevicePluginConfig, type ResourcePool } from '@sriov-ts/netconf-schema';
import { describe, expect, it } from 'vitest';
import { pci } from '../test/facts-fixture.js';
import { assignDevicesToPools, buildPools, candidates, type HostSnapshot } from './discovery.js';
import type { PciFacts } from './facts.js';
import { uplinkNetdevs } from './uplink.js';

function pools(resourceList: object[]): readonly ResourcePool[] {
  const parsed = parseDevicePluginConfig(JSON.stringify({ resourceList }), { defaultResourcePrefix: 'x.io' });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.config.resources;
}

/** A PF at <bus>:00.0 with `count` iavf VFs at <bus>:02.<i>. */
function pfWithVfs(bus: string, pfName: string, count: number): PciFacts[] {
  const pfAddress = `0000:${bus}:00.0`;
  const out = [pci({ address: pfAddress, driver: 'ice', sriovCapable: true, numVfs: count, netdevs: [pfName] })];
  for (let i = 0; i < count; i++) {
    out.push(
      pci({ address: `0000:${bus}:02.${i}`, pfAddress, vfIndex: i, pfNetdev: pfName, netdevs: [`${pfName}v${i}`] }),
    );
  }
  return out;
}

const host = (devices: PciFacts[], defaultRoute: string[] = []): HostSnapshot => ({
  pci: devices,
  defaultRouteNetdevs: new Set(defaultRoute),
});

describe('discovery rules', () => {
  const node = host(
    [
      ...pfWithVfs('3b', 'ens1f0', 2),
      pci({ address: '0000:01:00.0', driver: 'i40e', netdevs: ['eno1'], sriovCapable: true }),
      pci({ address: '0000:5e:00.0', driver: 'vfio-pci', sriovCapable: true, iommuGroup: 7 }),
      pci({ address: '0000:5f:00.0', driver: null }),
      pci({ address: '0000:af:00.0', classBase: 0x12, device: '0d5c', driver: 'vfio-pci' }),
      pci({ address: '0000:b0:00.0', classBase: 0x12, driver: null }),
      pci({ address: '0000:00:01.0', classBase: 0x06, driver: 'pcieport' }),
    ],
    ['eno1'],
  );

  it('netDevice: PFs with VFs, unbound and default-route devices are not candidates; DPDK PFs and VFs are', () => {
    expect(candidates(node, 'netDevice').map((d) => d.pci.address)).toEqual([
      '0000:3b:02.0',
      '0000:3b:02.1',
      '0000:5e:00.0',
    ]);
    expect(candidates(node, 'accelerator').map((d) => d.pci.address)).toEqual(['0000:af:00.0']);
  });

  it('every device gets a verdict with the reason', () => {
    const config = pools([
      { resourceName: 'vfs', selectors: [{ pfNames: ['ens1f0#1'] }, { drivers: ['vfio-pci'] }] },
      { resourceName: 'rest', selectors: [{ vendors: ['8086'] }] },
    ]);
    const s = assignDevicesToPools(config, node);
    const table = Object.fromEntries(s.devices.map((d) => [d.id, [d.pool?.resourceName ?? null, d.reason]]));
    expect(table).toEqual({
      '0000:00:01.0': [null, 'not a network (0x02) or accelerator (0x12) device (class 0x06)'],
      '0000:01:00.0': [null, "carries the host's default route (eno1)"],
      '0000:3b:00.0': [null, 'a PF with 2 VFs (its VFs are offered instead)'],
      '0000:3b:02.0': ['rest', 'selectors[0] of x.io/rest'],
      '0000:3b:02.1': ['vfs', 'selectors[0] of x.io/vfs; also matches x.io/rest'],
      '0000:5e:00.0': ['vfs', 'selectors[1] of x.io/vfs; also matches x.io/rest'],
      '0000:5f:00.0': [null, 'not bound to a driver'],
      '0000:af:00.0': [null, 'no accelerator pool in the config'],
      '0000:b0:00.0': [null, 'no accelerator pool in the config'],
    });
    expect(s.pools.map((p) => [p.pool.fullName, p.devices.map((d) => d.id)])).toEqual([
      ['x.io/vfs', ['0000:3b:02.1', '0000:5e:00.0']],
      ['x.io/rest', ['0000:3b:02.0']],
    ]);
  });

  it('a device no selector takes lists each selector object and the key it failed', () => {
    const config = pools([
      { resourceName: 'a', selectors: [{ pfNames: ['ens1f0#1'] }, { drivers: ['vfio-pci'] }] },
      { resourceName: 'b', selectors: [{ vendors: ['15b3'] }] },
      { resourceName: 'q', deviceType: 'accelerator', selectors: [{ devices: ['37c9'] }] },
    ]);
    const byId = new Map(assignDevicesToPools(config, node).devices.map((d) => [d.id, d]));
    const vf0 = byId.get('0000:3b:02.0')!;
    expect(vf0.pool).toBeNull();
    expect(vf0.misses.map((m) => [m.pool.resourceName, m.selector, m.key])).toEqual([
      ['a', 0, 'pfNames'],
      ['a', 1, 'drivers'],
      ['b', 0, 'vendors'],
    ]);
    expect(vf0.reason).toBe('no selector matches (x.io/a[0]: pfNames, x.io/a[1]: drivers, x.io/b: vendors)');
    expect(byId.get('0000:af:00.0')!.reason).toBe('no selector matches (x.io/q: devices)');
    expect(byId.get('0000:b0:00.0')!.reason).toBe('not bound to a driver');
  });

  it('auxiliary devices go to auxNetDevice pools only, ranges on sfnum', () => {
    const parent = pci({
      address: '0000:03:00.0',
      vendor: '15b3',
      driver: 'mlx5_core',
      netdevs: ['p0'],
      auxDevices: [1, 2, 7].map((n) => ({
        name: `mlx5_core.sf.${n + 1}`,
        type: 'sf',
        sfnum: n,
        netdevs: [`en3f0pf0sf${n}`],
        linkType: 'ether',
        rdmaDevices: n === 7 ? [] : [`mlx5_${n}`],
      })),
    });
    const config = pools([
      {
        resourceName: 'sf',
        deviceType: 'auxNetDevice',
        selectors: [{ auxTypes: ['sf'], pfNames: ['p0#1-2'], isRdma: true }],
      },
      { resourceName: 'pf', selectors: [{ vendors: ['15b3'] }] },
    ]);
    const s = assignDevicesToPools(config, host([parent]));
    expect(s.devices.map((d) => [d.id, d.deviceType, d.pool?.resourceName ?? d.reason])).toEqual([
      ['0000:03:00.0', 'netDevice', 'pf'],
      ['mlx5_core.sf.2', 'auxNetDevice', 'sf'],
      ['mlx5_core.sf.3', 'auxNetDevice', 'sf'],
      ['mlx5_core.sf.8', 'auxNetDevice', 'no selector matches (x.io/sf: pfNames)'],
    ]);
    expect(s.pools[0]!.devices.map((d) => d.isRdma)).toEqual([true, true]);
  });

  it('buildPools: one pool per device, the first in config order, later matches logged as the Go plugin does', () => {
    const warnings: string[] = [];
    const config = pools([
      { resourceName: 'first', selectors: [{ drivers: ['iavf'] }] },
      { resourceName: 'second', selectors: [{ pfNames: ['ens1f0'] }] },
    ]);
    const built = buildPools(host(pfWithVfs('3b', 'ens1f0', 2)), config, { warn: (m) => warnings.push(m) });
    expect(built.map((p) => [p.config.resourceName, p.devices.map((d) => d.id)])).toEqual([
      ['first', ['0000:3b:02.0', '0000:3b:02.1']],
      ['second', []],
    ]);
    expect(warnings).toEqual([
      'Cannot add device [0000:3b:02.0]. Already allocated.',
      'Cannot add device [0000:3b:02.1]. Already allocated.',
    ]);
  });
});

describe('uplinkNetdevs', () => {
  it('names the links IPv4 default routes leave through; other routes and unknown indexes are ignored', () => {
    const links = [
      { index: 1, name: 'lo' },
      { index: 2, name: 'eno1' },
      { index: 3, name: 'eno2' },
    ];
    const routes = [
      { dst: '10.0.0.0/24', index: 3 },
      { dst: 'default', index: 2 },
      { dst: 'default', index: 9 },
      { dst: 'default' },
    ];
    expect([...uplinkNetdevs(links, routes)]).toEqual(['eno1']);
  });
});
