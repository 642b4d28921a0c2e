import * as z from 'zod/mini';
import type { GoStruct } from '../go-json.js';
import { PCI_PATTERN } from '../shared.js';
import { type Annotate, cniCommonShape, LINK_STATES, noAnnotations, withAnnotations } from '../sriov/schema.js';

/** `mellanox.infiniband.app`: the args.cni key ib-kubernetes sets to "configured". */
export const IB_KUBERNETES_APP_KEY = 'mellanox.infiniband.app';
export const IB_KUBERNETES_CONFIGURED = 'configured';
/** Eight colon-separated hex octets (the only form the Go plugin accepts). */
export const GUID_PATTERN = '^([0-9a-fA-F]{2}:){7}[0-9a-fA-F]{2}$';

/** Top-level keys of the Go `NetConf` (CNI PluginConf + IbSriovNetConf); `guid` is listed to warn about it. */
export const IB_SRIOV_STRUCT: GoStruct = {
  fields: [
    'cniVersion',
    'name',
    'type',
    'capabilities',
    'ipam',
    'dns',
    'prevResult',
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

function build(a: Annotate) {
  return z.object({
    ...cniCommonShape(a),
    deviceID: z.optional(a(z.string(), { description: 'PCI address of the IB VF (or VFIO PF)', pattern: PCI_PATTERN })),
    pkey: z.optional(a(z.string(), { description: 'passed through for ib-kubernetes; never used by the CNI' })),
    link_state: z.optional(a(z.string(), { enum: ['', ...LINK_STATES] })),
    rdmaIsolation: z.optional(a(z.boolean(), { description: 'move the VF RDMA device into the pod netns' })),
    ibKubernetesEnabled: z.optional(
      a(z.boolean(), { description: 'require args.cni["mellanox.infiniband.app"] == "configured"' }),
    ),
    vfioPciMode: z.optional(a(z.boolean(), { description: 'VFIO mode (auto-detected from the driver)' })),
    runtimeConfig: z.optional(
      z.looseObject({
        infinibandGUID: z.optional(a(z.string(), { description: 'first GUID source', pattern: GUID_PATTERN })),
      }),
    ),
    args: z.optional(
      z.looseObject({
        cni: z.optional(
          a(z.record(z.string(), z.nullable(z.string())), {
            description: 'Multus cni-args: guid (second GUID source), mellanox.infiniband.app',
          }),
        ),
      }),
    ),
  });
}

export type IbSriovInput = z.infer<ReturnType<typeof build>>;

let runtimeSchema: ReturnType<typeof build> | undefined;

export function ibSriovInputSchema(): ReturnType<typeof build> {
  runtimeSchema ??= build(noAnnotations);
  return runtimeSchema;
}

export function ibSriovDocumentedSchema(): ReturnType<typeof build> {
  return build(withAnnotations);
}
