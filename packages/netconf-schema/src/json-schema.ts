import { toJSONSchema } from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import {
  DEFAULT_RESOURCE_PREFIX,
  DEVICE_TYPES,
  devicePluginInputSchema,
  LEGACY_DEVICE_TYPES,
  RESOURCE_NAME_PATTERN,
  SELECTOR_KEYS,
  selectorObjectSchema,
} from './device-plugin/schema.js';
import { GUID_PATTERN, ibSriovInputSchema } from './ib-sriov/schema.js';
import { PCI_PATTERN } from './shared.js';
import { LINK_STATES, LOG_LEVELS, sriovInputSchema, VLAN_ID_MAX, VLAN_QOS_MAX } from './sriov/schema.js';

/**
 * JSON Schema export. The runtime decode schemas carry no documentation (so none of it reaches a plugin bundle);
 * descriptions and the LoadConf ranges/enums are merged here, by property path.
 */

/** File name (under `schemas/`) → title, for each config. */
export const JSON_SCHEMA_FILES = {
  'sriov.json': 'sriov CNI netconf',
  'ib-sriov.json': 'ib-sriov CNI netconf',
  'device-plugin.json': 'SR-IOV network device plugin config',
} as const;

type JsonSchema = Record<string, unknown>;
type Docs = Record<string, JsonSchema>;

const NOTE =
  'Keys are shown in their canonical spelling; like Go encoding/json the plugins also accept any letter case. ' +
  'Unknown keys are ignored.';

const CNI_DOCS: Docs = {
  cniVersion: { description: 'CNI spec version of the config and of the result' },
  name: { description: 'network name' },
  type: { description: 'plugin binary name' },
  ipam: { description: 'IPAM plugin config; only `type` is read, the raw stdin is delegated. No type = L2 mode' },
};

const SRIOV_DOCS: Docs = {
  ...CNI_DOCS,
  deviceID: { description: 'VF PCI address, usually injected by Multus', pattern: PCI_PATTERN },
  vlan: { description: 'VF VLAN id; absent = leave the VLAN alone, 0 = clear', minimum: 0, maximum: VLAN_ID_MAX },
  vlanQoS: { description: 'VLAN PCP; needs vlan; non-zero needs a non-zero vlan', minimum: 0, maximum: VLAN_QOS_MAX },
  vlanProto: {
    description: 'case-insensitive; needs vlan; 802.1ad needs a non-zero vlan',
    enum: ['802.1q', '802.1Q', '802.1ad', '802.1AD'],
  },
  mac: { description: 'VF MAC; overridden by CNI_ARGS MAC, then by runtimeConfig.mac' },
  spoofchk: { description: '"on" enables, any other non-empty value disables' },
  trust: { description: '"on" enables, any other non-empty value disables' },
  link_state: { enum: ['', ...LINK_STATES] },
  min_tx_rate: { description: 'Mbps; 0 = no limit' },
  max_tx_rate: { description: 'Mbps; 0 = no limit' },
  logLevel: { description: `one of ${LOG_LEVELS.join(', ')} (case-insensitive); default info` },
  logFile: { description: 'log file path; default stderr' },
  'runtimeConfig.mac': { description: 'highest-precedence MAC source (capability "mac")' },
  'runtimeConfig.ips': { description: 'static IPs (capability "ips"), consumed by the IPAM plugin' },
  master: { description: 'legacy: PF netdev name, used when deviceID is absent' },
  pfOnly: { description: 'legacy: move the PF itself (with master)' },
  vf: { description: 'legacy: VF index on master; CNI_ARGS VF overrides', minimum: 0 },
  args: { description: 'args.cni.ips: static IPs (CONVENTIONS), consumed by the IPAM plugin' },
};

const IB_DOCS: Docs = {
  ...CNI_DOCS,
  deviceID: { description: 'PCI address of the IB VF (or VFIO PF)', pattern: PCI_PATTERN },
  pkey: { description: 'passed through for ib-kubernetes; never used by the CNI' },
  link_state: { enum: ['', ...LINK_STATES] },
  rdmaIsolation: { description: 'move the VF RDMA device into the pod netns (needs exclusive RDMA netns mode)' },
  ibKubernetesEnabled: { description: 'require args.cni["mellanox.infiniband.app"] == "configured"' },
  vfioPciMode: { description: 'VFIO mode (forced on when the device is bound to vfio-pci)' },
  'runtimeConfig.infinibandGUID': {
    description: 'first GUID source (capability "infinibandGUID")',
    pattern: GUID_PATTERN,
  },
  'args.cni': { description: 'Multus cni-args: "guid" (second GUID source), "mellanox.infiniband.app"' },
};

