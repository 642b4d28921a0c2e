import { describe, expect, it } from 'vitest';
import { type DevicePluginConfig, parseDevicePluginConfig, parseIndexedName, selectsIndex } from '../src/index.js';

function ok(input: unknown, prefix?: string): { config: DevicePluginConfig; warnings: readonly string[] } {
  const r = parseDevicePluginConfig(input, prefix ? { defaultResourcePrefix: prefix } : {});
  if (!r.ok) throw new Error(`expected success, got ${r.error.message}`);
  return r;
}
function err(input: unknown) {
  const r = parseDevicePluginConfig(input);
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

describe('device plugin config: modern format', () => {
  it('normalises a full netDevice entry', () => {
    const { config } = ok({
      resourceList: [
        {
          resourceName: 'intel_sriov_netdevice',
          resourcePrefix: 'example.com',
          excludeTopology: true,
          selectors: {
            vendors: ['8086'],
            devices: ['154c', '10ed'],
            drivers: ['iavf', 'ixgbevf'],
            pciAddresses: ['0000:3b:02.0'],
            acpiIndexes: ['101'],
            pfNames: ['ens1f0#0-3,5'],
            rootDevices: ['0000:86:00.0'],
            linkTypes: ['ether'],
            ddpProfiles: ['GTPv1-C/U IPv4/IPv6 payload'],
            pKeys: ['0x7fff'],
            isRdma: false,
            needVhostNet: true,
            vdpaType: 'vhost',
          },
          additionalInfo: { '*': { token: 'abc' } },
        },
      ],
    });
    expect(config.skipped).toEqual([]);
    expect(config.resources).toEqual([
      {
        index: 0,
        resourceName: 'intel_sriov_netdevice',
        resourcePrefix: 'example.com',
        fullName: 'example.com/intel_sriov_netdevice',
        deviceType: 'netDevice',
        excludeTopology: true,
        additionalInfo: { '*': { token: 'abc' } },
        format: 'modern',
        selectors: [
          {
            vendors: ['8086'],
            devices: ['154c', '10ed'],
            drivers: ['iavf', 'ixgbevf'],
            pciAddresses: ['0000:3b:02.0'],
            acpiIndexes: ['101'],
            pfNames: [
              {
                raw: 'ens1f0#0-3,5',
                name: 'ens1f0',
                ranges: [
                  { first: 0, last: 3 },
                  { first: 5, last: 5 },
                ],
                problems: [],
              },
            ],
            rootDevices: [{ raw: '0000:86:00.0', name: '0000:86:00.0', problems: [] }],
            linkTypes: ['ether'],
            ddpProfiles: ['GTPv1-C/U IPv4/IPv6 payload'],
            pKeys: ['0x7fff'],
            isRdma: false,
            needVhostNet: true,
            vdpaType: 'vhost',
          },
        ],
      },
    ]);
  });

  it('selectors: one object and a one-element array give the same pools; arrays keep their order', () => {
    const sel = { vendors: ['15b3'], isRdma: true };
    const asObject = ok({ resourceList: [{ resourceName: 'a', selectors: sel }] }).config;
    const asArray = ok({ resourceList: [{ resourceName: 'a', selectors: [sel] }] }).config;
    expect(asArray).toEqual(asObject);
    const two = ok({
      resourceList: [{ resourceName: 'a', selectors: [{ drivers: ['mlx5_core'] }, { drivers: ['vfio-pci'] }] }],
    }).config.resources[0]!.selectors;
    expect(two.map((s) => s.drivers)).toEqual([['mlx5_core'], ['vfio-pci']]);
  });

  it('keys match case-insensitively (the operator writes IsRdma / NeedVhostNet)', () => {
    const { config } = ok({
      ResourceList: [
        {
          RESOURCENAME: 'a',
          DeviceType: 'netDevice',
          Selectors: [{ IsRdma: true, NeedVhostNet: true, PCIADDRESSES: ['0000:01:00.1'], PfNames: ['p0'] }],
          SelectorObj: null,
        },
      ],
    });
    expect(config.resources[0]!.selectors[0]).toMatchObject({
      isRdma: true,
      needVhostNet: true,
      pciAddresses: ['0000:01:00.1'],
      pfNames: [{ name: 'p0' }],
    });
  });

  it('accelerator and auxNetDevice read only their own selector keys (others are warned about)', () => {
    const r = ok({
      resourceList: [
        {
          resourceName: 'qat',
          deviceType: 'accelerator',
          selectors: { vendors: ['8086'], pfNames: ['x'], isRdma: true },
        },
        {
          resourceName: 'sf',
          deviceType: 'auxNetDevice',
          selectors: { auxTypes: ['sf'], rootDevices: ['0000:01:00.0#1-2'], pciAddresses: ['x'] },
        },
      ],
    });
    expect(r.config.resources[0]!.selectors[0]).toEqual({ vendors: ['8086'], isRdma: false, needVhostNet: false });
    expect(r.config.resources[1]!.selectors[0]).toMatchObject({
      auxTypes: ['sf'],
      rootDevices: [{ ranges: [{ first: 1, last: 2 }] }],
    });
    expect(r.config.resources[1]!.selectors[0]!.pciAddresses).toBeUndefined();
    expect(r.warnings).toEqual([
      'resourceList[0].selectors: "pfNames" is not a selector of deviceType accelerator; ignored',
      'resourceList[0].selectors: "isRdma" is not a selector of deviceType accelerator; ignored',
      'resourceList[1].selectors: "pciAddresses" is not a selector of deviceType auxNetDevice; ignored',
    ]);
  });

  it('default and per-entry resource prefixes', () => {
    const { config } = ok(
      {
        resourceList: [
          { resourceName: 'a', selectors: {} },
          { resourceName: 'a', resourcePrefix: 'b.io', selectors: {} },
        ],
      },
      'nvidia.com',
    );
    expect(config.resources.map((r) => r.fullName)).toEqual(['nvidia.com/a', 'b.io/a']);
  });
});

describe('device plugin config: where the Go plugin exits, crashes or skips', () => {
  it('empty resourceList', () => {
    expect(err({ resourceList: [] }).message).toBe('no resource configuration; exiting');
    expect(err({}).message).toBe('no resource configuration; exiting');
  });

  it('null or missing selectors (Go: nil dereference) name the entry and key', () => {
    expect(
      err({
        resourceList: [
          { resourceName: 'a', selectors: {} },
          { resourceName: 'b', selectors: null },
        ],
      }),
    ).toEqual({
      code: 7,
      message:
        'resourceList[1].selectors: "intel.com/b" has no selectors (missing or null); the Go plugin crashes on this',
      path: 'resourceList[1].selectors',
    });
    expect(err({ resourceList: [{ resourceName: 'a' }] }).path).toBe('resourceList[0].selectors');
    expect(err({ resourceList: [{ resourceName: 'a', selectors: [] }] }).message).toBe(
      'resourceList[0].selectors: need at least one selector',
    );
  });

  it('resource names must match ^[a-zA-Z0-9_-]+$', () => {
    expect(err({ resourceList: [{ resourceName: 'bad.name', selectors: {} }] })).toEqual({
      code: 7,
      message: 'resourceList[0].resourceName: resource name "bad.name" is invalid: it must match ^[a-zA-Z0-9_-]+$',
      path: 'resourceList[0].resourceName',
    });
    expect(err({ resourceList: [{ selectors: {} }] }).path).toBe('resourceList[0].resourceName');
  });

  it('duplicate prefix/resourceName', () => {
    expect(
      err({
        resourceList: [
          { resourceName: 'a', selectors: {} },
          { resourceName: 'a', selectors: { vendors: ['8086'] } },
        ],
      }).message,
    ).toBe('resourceList[1].resourceName: resource name "intel.com/a" already exists (also resourceList[0])');
  });

  it('deviceType is checked for every entry before names (Go readConfig runs before validConfigs)', () => {
    expect(
      err({
        resourceList: [
          { resourceName: 'bad name', selectors: {} },
          { resourceName: 'b', deviceType: 'x', selectors: {} },
        ],
      }).path,
    ).toBe('resourceList[1].deviceType');
  });

  it('unsupported deviceType (the Go text has two spaces)', () => {
    expect(err({ resourceList: [{ resourceName: 'a', deviceType: 'gpu', selectors: {} }] }).message).toBe(
      'resourceList[0].deviceType: unsupported deviceType:  "gpu"',
    );
  });

  it('isRdma with vdpaType in one selector object is fatal; in separate objects it is fine', () => {
    expect(
      err({ resourceList: [{ resourceName: 'a', selectors: [{ isRdma: true, vdpaType: 'vhost' }] }] }).message,
    ).toBe('resourceList[0].selectors[0]: VdpaType and IsRdma are mutually exclusive options');
    expect(
      ok({ resourceList: [{ resourceName: 'a', selectors: [{ isRdma: true }, { vdpaType: 'vhost' }] }] }).config
        .resources,
    ).toHaveLength(1);
  });

  it('auxNetDevice needs auxTypes, only "sf"', () => {
    expect(err({ resourceList: [{ resourceName: 'a', deviceType: 'auxNetDevice', selectors: {} }] }).message).toBe(
      'resourceList[0].selectors: auxNetDevice selectors need "auxTypes" (only "sf" is supported)',
    );
    expect(
      err({ resourceList: [{ resourceName: 'a', deviceType: 'auxNetDevice', selectors: { auxTypes: ['sf', 'eth'] } }] })
        .message,
    ).toBe('resourceList[0].selectors: auxTypes value "eth" is not supported (only "sf")');
  });

  it('a selector that fails to decode skips only that resource (as Go does)', () => {
    const r = ok({
      resourceList: [
        { resourceName: 'bad', selectors: { vendors: '8086' } },
        { resourceName: 'good', selectors: {} },
      ],
    });
    expect(r.config.resources.map((x) => x.resourceName)).toEqual(['good']);
    expect(r.config.skipped).toEqual([
      {
        index: 0,
        resourceName: 'bad',
        reason:
          'resourceList[0].selectors: json: cannot unmarshal string into Go struct field NetDeviceSelectors.vendors of type []string',
      },
    ]);
  });

  it('a wrongly typed resource field rejects the whole config (Go readConfig)', () => {
    expect(err({ resourceList: [{ resourceName: 'a', excludeTopology: 'yes', selectors: {} }] })).toEqual({
      code: 7,
      message:
        'resourceList[0].excludeTopology: json: cannot unmarshal string into Go struct field ResourceConfig.resourceList.excludeTopology of type bool',
      path: 'resourceList[0].excludeTopology',
    });
    expect(err({ resourceList: {} }).path).toBe('resourceList');
    // document order, not schema order
    expect(err({ resourceList: [{ sriovMode: 1, resourceName: 2 }] }).path).toBe('resourceList[0].sriovMode');
    expect(err({ resourceList: [[]] }).message).toBe(
      'resourceList[0]: json: cannot unmarshal array into Go struct field ResourceConfList.resourceList of type types.ResourceConfig',
    );
    expect(err('not json').code).toBe(6);
  });

  it('warns about more than one linkTypes value and upper-case vendors', () => {
    expect(
      ok({
        resourceList: [{ resourceName: 'a', selectors: { linkTypes: ['ether', 'infiniband'], vendors: ['15B3'] } }],
      }).warnings,
    ).toEqual([
      'resourceList[0].selectors: Link type selector should have a single value.',
      'resourceList[0].selectors: vendor "15B3" has upper-case letters; it matches nothing',
    ]);
  });
});

describe('device plugin config: legacy seed format', () => {
  it('rootDevices + sriovMode + deviceType normalise to the same model', () => {
    const { config } = ok({
      resourceList: [
        {
          resourceName: 'sriov_net_A',
          rootDevices: ['02:00.0', '0000:02:00.2'],
          sriovMode: true,
          deviceType: 'netdevice',
        },
        { resourceName: 'sriov_net_B', rootDevices: ['03:00.0'], sriovMode: true, deviceType: 'vfio' },
        { resourceName: 'dpdk_uio', rootDevices: ['04:00.0'], sriovMode: true, deviceType: 'uio' },
        { resourceName: 'pf_only', rootDevices: ['05:00.0'], sriovMode: false },
      ],
    });
    expect(config.resources.map((r) => [r.format, r.deviceType, r.selectors])).toEqual([
      [
        'legacy',
        'netDevice',
        [
          {
            isRdma: false,
            needVhostNet: false,
            requireNetdev: true,
            rootDevices: [
              { raw: '0000:02:00.0', name: '0000:02:00.0', problems: [] },
              { raw: '0000:02:00.2', name: '0000:02:00.2', problems: [] },
            ],
          },
        ],
      ],
      [
        'legacy',
        'netDevice',
        [
          {
            isRdma: false,
            needVhostNet: false,
            drivers: ['vfio-pci'],
            rootDevices: [{ raw: '0000:03:00.0', name: '0000:03:00.0', problems: [] }],
          },
        ],
      ],
      [
        'legacy',
        'netDevice',
        [
          {
            isRdma: false,
            needVhostNet: false,
            drivers: ['igb_uio', 'uio_pci_generic'],
            rootDevices: [{ raw: '0000:04:00.0', name: '0000:04:00.0', problems: [] }],
          },
        ],
      ],
      [
        'legacy',
        'netDevice',
        [{ isRdma: false, needVhostNet: false, requireNetdev: true, pciAddresses: ['0000:05:00.0'] }],
      ],
    ]);
  });

  it('legacy and modern entries can be mixed, but not inside one entry', () => {
    expect(
      ok({
        resourceList: [
          { resourceName: 'old', rootDevices: ['02:00.0'], sriovMode: true },
          { resourceName: 'new', selectors: {} },
        ],
      }).config.resources.map((r) => r.format),
    ).toEqual(['legacy', 'modern']);
    expect(err({ resourceList: [{ resourceName: 'x', rootDevices: ['02:00.0'], selectors: {} }] }).message).toBe(
      'resourceList[0]: mixes the legacy keys "rootDevices"/"sriovMode" with "selectors"; use one format per entry',
    );
  });

  it('rejects bad legacy addresses and device types', () => {
    expect(err({ resourceList: [{ resourceName: 'x', rootDevices: ['02:00'], sriovMode: true }] }).message).toBe(
      'resourceList[0].rootDevices[0]: "02:00" is not a PCI address (BB:DD.F or DDDD:BB:DD.F)',
    );
    expect(
      err({ resourceList: [{ resourceName: 'x', rootDevices: ['02:00.0'], deviceType: 'netDevice' }] }).message,
    ).toBe('resourceList[0].deviceType: unsupported legacy deviceType:  "netDevice" (netdevice, uio or vfio)');
    expect(err({ resourceList: [{ resourceName: 'x', rootDevices: [] }] }).message).toBe(
      'resourceList[0].rootDevices: legacy entry needs at least one root device',
    );
  });
});

describe('# range syntax for pfNames / rootDevices', () => {
  it('parses names, single indices and inclusive ranges', () => {
    expect(parseIndexedName('ens1f0#0-3,5')).toEqual({
      raw: 'ens1f0#0-3,5',
      name: 'ens1f0',
      ranges: [
        { first: 0, last: 3 },
        { first: 5, last: 5 },
      ],
      problems: [],
    });
    expect(parseIndexedName('0000:86:00.0#0-1,3,4').ranges).toEqual([
      { first: 0, last: 1 },
      { first: 3, last: 3 },
      { first: 4, last: 4 },
    ]);
    expect(parseIndexedName('netpf0')).toEqual({ raw: 'netpf0', name: 'netpf0', problems: [] });
  });

  it('drops malformed items the way Go skips them', () => {
    expect(parseIndexedName('p0#1,x,3-2,4-5-6,7-8')).toEqual({
      raw: 'p0#1,x,3-2,4-5-6,7-8',
      name: 'p0',
      ranges: [
        { first: 1, last: 1 },
        { first: 7, last: 8 },
      ],
      problems: [
        'p0#1,x,3-2,4-5-6,7-8: index "x" is not a number',
        'p0#1,x,3-2,4-5-6,7-8: range "3-2" ends before it starts',
        'p0#1,x,3-2,4-5-6,7-8: "4-5-6" is not a range A-B',
      ],
    });
    expect(parseIndexedName('p0#').problems).toEqual(['p0#: index "" is not a number']);
    expect(parseIndexedName('a#1#2')).toEqual({
      raw: 'a#1#2',
      name: 'a',
      ranges: [],
      problems: ['a#1#2: more than one "#"; the selector matches nothing'],
    });
  });

  it('selectsIndex', () => {
    const s = parseIndexedName('p0#0-3,5');
    expect([0, 3, 4, 5, 6].map((i) => selectsIndex(s, i))).toEqual([true, true, false, true, false]);
    expect(selectsIndex(parseIndexedName('p0'), 99)).toBe(true);
    expect(selectsIndex(parseIndexedName('p0#'), 0)).toBe(false);
  });
});
