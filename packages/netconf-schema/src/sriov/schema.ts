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

/**
 * Keys of the CNI PluginConf. Schema instances are immutable, so one instance serves every key of its type:
 * fewer constructions is less start-up work.
 */
export function cniCommonShape(str: z.ZodMiniOptional<z.ZodMiniString>) {
  const strs = z.optional(z.array(z.nullable(z.string())));
  return {
    cniVersion: str,
    name: str,
    type: str,
    capabilities: z.optional(z.record(z.string(), z.nullable(z.boolean()))),
    ipam: z.optional(z.looseObject({ type: str })),
    dns: z.optional(z.looseObject({ nameservers: strs, domain: str, search: strs, options: strs })),
    prevResult: z.optional(z.record(z.string(), z.unknown())),
  };
}

function build() {
  const str = z.optional(z.string());
  const int = z.optional(z.int());
  const unknown = z.optional(z.unknown());
  return z.object({
    ...cniCommonShape(str),
    deviceID: str,
    vlan: int,
    vlanQoS: int,
    vlanProto: str,
    mac: str,
    spoofchk: str,
    trust: str,
    link_state: str,
    min_tx_rate: int,
    max_tx_rate: int,
    logLevel: str,
    logFile: str,
    runtimeConfig: z.optional(z.looseObject({ mac: str, ips: unknown })),
    master: str,
    pfOnly: z.optional(z.boolean()),
    vf: int,
    args: unknown,
  });
}

export type SriovInput = z.infer<ReturnType<typeof build>>;

let runtimeSchema: ReturnType<typeof build> | undefined;

/**
 * The decode schema, built on first use and kept (no schema work at import time). Documentation (descriptions,
 * LoadConf ranges) lives in json-schema.ts so that none of it reaches a plugin bundle.
 */
export function sriovInputSchema(): ReturnType<typeof build> {
  runtimeSchema ??= build();
  return runtimeSchema;
}
