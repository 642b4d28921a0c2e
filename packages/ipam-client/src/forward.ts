// GC and STATUS of a plugin that delegates IPAM: CNI 1.1 forwards both to the IPAM plugin of the config (a config
// without `ipam.type` has nothing to forward). Shared by the sriov and ib-sriov plugins.
import { type CmdArgs, CniError, ErrInternal, messageOf } from '@sriov-ts/cni';
import { ipamDelegationFromStdin, ipamGc, ipamStatus } from './delegate.js';

export type ForwardArgs = Pick<CmdArgs, 'stdinData' | 'netConf' | 'env' | 'log'>;

/** The config's `ipam.type` as the skeleton decoded it; '' when there is none. */
export function delegatedIpamType(netConf: CmdArgs['netConf']): string {
  const type = netConf.ipam?.type;
  return typeof type === 'string' ? type : '';
}

/**
 * GC: the plugin's own release of stale attachments, then IPAM GC — run even when the first failed, so leases are
 * collected whatever happened to the devices. Every failure is reported in one error (999), joined by "; ".
 */
export async function gcThenForward(
  a: ForwardArgs,
  ownGc: () => Promise<void>,
  describe: (e: unknown) => string = messageOf,
): Promise<void> {
  const failures: string[] = [];
  await ownGc().catch((e: unknown) => failures.push(describe(e)));
  await forward(a, ipamGc).catch((e: unknown) => failures.push(describe(e)));
  if (failures.length > 0) throw new CniError(ErrInternal, failures.join('; '));
}

/** STATUS: the IPAM plugin's answer (its error and code as they are); ready when there is no IPAM plugin. */
export const forwardStatus = (a: ForwardArgs): Promise<void> => forward(a, ipamStatus);

async function forward(a: ForwardArgs, call: typeof ipamGc): Promise<void> {
  const type = delegatedIpamType(a.netConf);
  if (type) await call({ ...ipamDelegationFromStdin(a.stdinData), type }, { env: a.env, logger: a.log });
}
