// The attachment cache /var/lib/cni/ib-sriov/<containerID>-<ifName>, in the Go plugin's format: the CNI fields
// merged with the plugin's internal fields under their Go names (Master, VFID, HostIFNames, HostIFGUID, ContIFNames,
// RdmaNetState), so caches written by the Go plugin are released by this one after an upgrade and vice versa.
// `netns` is ours (GC needs the pod netns); Go ignores unknown keys.

export interface IbCache {
  cniVersion: string;
  name: string;
  type: string;
  capabilities?: Record<string, boolean>;
  ipamType: string;
  dns?: Record<string, unknown>;
  master: string;
  deviceID: string;
  vfId: number;
  hostIfName: string;
  /** The VF's GUID before ADD programmed one; '' = ADD set none (then DEL restores none). */
  hostIfGuid: string;
  contIfName: string;
  pkey: string;
  linkState: string;
  rdmaIsolation: boolean;
  ibKubernetesEnabled: boolean;
  vfioPciMode: boolean;
  /** rdma-cni's RdmaNetState; both names are the same mlx5_N (Go leaves `version` empty). */
  rdma: { deviceID: string; sandboxRdmaDevName: string; containerRdmaDevName: string };
  runtimeGuid: string;
  cniArgs: Record<string, string>;
  netns?: string;
}

export function toGoJson(c: IbCache): Record<string, unknown> {
  return {
    cniVersion: c.cniVersion,
    name: c.name,
    type: c.type,
    ...(c.capabilities && Object.keys(c.capabilities).length > 0 ? { capabilities: c.capabilities } : {}),
    ipam: c.ipamType ? { type: c.ipamType } : {},
    ...(c.dns && Object.keys(c.dns).length > 0 ? { dns: c.dns } : {}),
    Master: c.master,
    deviceID: c.deviceID,
    VFID: c.vfId,
    HostIFNames: c.hostIfName,
    HostIFGUID: c.hostIfGuid,
    ContIFNames: c.contIfName,
    pkey: c.pkey,
    ...(c.linkState ? { link_state: c.linkState } : {}),
    ...(c.rdmaIsolation ? { rdmaIsolation: true } : {}),
    ...(c.ibKubernetesEnabled ? { ibKubernetesEnabled: true } : {}),
    ...(c.vfioPciMode ? { vfioPciMode: true } : {}),
    RdmaNetState: { version: '', ...c.rdma },
    runtimeConfig: { infinibandGUID: c.runtimeGuid },
    args: { cni: c.cniArgs },
    ...(c.netns ? { netns: c.netns } : {}),
  };
}

/** Reads our files and the Go plugin's (missing fields take Go's zero values). */
export function fromGoJson(v: unknown): IbCache {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('cache is not a JSON object');
  const o = v as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === 'string' ? x : '');
  const obj = (x: unknown) =>
    typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
  const rdma = obj(o.RdmaNetState);
  const cniArgs: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(obj(o.args).cni))) if (typeof val === 'string') cniArgs[k] = val;
  const c: IbCache = {
    cniVersion: str(o.cniVersion),
    name: str(o.name),
    type: str(o.type),
    ipamType: str(obj(o.ipam).type),
    master: str(o.Master),
    deviceID: str(o.deviceID),
    vfId: typeof o.VFID === 'number' ? o.VFID : 0,
    hostIfName: str(o.HostIFNames),
    hostIfGuid: str(o.HostIFGUID),
    contIfName: str(o.ContIFNames),
    pkey: str(o.pkey),
    linkState: str(o.link_state),
    rdmaIsolation: o.rdmaIsolation === true,
    ibKubernetesEnabled: o.ibKubernetesEnabled === true,
    vfioPciMode: o.vfioPciMode === true,
    rdma: {
      deviceID: str(rdma.deviceID),
      sandboxRdmaDevName: str(rdma.sandboxRdmaDevName),
      containerRdmaDevName: str(rdma.containerRdmaDevName),
    },
    runtimeGuid: str(obj(o.runtimeConfig).infinibandGUID),
    cniArgs,
  };
  if (o.capabilities !== undefined) c.capabilities = obj(o.capabilities) as Record<string, boolean>;
  if (o.dns !== undefined) c.dns = obj(o.dns);
  if (typeof o.netns === 'string' && o.netns !== '') c.netns = o.netns;
  return c;
}
