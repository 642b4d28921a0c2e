// Per-netns sysctls (/proc/sys/net/...) and single raw frames (gratuitous ARP / unsolicited NA) inside a netns.
import type { OpsContext } from './context.js';
import { getLink, type LinkRef } from './link.js';
import { syscalls } from './syscalls.js';
import { checkAbsolutePath, InvalidArgumentError } from './validate.js';

const SYSCTL_NET = '/proc/sys/net/';

/**
 * Writes a network sysctl, inside `netns` when given (e.g. net.ipv6.conf.eth0.disable_ipv6 in a pod). Only paths
 * under /proc/sys/net/ are accepted: no '.' or '..' segments, no
 * whitespace or NUL (interface names in the path may contain other characters, e.g. eth0.100).
 */
export function writeSysctl(path: string, value: string | number, opts: { netns?: string } = {}): void {
  if (typeof path !== 'string' || !path.startsWith(SYSCTL_NET) || path.length > 512)
    throw new InvalidArgumentError(`sysctl path must start with ${SYSCTL_NET}: ${JSON.stringify(path)}`);
  const segments = path.slice(SYSCTL_NET.length).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || /[\s\0]/.test(s)))
    throw new InvalidArgumentError(`invalid sysctl path ${JSON.stringify(path)}`);
  const text = String(value);
  if (text.includes('\0') || text.length > 4096) throw new InvalidArgumentError('invalid sysctl value');
  const netns = opts.netns === undefined ? null : checkAbsolutePath(opts.netns, 'netns');
  syscalls().writeFileInNetns(netns, path, Buffer.from(text));
}

/**
 * Sends one complete Ethernet frame (destination MAC, source MAC, EtherType, payload) on a link, from an AF_PACKET
 * socket created inside `netns`. A name is resolved to its ifindex in that netns.
 */
export function sendFrame(ctx: OpsContext, link: LinkRef, frame: Uint8Array, opts: { netns?: string } = {}): void {
  if (!(frame instanceof Uint8Array) || frame.length < 14 || frame.length > 65535)
    throw new InvalidArgumentError('frame: expected 14..65535 bytes');
  const netns = opts.netns === undefined ? null : checkAbsolutePath(opts.netns, 'netns');
  const index = typeof link === 'number' ? link : getLink(ctx, link, opts).index;
  syscalls().sendPacket(netns, index, frame);
}
