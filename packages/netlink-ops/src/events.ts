// Link events for long-running daemons. Design: a netlink socket subscribed to RTNLGRP_LINK is watched with uv_poll
// on the Node event loop (in the C addon); when it becomes readable the JS thread drains it without blocking
// (recv with a zero timeout). No thread, no blocking call, nothing runs while idle.

import { decodeMessages } from './codec.js';
import { NetlinkConnection } from './connection.js';
import { AF_UNSPEC, NETLINK_ROUTE, RTM, RTMGRP_LINK, SO_RCVBUF, SO_RCVBUFFORCE, SOL_SOCKET } from './constants.js';
import type { NetnsOption, OpsContext } from './context.js';
import { SyscallError } from './errors.js';
import { type LinkInfo, listLinksOn, parseLink } from './link.js';
import type { ChannelWatch, NetlinkChannel } from './transport.js';
import { checkAbsolutePath } from './validate.js';

/**
 * add: a link appeared; remove: it disappeared (deleted or moved away); up/down: IFF_UP changed; change: anything
 * else worth reporting changed (name, operstate/carrier, MTU, MAC, master). Duplicate notifications are dropped.
 */
export type LinkEventType = 'add' | 'remove' | 'up' | 'down' | 'change';

export interface LinkEvent {
  type: LinkEventType;
  link: LinkInfo;
}

export interface WatchLinksOptions extends NetnsOption {
  /** Emit an 'add' for every link present when the watch starts. Default false. */
  includeExisting?: boolean;
  /** Keep the process alive while the watch is open. Default true. */
  keepAlive?: boolean;
  /** Closes the stream when aborted. */
  signal?: AbortSignal;
  /** Socket receive buffer (SO_RCVBUFFORCE, else SO_RCVBUF). Default 4 MiB; a full buffer costs a re-dump. */
  receiveBufferBytes?: number;
}

/** An async iterator of link events; `close()` (or breaking out of `for await`) releases the socket. */
export interface LinkEventStream extends AsyncIterableIterator<LinkEvent> {
  close(): void;
  /** How often the socket overflowed (ENOBUFS) and the link table was re-read. */
  readonly resyncs: number;
}

const ENOBUFS = 105;
const stateKey = (l: LinkInfo) => `${l.flags}|${l.operState}|${l.name}|${l.mtu}|${l.mac}|${l.masterIndex}`;

/** Watches link add/remove/up/down/change in a netns (see the README, "Events"). */
export function watchLinks(ctx: OpsContext, opts: WatchLinksOptions = {}): LinkEventStream {
  const netns = opts.netns === undefined ? undefined : checkAbsolutePath(opts.netns, 'netns');
  const channel: NetlinkChannel = ctx.transport.open(NETLINK_ROUTE, { netns, groups: RTMGRP_LINK });
  const known = new Map<number, { key: string; link: LinkInfo }>();
  const queue: LinkEvent[] = [];
  const waiting: { resolve: (r: IteratorResult<LinkEvent>) => void; reject: (e: unknown) => void }[] = [];
  let failure: unknown;
  let closed = false;
  let resyncs = 0;
  let watch: ChannelWatch | undefined;

  const emit = (event: LinkEvent) => {
    const w = waiting.shift();
    if (w) w.resolve({ value: event, done: false });
    else queue.push(event);
  };

  const observe = (link: LinkInfo, emitAdd: boolean) => {
    const before = known.get(link.index);
    const key = stateKey(link);
    known.set(link.index, { key, link });
    if (!before) {
      if (emitAdd) emit({ type: 'add', link });
    } else if (before.key !== key) {
      emit({ type: before.link.up === link.up ? 'change' : link.up ? 'up' : 'down', link });
    }
  };

  const resync = (emitChanges: boolean) => {
    const seen = new Set<number>();
    const sync = ctx.transport.open(NETLINK_ROUTE, { netns });
    try {
      for (const link of listLinksOn(new NetlinkConnection(sync, ctx.timeoutMs))) {
        seen.add(link.index);
        observe(link, emitChanges);
      }
    } finally {
      sync.close();
    }
    for (const [index, last] of known)
      if (!seen.has(index)) {
        known.delete(index);
        if (emitChanges) emit({ type: 'remove', link: last.link });
      }
  };

  const fail = (error: unknown) => {
    failure = error;
    for (const w of waiting.splice(0)) w.reject(error);
    stop();
  };

  const drain = () => {
    if (closed) return;
    try {
      for (;;) {
        let datagram: Buffer | undefined;
        try {
          datagram = channel.recv(0);
        } catch (error) {
          // The socket overflowed and events were lost: re-read the full state and report the difference.
          if (error instanceof SyscallError && error.errno === ENOBUFS) {
            resyncs++;
            resync(true);
            continue;
          }
          throw error;
        }
        if (!datagram) return;
        for (const m of decodeMessages(datagram)) {
          // Bridge port notifications (ifi_family AF_BRIDGE) share the group; they are not link state.
          if (m.payload.length < 16 || m.payload[0] !== AF_UNSPEC) continue;
          if (m.type === RTM.NEWLINK) observe(parseLink(m), true);
          else if (m.type === RTM.DELLINK) {
            const link = parseLink(m);
            if (known.delete(link.index)) emit({ type: 'remove', link });
          }
        }
      }
    } catch (error) {
      fail(error);
    }
  };

  function stop() {
    if (closed) return;
    closed = true;
    queue.length = 0;
    watch?.stop();
    channel.close();
    opts.signal?.removeEventListener('abort', stop);
    for (const w of waiting.splice(0)) w.resolve({ value: undefined, done: true });
  }

  try {
    for (const size of [SO_RCVBUFFORCE, SO_RCVBUF]) {
      try {
        channel.setsockoptInt(SOL_SOCKET, size, opts.receiveBufferBytes ?? 4 << 20);
        break;
      } catch {
        // RCVBUFFORCE needs CAP_NET_ADMIN; fall back to the capped RCVBUF.
      }
    }
    resync(opts.includeExisting === true);
    watch = channel.watch(drain);
    if (opts.keepAlive === false) watch.ref(false);
  } catch (error) {
    channel.close();
    throw error;
  }
  if (opts.signal) {
    if (opts.signal.aborted) stop();
    else opts.signal.addEventListener('abort', stop, { once: true });
  }
  // Anything that arrived between the subscription and the watch.
  drain();

  const stream: LinkEventStream = {
    next(): Promise<IteratorResult<LinkEvent>> {
      const event = queue.shift();
      if (event) return Promise.resolve({ value: event, done: false });
      if (failure) return Promise.reject(failure);
      if (closed) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return(): Promise<IteratorResult<LinkEvent>> {
      stop();
      return Promise.resolve({ value: undefined, done: true });
    },
    close: stop,
    get resyncs() {
      return resyncs;
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
