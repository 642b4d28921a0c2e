import { describe, expect, it } from 'vitest';
import { InvalidConfigError, loadDevicePluginConfig } from './config.js';

const load = (doc: unknown, prefix = 'intel.com') => loadDevicePluginConfig(JSON.stringify(doc), prefix);

describe('config through netconf-schema', () => {
  it('normalises the modern format (object or array selectors, per-pool prefix, case-insensitive keys)', () => {
    const pools = load({
      resourceList: [
        { resourceName: 'a', selectors: { vendors: ['8086'], IsRdma: true } },
        {
          resourceName: 'b',
          resourcePrefix: 'nvidia.com',
          deviceType: 'accelerator',
          selectors: [{ devices: ['0d5c'] }],
          excludeTopology: true,
        },
      ],
    });
    expect(pools).toEqual([
      {
        resourceName: 'a',
        resourcePrefix: 'intel.com',
        deviceType: 'netDevice',
        excludeTopology: false,
        additionalInfo: {},
        selectors: [{ vendors: ['8086'], isRdma: true, needVhostNet: false }],
      },
      {
        resourceName: 'b',
        resourcePrefix: 'nvidia.com',
        deviceType: 'accelerator',
        excludeTopology: true,
        additionalInfo: {},
        selectors: [{ devices: ['0d5c'], isRdma: false, needVhostNet: false }],
      },
    ]);
  });

  it('maps the legacy seed format to selectors', () => {
    const [pool] = load({
      resourceList: [{ resourceName: 'l', rootDevices: ['3b:02.0'], sriovMode: false, deviceType: 'vfio' }],
    });
    expect(pool!.selectors).toEqual([
      { drivers: ['vfio-pci'], pciAddresses: ['0000:3b:02.0'], isRdma: false, needVhostNet: false },
    ]);
  });

  it('errors name the entry and the key', () => {
    expect(() =>
      load({
        resourceList: [
          { resourceName: 'ok', selectors: {} },
          { resourceName: 'x y', selectors: {} },
        ],
      }),
    ).toThrow(/resourceList\[1\]\.resourceName/);
    expect(() => load({ resourceList: [{ resourceName: 'a' }] })).toThrow(/resourceList\[0\]\.selectors/);
  });

  it('rejects prefixes that are not DNS subdomains (they become file names)', () => {
    expect(() => load({ resourceList: [{ resourceName: 'a', resourcePrefix: '../etc', selectors: {} }] })).toThrow(
      new InvalidConfigError(
        'resourceList[0].resourcePrefix: "../etc": resource prefix must be a DNS subdomain (lower-case a-z, 0-9, "-" and ".", at most 253 characters)',
        'resourceList[0].resourcePrefix',
      ),
    );
    expect(() => load({ resourceList: [{ resourceName: 'a', selectors: {} }] }, 'Intel.com')).toThrow(
      /-resource-prefix "Intel.com"/,
    );
  });
});
