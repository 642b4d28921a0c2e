// What every operation runs with: a transport and a timeout. One socket per call, closed before the call returns.
import { NetlinkConnection } from './connection.js';
import { NETLINK_ROUTE } from './constants.js';
import type { NetlinkTransport } from './transport.js';
import { checkAbsolutePath } from './validate.js';

export interface OpsContext {
  readonly transport: NetlinkTransport;
  readonly timeoutMs: number;
}

/** The network namespace an operation acts in. */
export interface NetnsOption {
  /** A netns path (/var/run/netns/X, /proc/PID/ns/net). Default: the caller's own netns. */
  netns?: string | undefined;
}

export function withConnection<T>(
  ctx: OpsContext,
  protocol: number,
  netns: string | undefined,
  fn: (c: NetlinkConnection) => T,
): T {
  const path = netns === undefined ? undefined : checkAbsolutePath(netns, 'netns');
  const channel = ctx.transport.open(protocol, { netns: path });
  try {
    return fn(new NetlinkConnection(channel, ctx.timeoutMs));
  } finally {
    channel.close();
  }
}

export function withRoute<T>(ctx: OpsContext, netns: string | undefined, fn: (c: NetlinkConnection) => T): T {
  return withConnection(ctx, NETLINK_ROUTE, netns, fn);
}

/** Opens an fd of a netns for the duration of fn (for IFLA_NET_NS_FD and RDMA_NLDEV_NET_NS_FD). */
export function withNetnsFd<T>(ctx: OpsContext, netns: string, fn: (fd: number) => T): T {
  const fd = ctx.transport.openNetnsFd(checkAbsolutePath(netns, 'target netns'));
  try {
    return fn(fd);
  } finally {
    ctx.transport.closeNetnsFd(fd);
  }
}
