// Facts and selection on the lab's fake sysfs tree (no root: realNetdevs false), through the real sysfs-pci reader.
import { createLab, type Lab } from '@sriov-ts/lab';
import { parseDevicePluginConfig } from '@sriov-ts/netconf-schema';
import { createSysfs } from '@sriov-ts/sysfs-pci';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignDevicesToPools, scanPciFacts } from '../src/index.js';

let lab: Lab;
beforeAll(async () => {
  lab = await createLab({
    realNetdevs: false,
    pfs: [
      { model: 'intel-xxv710', vfs: 4, dpdkVfs: [3] },
      { model: 'mlx5-cx6-ib', vfs: 2, numaNode: 1 },
      { model: 'mlx5-cx5-eth', vfs: 0, subfunctions: 2 },
    ],
  });
});
afterAll(async () => {
  await lab?.destroy();
});

describe('selection on the lab tree', () => {
  it('facts carry VF/PF relations, drivers, link types, pkeys and SFs as sysfs says', () => {
    const facts = new Map(scanPciFacts(createSysfs({ root: lab.root })).map((f) => [f.address, f]));
    const [intel, ib, eth] = lab.pfs;
    expect(facts.get(intel!.address)).toMatchObject({ classBase: 0x02, sriovCapable: true, numVfs: 4, vfIndex: -1 });
    expect(facts.get(lab.vf(0, 3).address)).toMatchObject({
      driver: 'vfio-pci',
      netdevs: [],
      pfAddress: intel!.address,
      pfNetdev: intel!.netdev,
      vfIndex: 3,
      linkType: 'ether',
      iommuGroup: Number(lab.vf(0, 3).iommuGroup),
    });
    expect(facts.get(lab.vf(1, 1).address)).toMatchObject({ linkType: 'infiniband', pKey: '0xffff', numaNode: 1 });
    expect(facts.get(eth!.address)!.auxDevices.map((a) => [a.name, a.type, a.linkType])).toEqual(
      eth!.subfunctions.map((sf) => [sf.name, 'sf', 'ether']),
    );
    expect(facts.get(ib!.address)!.rdmaDevices).toEqual([ib!.rdmaDevice]);
  });

  it('assigns each device of the tree to its pool, or says why none takes it', () => {
    const [intel, ib, eth] = lab.pfs;
    const parsed = parseDevicePluginConfig({
      resourceList: [
        { resourceName: 'intel_vf', selectors: [{ pfNames: [`${intel!.netdev}#0-1`], drivers: ['iavf'] }] },
        { resourceName: 'intel_dpdk', selectors: [{ drivers: ['vfio-pci'] }] },
        { resourceName: 'ib', selectors: [{ linkTypes: ['infiniband'], isRdma: true }] },
        {
          resourceName: 'sf',
          resourcePrefix: 'nvidia.com',
          deviceType: 'auxNetDevice',
          selectors: [{ auxTypes: ['sf'] }],
        },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.error.message);
    const sel = assignDevicesToPools(parsed.config.resources, {
      pci: scanPciFacts(createSysfs({ root: lab.root })),
      defaultRouteNetdevs: new Set(),
    });
    const verdict = Object.fromEntries(sel.devices.map((d) => [d.id, d.pool?.fullName ?? d.reason]));
    expect(verdict).toMatchObject({
      [intel!.address]: 'a PF with 4 VFs (its VFs are offered instead)',
      [lab.vf(0, 0).address]: 'intel.com/intel_vf',
      [lab.vf(0, 1).address]: 'intel.com/intel_vf',
      [lab.vf(0, 2).address]:
        'no selector matches (intel.com/intel_vf: pfNames, intel.com/intel_dpdk: drivers, intel.com/ib: linkTypes)',
      [lab.vf(0, 3).address]: 'intel.com/intel_dpdk',
      [ib!.address]: 'a PF with 2 VFs (its VFs are offered instead)',
      [lab.vf(1, 0).address]: 'intel.com/ib',
      [lab.vf(1, 1).address]: 'intel.com/ib',
      // A PF with no VFs is offered; nothing selects this one.
      [eth!.address]:
        'no selector matches (intel.com/intel_vf: drivers, intel.com/intel_dpdk: drivers, intel.com/ib: linkTypes)',
      [lab.pfs[2]!.subfunctions[0]!.name]: 'nvidia.com/sf',
      [lab.pfs[2]!.subfunctions[1]!.name]: 'nvidia.com/sf',
    });
    const bridges = sel.devices.filter((d) => d.pci.classBase === 0x06);
    expect(bridges.length).toBeGreaterThan(0);
    for (const b of bridges) expect(b.reason).toBe('not a network (0x02) or accelerator (0x12) device (class 0x06)');
    expect(sel.devices).toHaveLength(Object.keys(verdict).length);
  });
});
