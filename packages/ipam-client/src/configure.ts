// Applying an IPAM result inside the pod netns: the counterpart of containernetworking/plugins v1.9.1
// `ipam.ConfigureIface`, plus the pod-side sysctls sriov-cni writes around it (arp_notify, ndisc_notify,
// optimistic_dad) when asked to.
import { cidrFamily, type Result } from '@sriov-ts/cni';
import type { LogSink } from './log.js';
import { type PodNet, podNet } from './pod-net.js';

/** ConfigureIface waits this long for IPv6 DAD when an IPv6 gateway is configured (plugins v1.9.1). */
export const DAD_SETTLE_TIMEOUT_MS = 5000;
/** …polling the addresses this often (plugins' SETTLE_INTERVAL). */
export const DAD_SETTLE_INTERVAL_MS = 50;

export interface ConfigureInterfaceOptions {
  /**
   * Write `net.ipv4.conf.<if>.arp_notify=1` and `net.ipv6.conf.<if>.ndisc_notify=1` first, as sriov-cni does
   * before link-up (errors ignored). Default false: plain ConfigureIface does not touch them.
   */
  notifySysctls?: boolean;
  /**
   * Write `net.ipv6.conf.<if>.optimistic_dad=1` before link-up, as sriov-cni does (PR #307; errors ignored), so
   * addresses are usable while DAD runs. Default false.
   */
  optimisticDad?: boolean;
  /**
   * Write `net.ipv6.conf.<if>.accept_dad=<value>` before adding addresses (the bridge plugin writes 0 to
   * disable DAD). Errors ignored. Default: untouched.
   */
  acceptDad?: 0 | 1 | 2;
  /**
   * The interface's ifindex, when the caller has just read it (a plugin that moved it in looks at it anyway): the
   * lookup by name is skipped. Every request still names the link by this index, as after a lookup.
   */
  ifindex?: number;
  /** Upper bound of the IPv6 DAD wait (default DAD_SETTLE_TIMEOUT_MS). */
  dadTimeoutMs?: number;
  logger?: LogSink;
  /** For tests: the netlink operations to use (default: @sriov-ts/netlink-ops). */
  net?: PodNet;
}

