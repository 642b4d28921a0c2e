import * as z from 'zod/mini';
import type { GoStruct } from '../go-json.js';
import { type Annotate, noAnnotations, withAnnotations } from '../sriov/schema.js';

/** SR-IOV network device plugin config (`/etc/pcidp/config.json`): modern and legacy-seed resource entries. */

export const DEVICE_TYPES = ['netDevice', 'accelerator', 'auxNetDevice'] as const;
export const LEGACY_DEVICE_TYPES = ['netdevice', 'uio', 'vfio'] as const;
export const RESOURCE_NAME_PATTERN = '^[a-zA-Z0-9_-]+$';
export const DEFAULT_RESOURCE_PREFIX = 'intel.com';

export type DeviceType = (typeof DEVICE_TYPES)[number];

export const CONFIG_STRUCT: GoStruct = { fields: ['resourceList'] };
export const RESOURCE_STRUCT: GoStruct = {
  fields: [
    'resourceName',
    'resourcePrefix',
    'deviceType',
    'excludeTopology',
    'selectors',
    'additionalInfo',
    // legacy seed format
    'rootDevices',
    'sriovMode',
  ],
};

/** Selector keys each device type's Go struct decodes (others are ignored by Go; we warn). */
export const SELECTOR_KEYS: Record<DeviceType, readonly string[]> = {
  netDevice: [
    'vendors',
    'devices',
    'drivers',
    'pciAddresses',
    'acpiIndexes',
    'pfNames',
    'rootDevices',
    'linkTypes',
    'ddpProfiles',
    'pKeys',
    'isRdma',
    'needVhostNet',
    'vdpaType',
  ],
  accelerator: ['vendors', 'devices', 'drivers', 'pciAddresses'],
  auxNetDevice: [
    'vendors',
    'devices',
    'drivers',
    'pfNames',
    'rootDevices',
    'linkTypes',
    'isRdma',
    'needVhostNet',
    'auxTypes',
  ],
};

const SELECTOR_DOCS: Record<string, string> = {
  vendors: 'PCI vendor IDs, 4 lower-case hex digits (e.g. "8086", "15b3")',
  devices: 'PCI device IDs, lower-case hex',
  drivers: 'driver names (basename of the driver symlink)',
  pciAddresses: 'full PCI addresses (netDevice, accelerator)',
  acpiIndexes: 'acpi_index values (netDevice)',
  pfNames: 'PF netdev names, optional "#" index list: "ens1f0#0-3,5" (netDevice, auxNetDevice)',
  rootDevices: 'PF PCI addresses, optional "#" index list: "0000:86:00.0#0-1,3" (netDevice, auxNetDevice)',
  linkTypes: 'netlink encap type ("ether", "infiniband"); one value expected (netDevice, auxNetDevice)',
  ddpProfiles: 'Intel DDP package names (netDevice)',
  pKeys: 'default IB pkey as in sysfs, e.g. "0x7fff" (netDevice)',
  isRdma: 'only RDMA-capable devices, adds RDMA device nodes (netDevice, auxNetDevice)',
  needVhostNet: 'add /dev/vhost-net and /dev/net/tun (netDevice, auxNetDevice)',
  vdpaType: '"vhost" or "virtio" (netDevice; exclusive with isRdma in one selector)',
  auxTypes: 'auxiliary device types; required for auxNetDevice, only "sf"',
};

function selectorSchema(a: Annotate, keys: readonly string[]) {
  const shape: Record<string, z.ZodMiniOptional<z.ZodMiniType>> = {};
  for (const key of keys) {
    const base =
      key === 'isRdma' || key === 'needVhostNet'
        ? z.boolean()
        : key === 'vdpaType'
          ? z.string()
          : z.array(z.nullable(z.string()));
    shape[key] = z.optional(a(base, { description: SELECTOR_DOCS[key] }));
  }
  return z.object(shape);
}

/** Per-device-type selector decode schemas (built on first use). */
const selectorSchemas: Partial<Record<DeviceType, ReturnType<typeof selectorSchema>>> = {};
export function selectorInputSchema(deviceType: DeviceType): ReturnType<typeof selectorSchema> {
  selectorSchemas[deviceType] ??= selectorSchema(noAnnotations, SELECTOR_KEYS[deviceType]);
  return selectorSchemas[deviceType]!;
}

function build(a: Annotate, documented: boolean) {
  const allKeys = [...new Set(Object.values(SELECTOR_KEYS).flat())];
  const docSelector = selectorSchema(a, allKeys);
  const selectors = documented
    ? a(z.union([docSelector, z.array(docSelector)]), {
        description: 'one selector object or a list (a device goes to the first object it matches)',
      })
    : z.unknown();
  const resource = z.object({
    resourceName: z.optional(a(z.string(), { pattern: RESOURCE_NAME_PATTERN })),
    resourcePrefix: z.optional(
      a(z.string(), { description: `overrides the -resource-prefix flag (${DEFAULT_RESOURCE_PREFIX})` }),
    ),
    deviceType: z.optional(
      a(z.string(), {
        enum: ['', ...DEVICE_TYPES, ...LEGACY_DEVICE_TYPES],
        description: 'netDevice (default), accelerator, auxNetDevice; legacy entries: netdevice, uio, vfio',
      }),
    ),
    excludeTopology: z.optional(z.boolean()),
    selectors: z.optional(selectors),
    additionalInfo: z.optional(
      a(z.record(z.string(), z.nullable(z.record(z.string(), z.nullable(z.string())))), {
        description: '"*" for every device, or a PCI address; surfaced in the _INFO env variable',
      }),
    ),
    rootDevices: z.optional(
      a(z.array(z.nullable(z.string())), { description: 'legacy: PF PCI addresses (short "02:00.0" accepted)' }),
    ),
    sriovMode: z.optional(a(z.boolean(), { description: 'legacy: true = the VFs of rootDevices, false = the PFs' })),
  });
  return z.object({ resourceList: z.optional(z.nullable(z.array(z.nullable(resource)))) });
}

export type DevicePluginInput = z.infer<ReturnType<typeof build>>;

let runtimeSchema: ReturnType<typeof build> | undefined;

export function devicePluginInputSchema(): ReturnType<typeof build> {
  runtimeSchema ??= build(noAnnotations, false);
  return runtimeSchema;
}

export function devicePluginDocumentedSchema(): ReturnType<typeof build> {
  return build(withAnnotations, true);
}
