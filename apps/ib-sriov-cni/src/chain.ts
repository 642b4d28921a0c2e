// *Beyond* the Go plugin: rdma-cni must not be chained after ib-sriov (ib-sriov-cni.md §4.2, rdma-cni PR 21): the
// rebind recreates the RDMA device under rdma-cni's feet, and moving the RDMA device after the IPoIB netdev
// recreates that netdev in the host, so the pod loses it. `rdmaIsolation: true` is the supported way. A plugin only
// sees its own config, so the check reads the conflist the runtime loaded by network name from the CNI config
// directory (libcni runtimes; Multus NADs live in the API server and are not seen).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_CNI_CONF_DIR = '/etc/cni/net.d';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The warning for a conflist of `network` that lists an `rdma` plugin after `ib-sriov`, else undefined. */
export function rdmaChainWarning(conflist: unknown, network: string): string | undefined {
  if (!isObject(conflist) || conflist.name !== network || !Array.isArray(conflist.plugins)) return undefined;
  const types = conflist.plugins.map((p) => (isObject(p) ? p.type : undefined));
  const ib = types.indexOf('ib-sriov');
  if (ib < 0 || !types.slice(ib + 1).includes('rdma')) return undefined;
  return `network "${network}" chains the rdma plugin after ib-sriov, which breaks the pod's IPoIB interface and RDMA device: remove it and set "rdmaIsolation": true`;
}

/** Scans `<dir>/*.conflist` (sorted, unreadable files skipped) for that mistake. Never throws. */
export function findRdmaChainWarning(network: string, dir = DEFAULT_CNI_CONF_DIR): string | undefined {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.conflist') && !f.startsWith('.'));
  } catch {
    return undefined;
  }
  for (const file of files.sort()) {
    try {
      const warning = rdmaChainWarning(JSON.parse(readFileSync(join(dir, file), 'utf8')), network);
      if (warning) return `${file}: ${warning}`;
    } catch {
      // not ours to judge: a broken file is the runtime's problem
    }
  }
  return undefined;
}
