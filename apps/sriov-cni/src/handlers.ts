// The CNI verbs wired to the skeleton of @sriov-ts/cni: parse, build the node, run the flow, shape the result.
// `makeNode` exists so tests can run the exact same handlers in-process with a failing step injected; the shipped
// executable (main.ts) always uses nodeOf.
import {
  attachmentResult,
  type CmdArgs,
  CniError,
  loadArgs,
  type PluginHandlers,
  parsePrevResult,
  versionAtLeast,
} from '@sriov-ts/cni';
import { delegatedIpamType, forwardStatus, gcThenForward, ipamDelegationFromStdin } from '@sriov-ts/ipam-client';
import { parseSriovNetConf } from '@sriov-ts/netconf-schema';
import { toSriovConf } from './conf.js';
import { type Node, type NodeOptions, nodeOf } from './node.js';
import { cmdAdd, cmdCheck, cmdDel, cmdGc } from './plugin.js';

export interface HandlerOptions {
  makeNode?: (options: NodeOptions) => Node;
  /** Tests: fake sysfs root, private state dir, recording transport. */
  node?: Omit<NodeOptions, 'log' | 'ipam' | 'env'>;
}

export function sriovHandlers(options: HandlerOptions = {}): PluginHandlers {
  const nodeFor = (a: CmdArgs, ipamType = delegatedIpamType(a.netConf)) =>
    (options.makeNode ?? nodeOf)({
      ...options.node,
      log: a.log,
      env: a.env,
      ...(ipamType ? { ipam: { ...ipamDelegationFromStdin(a.stdinData), type: ipamType } } : {}),
    });

  return {
    async add(a) {
      let cniArgs: Record<string, string>;
      try {
        cniArgs = loadArgs(a.args, ['MAC', 'VF', 'IP']).values as Record<string, string>;
      } catch (e) {
        throw new CniError(999, `SRIOV-CNI failed to parse args: ${(e as Error).message}`);
      }
      const parsed = parseSriovNetConf(a.stdinData, { cniArgs });
      if (!parsed.ok) throw new CniError(parsed.error.code, parsed.error.message);
      for (const w of parsed.warnings) a.log.warning(w);
      const conf = toSriovConf(parsed.config);
      const out = await cmdAdd(conf, a, nodeFor(a, conf.ipamType));
      // pciID is a CNI 1.1 field; the Go plugin reports mtu whatever the version (its 1.x types are shared).
      const { pciID, ...iface } = out.iface;
      return attachmentResult(versionAtLeast(conf.cniVersion || '0.1.0', '1.1.0') ? out.iface : iface, out.ipam);
    },
    del: (a) => cmdDel(a, nodeFor(a)),
    check: (a) => cmdCheck(a, parsePrevResult(a.netConf), nodeFor(a)),
    gc(a) {
      const node = nodeFor(a);
      return gcThenForward(a, () => cmdGc(a.netConf.name, a.validAttachments, node)); // then IPAM GC (spec 1.1)
    },
    status: forwardStatus,
  };
}
