import * as z from 'zod/mini';
import type { GoStruct } from '../go-json.js';

/**
 * The `sriov` netconf as Go's encoding/json decodes it (types only), after keys were folded to the canonical
 * spellings below. Semantic rules (LoadConf) run after this in `parse.ts`, in the Go plugin's order.
 */

export const VLAN_ID_MAX = 4094;
export const VLAN_QOS_MAX = 7;
export const VLAN_PROTOS = ['802.1q', '802.1ad'] as const;
export const LINK_STATES = ['auto', 'enable', 'disable'] as const;
export const LOG_LEVELS = ['panic', 'error', 'warning', 'info', 'debug', 'verbose'] as const;

/** The keys of libcni's `types.PluginConf`, embedded in every plugin's Go `NetConf`. */
export const PLUGIN_CONF_FIELDS = ['cniVersion', 'name', 'type', 'capabilities', 'ipam', 'dns', 'prevResult'];

/** Top-level keys of the Go `NetConf` (CNI PluginConf + SriovNetConf) plus the legacy seed keys. */
export const SRIOV_STRUCT: GoStruct = {
  fields: [
    ...PLUGIN_CONF_FIELDS,
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

/** A schema per key, built when first asked for (a plugin parses one config: most keys never occur). */
type FieldThunks = Record<string, () => z.ZodMiniType>;

/**
 * Keys of the CNI PluginConf, each a thunk; `str` is the caller's shared optional string. Schema instances are
 * immutable, so one instance serves every key of its type: fewer constructions is less start-up work.
 */
function cniCommonFields(str: () => z.ZodMiniOptional<z.ZodMiniString>) {
  return {
    cniVersion: str,
    name: str,
    type: str,
    capabilities: () => z.optional(z.record(z.string(), z.nullable(z.boolean()))),
    ipam: () => z.optional(z.looseObject({ type: str() })),
    dns: () => {
      const strs = z.optional(z.array(z.nullable(z.string())));
      return z.optional(z.looseObject({ nameservers: strs, domain: str(), search: strs, options: strs }));
    },
    prevResult: () => z.optional(z.record(z.string(), z.unknown())),
  };
}

/** Every thunk called: the shape object itself. */
function buildAll<T extends Record<string, () => z.ZodMiniType>>(fields: T): { [K in keyof T]: ReturnType<T[K]> } {
  return Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f()])) as { [K in keyof T]: ReturnType<T[K]> };
}

/** The PluginConf keys' schemas, all built (for plugins whose own schema is built whole). */
export function cniCommonShape(str: z.ZodMiniOptional<z.ZodMiniString>) {
  return buildAll(cniCommonFields(() => str));
}

function sriovFields() {
  let str: z.ZodMiniOptional<z.ZodMiniString> | undefined;
  let int: z.ZodMiniOptional<z.ZodMiniNumber<number>> | undefined;
  let unknown: z.ZodMiniOptional<z.ZodMiniUnknown> | undefined;
  const s = () => (str ??= z.optional(z.string()));
  const i = () => (int ??= z.optional(z.int()));
  const u = () => (unknown ??= z.optional(z.unknown()));
  return {
    ...cniCommonFields(s),
    deviceID: s,
    vlan: i,
    vlanQoS: i,
    vlanProto: s,
    mac: s,
    spoofchk: s,
    trust: s,
    link_state: s,
    min_tx_rate: i,
    max_tx_rate: i,
    logLevel: s,
    logFile: s,
    runtimeConfig: () => z.optional(z.looseObject({ mac: s(), ips: u() })),
    master: s,
    pfOnly: () => z.optional(z.boolean()),
    vf: i,
    args: u,
  };
}

function build(fields: FieldThunks, keys: readonly string[]) {
  return z.object(Object.fromEntries(keys.map((k) => [k, fields[k]!()])));
}

/** The decode schema's type: the object of every key of sriovFields, as built. */
type FullSchema = ReturnType<
  typeof z.object<{ [K in keyof ReturnType<typeof sriovFields>]: ReturnType<ReturnType<typeof sriovFields>[K]> }>
>;

export type SriovInput = z.infer<FullSchema>;

const built = new Map<string, FullSchema>();

/**
 * The decode schema, built on first use and kept (no schema work at import time). Given the keys a config has,
 * only those keys' schemas are built: every key is optional and unknown keys are dropped either way, so the result
 * and the issues are the same as with the whole object (≈ 0.9 ms less of sriov's ADD on the lab, where zod's
 * constructions run once, cold). Documentation (descriptions, LoadConf ranges) lives in json-schema.ts so that none
 * of it reaches a plugin bundle.
 */
export function sriovInputSchema(presentKeys?: Iterable<string>): FullSchema {
  const fields: FieldThunks = sriovFields();
  const all = Object.keys(fields);
  const present = presentKeys === undefined ? undefined : new Set(presentKeys);
  const keys = present === undefined ? all : all.filter((k) => present.has(k));
  const id = keys.join(',');
  let schema = built.get(id);
  if (!schema) {
    schema = build(fields, keys) as unknown as FullSchema;
    built.set(id, schema);
  }
  return schema;
}