const RESOURCE_DOCS: Docs = {
  resourceName: { pattern: RESOURCE_NAME_PATTERN, description: '<prefix>/<resourceName> must be unique' },
  resourcePrefix: { description: `overrides the -resource-prefix flag (${DEFAULT_RESOURCE_PREFIX})` },
  deviceType: {
    enum: ['', ...DEVICE_TYPES, ...LEGACY_DEVICE_TYPES],
    description: 'netDevice (default), accelerator, auxNetDevice; legacy entries: netdevice, uio, vfio',
  },
  excludeTopology: { description: 'leave Device.topology unset' },
  additionalInfo: { description: '"*" for every device, or a PCI address; surfaced in the _INFO env variable' },
  rootDevices: { description: 'legacy: PF PCI addresses ("02:00.0" or "0000:02:00.0")' },
  sriovMode: { description: 'legacy: true = the VFs of rootDevices, false = the PFs themselves' },
};

const SELECTOR_DOCS: Docs = {
  vendors: { description: 'PCI vendor IDs, 4 lower-case hex digits (e.g. "8086", "15b3")' },
  devices: { description: 'PCI device IDs, lower-case hex' },
  drivers: { description: 'driver names (basename of the driver symlink)' },
  pciAddresses: { description: 'full PCI addresses (netDevice, accelerator)' },
  acpiIndexes: { description: 'acpi_index values (netDevice)' },
  pfNames: { description: 'PF netdev names, optional "#" index list: "ens1f0#0-3,5" (netDevice, auxNetDevice)' },
  rootDevices: {
    description: 'PF PCI addresses, optional "#" index list: "0000:86:00.0#0-1,3" (netDevice, auxNetDevice)',
  },
  linkTypes: {
    description: 'netlink encap type ("ether", "infiniband"); one value expected (netDevice, auxNetDevice)',
  },
  ddpProfiles: { description: 'Intel DDP package names (netDevice)' },
  pKeys: { description: 'default IB pkey as in sysfs, e.g. "0x7fff" (netDevice)' },
  isRdma: { description: 'only RDMA-capable devices; adds RDMA device nodes (netDevice, auxNetDevice)' },
  needVhostNet: { description: 'add /dev/vhost-net and /dev/net/tun (netDevice, auxNetDevice)' },
  vdpaType: { enum: ['vhost', 'virtio'], description: 'netDevice; exclusive with isRdma in one selector object' },
  auxTypes: { description: 'auxiliary device types; required for auxNetDevice, only "sf"', items: { enum: ['sf'] } },
};

function toJson(schema: $ZodType): JsonSchema {
  return toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** Merges `docs` ("a" or "a.b" → keywords) into the object schema's properties. */
function annotate(schema: JsonSchema, docs: Docs): JsonSchema {
  for (const [path, keywords] of Object.entries(docs)) {
    let node: JsonSchema | undefined = schema;
    for (const key of path.split('.')) {
      node = (node?.properties as Record<string, JsonSchema> | undefined)?.[key];
    }
    if (!node) throw new Error(`json-schema docs: no property ${path}`);
    Object.assign(node, keywords);
  }
  return schema;
}

function devicePluginJson(): JsonSchema {
  const schema = toJson(devicePluginInputSchema());
  const list = (schema.properties as Record<string, { anyOf: JsonSchema[] }>).resourceList!;
  const entry = (list.anyOf[0]!.items as { anyOf: JsonSchema[] }).anyOf[0]!;
  annotate(entry, RESOURCE_DOCS);
  const allKeys = [...new Set(Object.values(SELECTOR_KEYS).flat())];
  const selector = annotate(toJson(selectorObjectSchema(allKeys)), SELECTOR_DOCS);
  delete selector.$schema;
  (entry.properties as Record<string, JsonSchema>).selectors = {
    description: 'one selector object or a list; a device goes to the first object it matches. Required.',
    anyOf: [{ $ref: '#/$defs/selector' }, { type: 'array', minItems: 1, items: { $ref: '#/$defs/selector' } }],
  };
  return { ...schema, $defs: { selector } };
}

/** JSON Schemas (draft 2020-12) of the inputs, as checked in under `schemas/` by `pnpm gen:schemas`. */
export function generateJsonSchemas(): Record<keyof typeof JSON_SCHEMA_FILES, JsonSchema> {
  const head = (file: keyof typeof JSON_SCHEMA_FILES) => ({
    $id: `https://sriov-ts.invalid/schemas/${file}`,
    title: JSON_SCHEMA_FILES[file],
    description: NOTE,
  });
  return {
    'sriov.json': { ...head('sriov.json'), ...annotate(toJson(sriovInputSchema()), SRIOV_DOCS) },
    'ib-sriov.json': { ...head('ib-sriov.json'), ...annotate(toJson(ibSriovInputSchema()), IB_DOCS) },
    'device-plugin.json': { ...head('device-plugin.json'), ...devicePluginJson() },
  };
}
