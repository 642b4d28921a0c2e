// The request engine on one channel: sequence numbers, reply matching, ACK/error/ext-ack parsing, multipart dumps.
import {
  attributeMap,
  decodeMessages,
  encodeMessage,
  type NetlinkMessage,
  NLMSG_HDRLEN,
  readString,
  readU32,
} from './codec.js';
import { NLM_F, NLMSG, NLMSGERR_ATTR } from './constants.js';
import { NetlinkError } from './errors.js';
import type { NetlinkChannel } from './transport.js';

/** How long one request waits for the kernel before failing with ETIMEDOUT. */
export const DEFAULT_TIMEOUT_MS = 10_000;
const ETIMEDOUT = 110;
const MAX_DUMP_RETRIES = 5;

function errorFromAck(operation: string, m: NetlinkMessage): NetlinkError | null {
  const p = m.payload;
  if (p.length < 4) return new NetlinkError(operation, 71 /* EPROTO */, 'truncated NLMSG_ERROR');
  const error = -p.readInt32LE(0);
  if (error === 0) return null;
  let message: string | undefined;
  let offset: number | undefined;
  if (m.flags & NLM_F.ACK_TLVS && p.length >= 4 + NLMSG_HDRLEN) {
    const originalLen = p.readUInt32LE(4);
    const tlvStart = 4 + (m.flags & NLM_F.CAPPED ? NLMSG_HDRLEN : (originalLen + 3) & ~3);
    if (tlvStart <= p.length) {
      const attrs = attributeMap(p, tlvStart);
      message = readString(attrs.get(NLMSGERR_ATTR.MSG));
      offset = readU32(attrs.get(NLMSGERR_ATTR.OFFS));
    }
  }
  return new NetlinkError(operation, error, message, offset);
}

function errorFromDone(operation: string, m: NetlinkMessage): NetlinkError | null {
  const p = m.payload;
  if (p.length < 4) return null;
  const error = -p.readInt32LE(0);
  if (error === 0) return null;
  let message: string | undefined;
  let offset: number | undefined;
  if (m.flags & NLM_F.ACK_TLVS) {
    const attrs = attributeMap(p, 4);
    message = readString(attrs.get(NLMSGERR_ATTR.MSG));
    offset = readU32(attrs.get(NLMSGERR_ATTR.OFFS));
  }
  return new NetlinkError(operation, error, message, offset);
}

export class NetlinkConnection {
  private seq: number;

  constructor(
    readonly channel: NetlinkChannel,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    // Start somewhere arbitrary so a stale reply on a reused socket number never matches by accident.
    this.seq = (Date.now() & 0x7fffffff) >>> 0;
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0 || 1;
    return this.seq;
  }

  private send(type: number, flags: number, body: Uint8Array): number {
    const seq = this.nextSeq();
    this.channel.send(encodeMessage(type, flags, body, seq, 0));
    return seq;
  }

  /** Reads until `take` returns true for a message of this request. */
  private receive(operation: string, seq: number, take: (m: NetlinkMessage) => boolean): void {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const remaining = Math.max(0, deadline - Date.now());
      const datagram = this.channel.recv(remaining);
      if (!datagram) throw new NetlinkError(operation, ETIMEDOUT, `no answer within ${this.timeoutMs} ms`);
      for (const m of decodeMessages(datagram)) {
        // Replies to other (earlier, abandoned) requests and stray multicast are skipped.
        if (m.seq !== seq || (m.pid !== this.channel.portId && m.pid !== 0)) continue;
        if (take(m)) return;
      }
    }
  }

  /** A request answered by an ACK (NLM_F_ACK). Throws NetlinkError on a negative answer. */
  ack(operation: string, type: number, flags: number, body: Uint8Array): void {
    const seq = this.send(type, flags | NLM_F.REQUEST | NLM_F.ACK, body);
    let failure: NetlinkError | null = null;
    this.receive(operation, seq, (m) => {
      if (m.type !== NLMSG.ERROR) return false;
      failure = errorFromAck(operation, m);
      return true;
    });
    if (failure) throw failure;
  }

  /** A GET of one object: the reply message, or a NetlinkError. */
  get(operation: string, type: number, body: Uint8Array, extraFlags = 0): NetlinkMessage {
    const seq = this.send(type, NLM_F.REQUEST | extraFlags, body);
    let reply: NetlinkMessage | undefined;
    let failure: NetlinkError | null = null;
    this.receive(operation, seq, (m) => {
      if (m.type === NLMSG.ERROR) {
        failure = errorFromAck(operation, m);
        return failure !== null; // an ACK (error 0) before the data would be unusual; keep reading
      }
      if (m.type === NLMSG.NOOP) return false;
      reply = m;
      return true;
    });
    if (failure) throw failure;
    return reply!;
  }

  /** A dump: every data message up to NLMSG_DONE. Retried when the kernel flags it inconsistent (DUMP_INTR). */
  dump(operation: string, type: number, body: Uint8Array, extraFlags = 0): NetlinkMessage[] {
    for (let attempt = 0; ; attempt++) {
      const seq = this.send(type, NLM_F.REQUEST | NLM_F.DUMP | extraFlags, body);
      const out: NetlinkMessage[] = [];
      let interrupted = false;
      let failure: NetlinkError | null = null;
      this.receive(operation, seq, (m) => {
        if (m.flags & NLM_F.DUMP_INTR) interrupted = true;
        if (m.type === NLMSG.DONE) {
          failure = errorFromDone(operation, m);
          return true;
        }
        if (m.type === NLMSG.ERROR) {
          failure = errorFromAck(operation, m);
          return true;
        }
        if (m.type !== NLMSG.NOOP) out.push(m);
        return false;
      });
      if (failure) throw failure;
      if (!interrupted || attempt >= MAX_DUMP_RETRIES) return out;
    }
  }
}
