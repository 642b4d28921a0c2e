// The seam between the codec and the kernel. Operations talk to a NetlinkTransport; the default one is the native
// addon, and tests can substitute a recording transport that captures every request's bytes and answers selected
// requests itself (as real SR-IOV hardware would), passing the rest to the kernel.
import { nodeFs } from './builtins.js';
import { AttrWriter, decodeMessages, encodeMessage, NLMSG_HDRLEN } from './codec.js';
import { NLM_F, NLMSG, NLMSGERR_ATTR } from './constants.js';
import { syscalls, type WatchHandle } from './syscalls.js';

export interface OpenOptions {
  /** Network namespace path to open the socket in (setns around socket creation only). */
  netns?: string | undefined;
  /** Multicast group bitmask to bind (events). */
  groups?: number | undefined;
}

/** A readiness watch: the callback runs on the JS thread when the channel has data. */
export interface ChannelWatch {
  stop(): void;
  /** Whether the watch keeps the process alive. */
  ref(keepAlive: boolean): void;
}

/** One open netlink socket, or something that behaves like one. */
export interface NetlinkChannel {
  readonly portId: number;
  send(message: Buffer): void;
  /** One datagram, or undefined on timeout. */
  recv(timeoutMs: number): Buffer | undefined;
  close(): void;
  setsockoptInt(level: number, name: number, value: number): void;
  watch(onReadable: (errno: number) => void): ChannelWatch;
}

export interface NetlinkTransport {
  open(protocol: number, opts?: OpenOptions): NetlinkChannel;
  /** An fd referring to a netns (for IFLA_NET_NS_FD / RDMA_NLDEV_NET_NS_FD); release with closeNetnsFd. */
  openNetnsFd(path: string): number;
  closeNetnsFd(fd: number): void;
}

class NativeChannel implements NetlinkChannel {
  readonly portId: number;
  private fd: number;

  constructor(protocol: number, opts: OpenOptions) {
    const sys = syscalls();
    this.fd = sys.openNetlink(protocol, opts.groups ?? 0, opts.netns ?? null);
    try {
      this.portId = sys.portId(this.fd);
    } catch (error) {
      sys.close(this.fd);
      throw error;
    }
  }

  send(message: Buffer): void {
    syscalls().send(this.fd, message);
  }

  recv(timeoutMs: number): Buffer | undefined {
    return syscalls().recv(this.fd, timeoutMs);
  }

  setsockoptInt(level: number, name: number, value: number): void {
    syscalls().setsockoptInt(this.fd, level, name, value);
  }

  watch(onReadable: (errno: number) => void): ChannelWatch {
    const sys = syscalls();
    const handle: WatchHandle = sys.watch(this.fd, onReadable);
    return { stop: () => sys.unwatch(handle), ref: (keep) => sys.watchRef(handle, keep) };
  }

  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    syscalls().close(fd);
  }
}

/** The real kernel, through the native addon. */
export const nativeTransport: NetlinkTransport = {
  open: (protocol, opts = {}) => new NativeChannel(protocol, opts),
  openNetnsFd: (path) => nodeFs().openSync(path, 'r'),
  closeNetnsFd: (fd) => nodeFs().closeSync(fd),
};

// ---------------------------------------------------------------------------------------------------------------
// Recording transport

/** A request as sent, with its header decoded. */
export interface RecordedRequest {
  protocol: number;
  /** The netns the socket was opened in, if any. */
  netns: string | undefined;
  type: number;
  flags: number;
  seq: number;
  /** The exact bytes sent, header included. */
  bytes: Buffer;
  /** The bytes after the 16-byte header. */
  payload: Buffer;
}

/**
 * How a test answers a request instead of the kernel:
 * - `{ error: 95 }` answers NLMSG_ERROR -95 (0 = a plain ACK), optionally with an extended-ACK message/offset;
 * - `{ messages: [...] }` answers data messages; for a dump they are flagged NLM_F_MULTI and followed by
 *   NLMSG_DONE, and for a request with NLM_F_ACK an ACK follows them.
 */
export type NetlinkReply =
  | { error: number; extAckMessage?: string; extAckOffset?: number }
  | { messages: { type: number; payload: Uint8Array; flags?: number }[] };

export interface RecordingTransportOptions {
  /** Return a reply to answer a request here, or undefined to pass it on to `inner`. */
  answer?: (request: RecordedRequest) => NetlinkReply | undefined;
  /**
   * Where unanswered requests go. Default: the native kernel transport (opened lazily, on the first unanswered
   * request of a channel). `null`: nothing is passed on; unanswered requests get an ACK, or an empty dump.
   */
  inner?: NetlinkTransport | null;
}

export interface RecordingTransport extends NetlinkTransport {
  /** Every request, in order, across all channels. */
  readonly requests: RecordedRequest[];
  /** netns paths opened as fds (for IFLA_NET_NS_FD), in order. */
  readonly netnsFdPaths: string[];
  /** Forgets the recorded requests. */
  clear(): void;
}

const FAKE_PORT_ID = 0x7e57;