/** An error of configureInterface; the message is the one ConfigureIface would return. */
export class ConfigureInterfaceError extends Error {
  override name = 'ConfigureInterfaceError';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Configures `ifName` inside the netns at `netns` from `result` (1.1 model), exactly as ConfigureIface:
 * 1. error without interfaces ("no interfaces to configure"); the link must exist;
 * 2. IPs without `interface` are skipped; an index out of range or naming another interface is an error;
 * 3. before the first IPv6 address: disable_ipv6=0 on lo and the interface, keep_addr_on_down=1;
 * 4. each address added as given; the first IPv4 and first IPv6 gateway remembered;
 * 5. link up;
 * 6. with an IPv6 gateway: wait (≤5 s, 50 ms polls) for DAD — DADFAILED is an error, still tentative at the
 *    deadline is an error only when the link is oper-up;
 * 7. every route added in append (ECMP) mode on this link, a missing `gw` filled with the remembered gateway of
 *    the same family, metric = `priority`, `table` and `scope` when set (route mtu/advmss not applied, as upstream);
 * 8. no default route from `gateway` alone.
 */
export async function configureInterface(
  netns: string,
  ifName: string,
  result: Result,
  opts: ConfigureInterfaceOptions = {},
): Promise<void> {
  const net = opts.net ?? podNet();
  const log = opts.logger;
  if (result.interfaces.length === 0) throw new ConfigureInterfaceError('no interfaces to configure');

  let link: { index: number };
  try {
    link = opts.ifindex === undefined ? await net.getLink(netns, ifName) : { index: opts.ifindex };
  } catch (err) {
    throw new ConfigureInterfaceError(`failed to lookup "${ifName}": ${(err as Error).message}`, { cause: err });
  }

  const trySysctl = async (path: string, value: string) => {
    try {
      await net.writeSysctl(netns, path, value);
    } catch (err) {
      log?.debug(`ignoring failed sysctl write ${path}=${value} in ${netns}: ${(err as Error).message}`);
    }
  };
  if (opts.notifySysctls) {
    await trySysctl(`net/ipv4/conf/${ifName}/arp_notify`, '1');
    await trySysctl(`net/ipv6/conf/${ifName}/ndisc_notify`, '1');
  }
  if (opts.optimisticDad) await trySysctl(`net/ipv6/conf/${ifName}/optimistic_dad`, '1');
  if (opts.acceptDad !== undefined) await trySysctl(`net/ipv6/conf/${ifName}/accept_dad`, String(opts.acceptDad));

  let v4gw: string | undefined;
  let v6gw: string | undefined;
  let ipv6Enabled = false;
  for (const ipc of result.ips) {
    if (ipc.interface === undefined) continue;
    const target = result.interfaces[ipc.interface];
    if (ipc.interface < 0 || target === undefined || target.name !== ifName) {
      throw new ConfigureInterfaceError(`failed to add IP addr ${ipc.address} to "${ifName}": invalid interface index`);
    }
    const family = cidrFamily(ipc.address);
    if (family === null) {
      throw new ConfigureInterfaceError(`failed to add IP addr ${ipc.address} to "${ifName}": invalid CIDR address`);
    }
    if (family === 6 && !ipv6Enabled) {
      await enableIpv6(net, netns, ifName, log);
      try {
        await net.writeSysctl(netns, `net/ipv6/conf/${ifName}/keep_addr_on_down`, '1');
      } catch (err) {
        throw new ConfigureInterfaceError(
          `failed to enable keep_addr_on_down for interface "${ifName}": ${(err as Error).message}`,
          { cause: err },
        );
      }
      ipv6Enabled = true;
    }
    try {
      await net.addAddress(netns, link.index, ipc.address);
    } catch (err) {
      throw new ConfigureInterfaceError(
        `failed to add IP addr ${ipc.address} to "${ifName}": ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (ipc.gateway !== undefined && ipc.gateway !== '') {
      // Go's test: a gateway that is not IPv4 counts as IPv6
      if (ipc.gateway.includes(':')) v6gw ??= ipc.gateway;
      else v4gw ??= ipc.gateway;
    }
  }

  try {
    await net.setLinkUp(netns, link.index);
  } catch (err) {
    throw new ConfigureInterfaceError(`failed to set "${ifName}" UP: ${(err as Error).message}`, { cause: err });
  }

  if (v6gw !== undefined) {
    try {
      await settleAddresses(net, netns, ifName, link.index, opts.dadTimeoutMs ?? DAD_SETTLE_TIMEOUT_MS);
    } catch (err) {
      throw new ConfigureInterfaceError(`failed to settle addresses for "${ifName}": ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  for (const r of result.routes) {
    const isV4 = cidrFamily(r.dst) === 4;
    const gw = r.gw !== undefined && r.gw !== '' ? r.gw : isV4 ? v4gw : v6gw;
    try {
      await net.appendRoute(netns, {
        dst: r.dst,
        ifindex: link.index,
        ...(gw === undefined ? {} : { gateway: gw }),
        ...(r.priority ? { priority: r.priority } : {}),
        ...(r.table === undefined ? {} : { table: r.table }),
        ...(r.scope === undefined ? {} : { scope: r.scope }),
      });
    } catch (err) {
      throw new ConfigureInterfaceError(
        `failed to add route '${r.dst} via ${gw ?? '<nil>'} dev ${ifName} metric ${r.priority ?? 0} ` +
          `(Scope: ${r.scope ?? 0}, Table: ${r.table ?? 0})': ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}

/**
 * disable_ipv6=0 on `lo` and the interface, as ConfigureIface does it: read first and write only a value that is not
 * already 0. A sysctl that cannot be read (IPv6 compiled out or disabled at boot: no such file) is logged and
 * skipped; a failed write is an error.
 */
async function enableIpv6(net: PodNet, netns: string, ifName: string, log: LogSink | undefined): Promise<void> {
  for (const iface of ['lo', ifName]) {
    const path = `net/ipv6/conf/${iface}/disable_ipv6`;
    let value: string;
    try {
      value = (await net.readSysctl(netns, path)).trim();
    } catch (err) {
      log?.info(`ipam_linux: failed to read sysctl "${path}": ${(err as Error).message}`);
      continue;
    }
    if (value === '0') continue;
    try {
      await net.writeSysctl(netns, path, '0');
    } catch (err) {
      throw new ConfigureInterfaceError(
        `failed to enable IPv6 for interface "${iface}" (${path}=${value}): ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}

/** plugins' ip.SettleAddresses for IPv6: poll until no address is tentative, fail on DADFAILED. */
async function settleAddresses(
  net: PodNet,
  netns: string,
  ifName: string,
  ifindex: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const addrs = await net.listIpv6Addresses(netns, ifindex);
    const failed = addrs.find((a) => a.dadFailed);
    if (failed) throw new Error(`link ${ifName} has address ${failed.address} in DADFAILED state`);
    if (!addrs.some((a) => a.tentative)) return;
    if (Date.now() >= deadline) {
      // Without carrier DAD cannot progress; ConfigureIface then gives up silently.
      if (!(await net.getLink(netns, ifName)).running) return;
      throw new Error(`link ${ifName} still has tentative addresses after ${timeoutMs / 1000} seconds`);
    }
    await sleep(DAD_SETTLE_INTERVAL_MS);
  }
}
