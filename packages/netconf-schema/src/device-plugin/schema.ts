import * as z from 'zod/mini';
import type { GoStruct } from '../go-json.js';

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

/** One selector object with `keys` (booleans for isRdma/needVhostNet, a string for vdpaType, else string lists). */
export function selectorObjectSchema(keys: readonly string[]) {
  const bool = z.optional(z.boolean());
  const str = z.optional(z.string());
  const list = z.optional(z.array(z.nullable(z.string())));
  const shape: Record<string, typeof bool | typeof str | typeof list> = {};
  for (const key of keys)
    shape[key] = key === 'isRdma' || key === 'needVhostNet' ? bool : key === 'vdpaType' ? str : list;
  return z.object(shape);
}

/** Per-device-type selector decode schemas (built on first use). */
const selectorSchemas: Partial<Record<DeviceType, ReturnType<typeof selectorObjectSchema>>> = {};
export function selectorInputSchema(deviceType: DeviceType): ReturnType<typeof selectorObjectSchema> {
  selectorSchemas[deviceType] ??= selectorObjectSchema(SELECTOR_KEYS[deviceType]);
  return selectorSchemas[deviceType]!;
}

function build() {
  const resource = z.object({
    resourceName: z.optional(z.string()),
    resourcePrefix: z.optional(z.string()),
    deviceType: z.optional(z.string()),
    excludeTopology: z.optional(z.boolean()),
    // Go keeps selectors as raw JSON and decodes them per device type later (selectorInputSchema).
    selectors: z.optional(z.unknown()),
    additionalInfo: z.optional(z.record(z.string(), z.nullable(z.record(z.string(), z.nullable(z.string()))))),
    rootDevices: z.optional(z.array(z.nullable(z.string()))),
    sriovMode: z.optional(z.boolean()),
  });
  return z.object({ resourceList: z.optional(z.nullable(z.array(z.nullable(resource)))) });
}

export type DevicePluginInput = z.infer<ReturnType<typeof build>>;

let runtimeSchema: ReturnType<typeof build> | undefined;

export function devicePluginInputSchema(): ReturnType<typeof build> {
  runtimeSchema ??= build();
  return runtimeSchema;
}