function errorReply(request: RecordedRequest, errno: number, message?: string, offset?: number): Buffer {
  const body = new AttrWriter(64);
  const head = Buffer.alloc(4);
  head.writeInt32LE(-Math.abs(errno));
  body.raw(head);
  // Like the kernel without NETLINK_CAP_ACK: the whole original request is echoed (only its header for an ACK).
  body.raw(errno === 0 ? request.bytes.subarray(0, NLMSG_HDRLEN) : request.bytes);
  let flags = errno === 0 ? NLM_F.CAPPED : 0;
  if (message !== undefined || offset !== undefined) {
    flags |= NLM_F.ACK_TLVS;
    if (message !== undefined) body.string(NLMSGERR_ATTR.MSG, message);
    if (offset !== undefined) body.u32(NLMSGERR_ATTR.OFFS, offset);
  }
  return encodeMessage(NLMSG.ERROR, flags, body.finish(), request.seq, FAKE_PORT_ID);
}

function repliesFor(request: RecordedRequest, reply: NetlinkReply | undefined): Buffer[] {
  const isDump = (request.flags & NLM_F.DUMP) === NLM_F.DUMP;
  if (reply === undefined) reply = isDump ? { messages: [] } : { error: 0 };
  if ('error' in reply) return [errorReply(request, reply.error, reply.extAckMessage, reply.extAckOffset)];
  const out = reply.messages.map((m) =>
    encodeMessage(m.type, (m.flags ?? 0) | (isDump ? NLM_F.MULTI : 0), m.payload, request.seq, FAKE_PORT_ID),
  );
  if (isDump) out.push(encodeMessage(NLMSG.DONE, NLM_F.MULTI, Buffer.alloc(4), request.seq, FAKE_PORT_ID));
  else if (request.flags & NLM_F.ACK) out.push(errorReply(request, 0));
  return out;
}

class RecordingChannel implements NetlinkChannel {
  readonly portId = FAKE_PORT_ID;
  private queue: Buffer[] = [];
  private innerChannel: NetlinkChannel | undefined;
  private readonly sockopts: [number, number, number][] = [];

  constructor(
    private readonly owner: { requests: RecordedRequest[]; opts: RecordingTransportOptions },
    private readonly protocol: number,
    private readonly openOpts: OpenOptions,
  ) {}

  private inner(): NetlinkChannel | undefined {
    const transport = this.owner.opts.inner === undefined ? nativeTransport : this.owner.opts.inner;
    if (!transport) return undefined;
    if (!this.innerChannel) {
      this.innerChannel = transport.open(this.protocol, this.openOpts);
      for (const [level, name, value] of this.sockopts) this.innerChannel.setsockoptInt(level, name, value);
    }
    return this.innerChannel;
  }

  send(message: Buffer): void {
    for (const m of decodeMessages(message)) {
      const request: RecordedRequest = {
        protocol: this.protocol,
        netns: this.openOpts.netns,
        type: m.type,
        flags: m.flags,
        seq: m.seq,
        bytes: Buffer.from(m.raw),
        payload: Buffer.from(m.payload),
      };
      this.owner.requests.push(request);
      const reply = this.owner.opts.answer?.(request);
      const inner = reply === undefined ? this.inner() : undefined;
      if (inner) inner.send(Buffer.from(m.raw));
      else this.queue.push(...repliesFor(request, reply));
    }
  }

  recv(timeoutMs: number): Buffer | undefined {
    const queued = this.queue.shift();
    if (queued) return queued;
    if (!this.innerChannel) return undefined;
    const datagram = this.innerChannel.recv(timeoutMs);
    if (!datagram) return undefined;
    // Replies from the kernel carry the inner socket's port id; present them as addressed to this channel.
    const innerPort = this.innerChannel.portId;
    for (const m of decodeMessages(datagram)) if (m.pid === innerPort) m.raw.writeUInt32LE(FAKE_PORT_ID, 12);
    return datagram;
  }

  setsockoptInt(level: number, name: number, value: number): void {
    this.sockopts.push([level, name, value]);
    this.innerChannel?.setsockoptInt(level, name, value);
  }

  watch(onReadable: (errno: number) => void): ChannelWatch {
    const inner = this.inner();
    if (!inner) return { stop: () => {}, ref: () => {} };
    return inner.watch(onReadable);
  }

  close(): void {
    this.queue = [];
    this.innerChannel?.close();
    this.innerChannel = undefined;
  }
}

/**
 * A transport for tests: records the exact bytes of every request and lets `answer` reply to selected ones. See the
 * package README ("Test seam").
 */
export function createRecordingTransport(opts: RecordingTransportOptions = {}): RecordingTransport {
  const requests: RecordedRequest[] = [];
  const netnsFdPaths: string[] = [];
  const owner = { requests, opts };
  let fakeFd = 1000;
  const fakeFds = new Set<number>();
  return {
    requests,
    netnsFdPaths,
    clear: () => {
      requests.length = 0;
      netnsFdPaths.length = 0;
    },
    open: (protocol, openOpts = {}) => new RecordingChannel(owner, protocol, openOpts),
    openNetnsFd: (path) => {
      netnsFdPaths.push(path);
      const inner = opts.inner === undefined ? nativeTransport : opts.inner;
      if (inner) return inner.openNetnsFd(path);
      const fd = fakeFd++;
      fakeFds.add(fd);
      return fd;
    },
    closeNetnsFd: (fd) => {
      if (fakeFds.delete(fd)) return;
      const inner = opts.inner === undefined ? nativeTransport : opts.inner;
      inner?.closeNetnsFd(fd);
    },
  };
}
