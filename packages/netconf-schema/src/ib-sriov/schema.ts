import * as z from 'zod/mini';
import type { GoStruct } from '../go-json.js';
import { cniCommonShape, PLUGIN_CONF_FIELDS } from '../sriov/schema.js';

/** `mellanox.infiniband.app`: the args.cni key ib-kubernetes sets to "configured". */
export const IB_KUBERNETES_APP_KEY = 'mellanox.infiniband.app';
export const IB_KUBERNETES_CONFIGURED = 'configured';
/** Eight colon-separated hex octets (the only form the Go plugin accepts). */
export const GUID_PATTERN = '^([0-9a-fA-F]{2}:){7}[0-9a-fA-F]{2}$';

/** Top-level keys of the Go `NetConf` (CNI PluginConf + IbSriovNetConf); `guid` is listed to warn about it. */
export const IB_SRIOV_STRUCT: GoStruct = {
  fields: [
    ...PLUGIN_CONF_FIELDS,
    'deviceID',
    'pkey',
    'link_state',
    'rdmaIsolation',
    'ibKubernetesEnabled',
    'vfioPciMode',
    'runtimeConfig',
    'args',
  ],
};
export const IB_SRIOV_INTERNAL_STRUCT: GoStruct = {
  fields: ['Master', 'VFID', 'HostIFNames', 'HostIFGUID', 'ContIFNames', 'RdmaNetState'],
};
export const IB_RUNTIME_STRUCT: GoStruct = { fields: ['infinibandGUID'] };
export const IB_ARGS_STRUCT: GoStruct = { fields: ['cni'] };

function build() {
  const str = z.optional(z.string());
  const bool = z.optional(z.boolean());
  return z.object({
    ...cniCommonShape(str),
    deviceID: str,
    pkey: str,
    link_state: str,
    rdmaIsolation: bool,
    ibKubernetesEnabled: bool,
    vfioPciMode: bool,
    runtimeConfig: z.optional(z.looseObject({ infinibandGUID: str })),
    args: z.optional(z.looseObject({ cni: z.optional(z.record(z.string(), z.nullable(z.string()))) })),
  });
}

export type IbSriovInput = z.infer<ReturnType<typeof build>>;

let runtimeSchema: ReturnType<typeof build> | undefined;

export function ibSriovInputSchema(): ReturnType<typeof build> {
  runtimeSchema ??= build();
  return runtimeSchema;
}
