import * as z from 'zod/mini';
import type { GoStruct } from '../go-json.js';
import { PCI_PATTERN } from '../shared.js';

/**
 * The `sriov` netconf as Go's encoding/json decodes it (types only), after keys were folded to the canonical
 * spellings below. Semantic rules (LoadConf) run after this in `parse.ts`, in the Go plugin's order.
 */

export const VLAN_ID_MAX = 4094;
export const VLAN_QOS_MAX = 7;
export const VLAN_PROTOS = ['802.1q', '802.1ad'] as const;
export const LINK_STATES = ['auto', 'enable', 'disable'] as const;
export const LOG_LEVELS = ['panic', 'error', 'warning', 'info', 'debug', 'verbose'] as const;

/** Top-level keys of the Go `NetConf` (CNI PluginConf + SriovNetConf) plus the legacy seed keys. */
export const SRIOV_STRUCT: GoStruct = {
  fields: [
    'cniVersion',
    'name',
    'type',
    'capabilities',
    'ipam',
    'dns',
    'prevResult',
    'deviceID',
    'vlan',
    'vlanQoS',
    'vlanProto',
    'mac',
    'spoofchk',
    'trust',
    'link_state',
    'min_tx_rate',
    'max_tx_rate',
    'logLevel',
    'logFile',
    'runtimeConfig',
    'master',
    'pfOnly',
    'vf',
    'args',
  ],
  pointers: ['vlan', 'vlanQoS', 'vlanProto', 'min_tx_rate', 'max_tx_rate'],
};

/** Untagged Go fields the plugin fills itself; the Go plugin decodes them from stdin, we ignore them. */
export const SRIOV_INTERNAL_STRUCT: GoStruct = { fields: ['OrigVfState', 'VFID', 'MTU', 'DPDKMode'] };

export const IPAM_STRUCT: GoStruct = { fields: ['type'] };
export const DNS_STRUCT: GoStruct = { fields: ['nameservers', 'domain', 'search', 'options'] };
export const SRIOV_RUNTIME_STRUCT: GoStruct = { fields: ['mac', 'ips'] };

type Doc = Record<string, unknown>;
/** Adds JSON-Schema-only annotations (descriptions, ranges, enums) when building the documentation schema. */
export type Annotate = <T extends z.ZodMiniType>(schema: T, meta: Doc) => T;
export const noAnnotations: Annotate = (schema) => schema;
export const withAnnotations: Annotate = (schema, meta) => schema.check(z.meta(meta)) as typeof schema;

export function cniCommonShape(a: Annotate) {
  const strs = z.optional(z.array(z.nullable(z.string())));
  return {
    cniVersion: z.optional(a(z.string(), { description: 'CNI spec version of the config and of the result' })),
    name: z.optional(a(z.string(), { description: 'network name' })),
    type: z.optional(a(z.string(), { description: 'plugin binary name' })),
    capabilities: z.optional(z.record(z.string(), z.nullable(z.boolean()))),
    ipam: z.optional(
      a(z.looseObject({ type: z.optional(z.string()) }), {
        description:
          'IPAM plugin config; only `type` is read, the raw stdin is delegated. Absent or empty type = L2 mode',
      }),
    ),
    dns: z.optional(z.looseObject({ nameservers: strs, domain: z.optional(z.string()), search: strs, options: strs })),
    prevResult: z.optional(z.record(z.string(), z.unknown())),
  };
}

function build(a: Annotate) {
  const optStr = (meta: Doc) => z.optional(a(z.string(), meta));
  const optInt = (meta: Doc) => z.optional(a(z.int(), meta));
  return z.object({
    ...cniCommonShape(a),
    deviceID: optStr({
      description: 'VF PCI address (DDDD:BB:DD.F), usually injected by Multus',
      pattern: PCI_PATTERN,
    }),
    vlan: optInt({
      description: 'VF VLAN id; absent = leave the VLAN alone, 0 = clear',
      minimum: 0,
      maximum: VLAN_ID_MAX,
    }),
    vlanQoS: optInt({ description: 'VLAN PCP, needs vlan', minimum: 0, maximum: VLAN_QOS_MAX }),
    vlanProto: optStr({
      description: 'VLAN protocol (case-insensitive), needs vlan',
      enum: ['802.1q', '802.1Q', '802.1ad', '802.1AD'],
    }),
    mac: optStr({ description: 'VF MAC; overridden by CNI_ARGS MAC, then by runtimeConfig.mac' }),
    spoofchk: optStr({ description: '"on" enables, any other non-empty value disables' }),
    trust: optStr({ description: '"on" enables, any other non-empty value disables' }),
    link_state: optStr({ enum: ['', ...LINK_STATES] }),
    min_tx_rate: optInt({ description: 'Mbps; 0 = no limit' }),
    max_tx_rate: optInt({ description: 'Mbps; 0 = no limit' }),
    logLevel: optStr({ description: `one of ${LOG_LEVELS.join(', ')} (case-insensitive); default info` }),
    logFile: optStr({ description: 'log file path; default stderr' }),
    runtimeConfig: z.optional(z.looseObject({ mac: z.optional(z.string()), ips: z.optional(z.unknown()) })),
    master: optStr({ description: 'legacy: PF netdev name, used when deviceID is absent' }),
    pfOnly: z.optional(a(z.boolean(), { description: 'legacy: move the PF itself (with master)' })),
    vf: optInt({ description: 'legacy: VF index on master; CNI_ARGS VF overrides', minimum: 0 }),
    args: z.optional(z.unknown()),
  });
}

export type SriovInput = z.infer<ReturnType<typeof build>>;

let runtimeSchema: ReturnType<typeof build> | undefined;

/** The decode schema, built on first use and kept (no schema work at import time). */
export function sriovInputSchema(): ReturnType<typeof build> {
  runtimeSchema ??= build(noAnnotations);
  return runtimeSchema;
}

/** The same schema with descriptions and the LoadConf ranges, for JSON Schema generation (not memoised). */
export function sriovDocumentedSchema(): ReturnType<typeof build> {
  return build(withAnnotations);
}
