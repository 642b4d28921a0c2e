// The CNI verbs wired to the skeleton of @sriov-ts/cni: parse, build the node operations, run the flow. `makeOps`
// and `node` exist so tests run these exact handlers in-process over a recording PF/IPoIB layer; the shipped
// executable (main.ts) always uses nodeOps on the real /sys and kernel.
import {
  type CmdArgs,
  CniError,
  ErrPluginNotAvailable,
  type PluginHandlers,
  parsePrevResult,
  staleEntries,
} from '@sriov-ts/cni';
import { forwardStatus, gcThenForward } from '@sriov-ts/ipam-client';
import { parseIbSriovNetConf } from '@sriov-ts/netconf-schema';
import { findRdmaChainWarning } from './chain.js';
import { type NodeOpsOptions, nodeOps } from './node-ops.js';
import type { IbOps } from './ops.js';
import { checkRdmaMode, cmdAdd, cmdCheck, cmdDel, cmdGc, msg } from './plugin.js';

export interface HandlerOptions {
  makeOps?: (options: NodeOpsOptions) => IbOps;
  /** Tests: fake sysfs root, private state dir and lock, recording transport. */
  node?: Omit<NodeOpsOptions, 'log' | 'stdin' | 'env'>;
  /** Where the runtime's conflists are (the rdma-after-ib-sriov warning); default /etc/cni/net.d. */
  confDir?: string;
}

/** Netconf errors the Go plugin reports only after its RDMA netns-mode check. */
const AFTER_RDMA_CHECK = new Set(['deviceID', 'runtimeConfig.infinibandGUID', 'args.cni.guid']);

export function ibSriovHandlers(options: HandlerOptions = {}): PluginHandlers {
  const opsFor = (a: CmdArgs) =>
    (options.makeOps ?? nodeOps)({ ...options.node, stdin: a.stdinData, env: a.env, log: a.log });
  const inv = (a: CmdArgs) => ({ containerId: a.containerId, netns: a.netns, ifName: a.ifName });

  return {
    async add(a) {
      const ops = opsFor(a);
      const parsed = parseIbSriovNetConf(a.stdinData);
      for (const w of parsed.warnings) a.log.warning(w);
      if (!parsed.ok) {
        if (a.netConf.rdmaIsolation === true && AFTER_RDMA_CHECK.has(parsed.error.path)) checkRdmaMode(ops);
        // Go reports its netconf errors as ErrInternal (999); skel's decoding failures keep code 6.
        throw new CniError(parsed.error.code === 7 ? 999 : parsed.error.code, parsed.error.message);
      }
      if (parsed.config.rdmaIsolation) checkRdmaMode(ops);
      const result = await cmdAdd(parsed.config, inv(a), ops);
      const chained = findRdmaChainWarning(parsed.config.name, options.confDir);
      if (chained) a.log.warning(chained);
      return result;
    },

    del: (a) => cmdDel(inv(a), opsFor(a)),

    check: (a) => cmdCheck(inv(a), parsePrevResult(a.netConf), opsFor(a)),

    async gc(a) {
      const ops = opsFor(a);
      // No attachment list at all (cnitool gc) means, as in Go's skel, that nothing is valid any more.
      const entries = ops.listCacheEntries();
      const stale = a.validAttachmentsPresent ? staleEntries(entries, a.validAttachments) : entries;
      await gcThenForward(a, () => cmdGc(a.netConf.name, stale, ops), msg); // then IPAM GC (spec 1.1)
    },

    async status(a) {
      // *Beyond* Go: an rdmaIsolation network cannot take an ADD unless the RDMA subsystem is exclusive.
      if (a.netConf.rdmaIsolation === true) {
        try {
          checkRdmaMode(opsFor(a));
        } catch (e) {
          throw new CniError(ErrPluginNotAvailable, msg(e));
        }
      }
      await forwardStatus(a);
    },
  };
}
