// The CNI verbs wired to the skeleton of @sriov-ts/cni: parse, build the node operations, run the flow, shape
// the result. `makeOps` exists so tests can run the exact same handlers in-process with a failing step injected;
// the shipped executable (main.ts) always uses nodeOps.
import {
  attachmentResult,
  type CmdArgs,
  CniError,
  type GcArgs,
  loadArgs,
  type PluginHandlers,
  parsePrevResult,
  podAddressing,
  versionAtLeast,
} from '@sriov-ts/cni';
import { ipamDelegationFromStdin, ipamGc, ipamStatus } from '@sriov-ts/ipam-client';
import { parseSriovNetConf } from '@sriov-ts/netconf-schema';
import { listAddresses, listRoutes } from '@sriov-ts/netlink-ops';
import { toSriovConf } from './conf.js';
import { type NodeOpsOptions, nodeOps } from './node-ops.js';
import type { Ops } from './ops.js';
import { cmdAdd, cmdCheck, cmdDel, cmdGc } from './plugin.js';

export type OpsFactory = (options: NodeOpsOptions) => Ops;

export interface HandlerOptions {
  makeOps?: OpsFactory;
  /** Tests: fake sysfs root, private state dir, recording transport. */
  node?: Omit<NodeOpsOptions, 'log' | 'ipam' | 'env'>;
}

export function sriovHandlers(options: HandlerOptions = {}): PluginHandlers {
  const makeOps = options.makeOps ?? nodeOps;
  const opsFor = (a: CmdArgs, ipamType: string) =>
    makeOps({
      ...options.node,
      log: a.log,
      env: a.env,
      ...(ipamType ? { ipam: { ...ipamDelegationFromStdin(a.stdinData), type: ipamType } } : {}),
    });
  const inv = (a: CmdArgs) => ({ containerId: a.containerId, netns: a.netns, ifName: a.ifName });

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
      const out = await cmdAdd(conf, inv(a), opsFor(a, conf.ipamType));
      // pciID is a CNI 1.1 field; the Go plugin reports mtu whatever the version (its 1.x types are shared).
      const { pciID, ...iface } = out.iface;
      return attachmentResult(versionAtLeast(conf.cniVersion || '0.1.0', '1.1.0') ? out.iface : iface, out.ipam);
    },

    async del(a) {
      await cmdDel(inv(a), opsFor(a, ipamTypeOf(a)));
    },

    async check(a) {
      const ops = opsFor(a, ipamTypeOf(a));
      const prev = parsePrevResult(a.netConf);
      const nl = { listAddresses, listRoutes };
      await cmdCheck(inv(a), prev ?? undefined, ops, (netns, ifName) => podAddressing(nl, netns, ifName));
    },

    async gc(a: GcArgs) {
      const type = ipamTypeOf(a);
      const ops = opsFor(a, type);
      const failures: string[] = [];
      await cmdGc(a.netConf.name, a.validAttachments, ops).catch((e) => failures.push((e as Error).message));
      // GC must be forwarded to the delegated IPAM plugin (spec 1.1).
      if (type) {
        await ipamGc({ ...ipamDelegationFromStdin(a.stdinData), type }, { env: a.env, logger: a.log }).catch((e) =>
          failures.push((e as Error).message),
        );
      }
      if (failures.length > 0) throw new CniError(999, failures.join('; '));
    },

    async status(a) {
      const type = ipamTypeOf(a);
      if (type) await ipamStatus({ ...ipamDelegationFromStdin(a.stdinData), type }, { env: a.env, logger: a.log });
    },
  };
}

function ipamTypeOf(a: CmdArgs): string {
  const t = a.netConf.ipam?.type;
  return typeof t === 'string' ? t : '';
}
