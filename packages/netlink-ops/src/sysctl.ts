// Per-netns sysctls (/proc/sys/net/...) and single raw frames (gratuitous ARP / unsolicited NA) inside a netns.
import type { OpsContext } from './context.js';
import { getLink, type LinkRef } from './link.js';
import { syscalls } from './syscalls.js';
import { checkAbsolutePath, InvalidArgumentError } from './validate.js';

const SYSCTL_NET = '/proc/sys/net/';

// Only paths under /proc/sys/net/ are accepted: no '.' or '..' segments, no whitespace or NUL (interface names in the
// path may contain other characters, e.g. eth0.100). Shared by reads and writes.
function checkSysctlPath(path: string): string {
  if (typeof path !== 'string' || !path.startsWith(SYSCTL_NET) || path.length > 512)
    throw new InvalidArgumentError(`sysctl path must start with ${SYSCTL_NET}: ${JSON.stringify(path)}`);
  const segments = path.slice(SYSCTL_NET.length).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || /[\s\0]/.test(s)))
    throw new InvalidArgumentError(`invalid sysctl path ${JSON.stringify(path)}`);
  return path;
}

function netnsOption(opts: { netns?: string }): string | null {
  return opts.netns === undefined ? null : checkAbsolutePath(opts.netns, 'netns');
}

/**
 * Writes a network sysctl, inside `netns` when given (e.g. net.ipv6.conf.eth0.disable_ipv6 in a pod). Only paths
 * under /proc/sys/net/ are accepted: no '.' or '..' segments, no
 * whitespace or NUL (interface names in the path may contain other characters, e.g. eth0.100).
 */
export function writeSysctl(path: string, value: string | number, opts: { netns?: string } = {}): void {
  checkSysctlPath(path);
  const text = String(value);
  if (text.includes('\0') || text.length > 4096) throw new InvalidArgumentError('invalid sysctl value');
  syscalls().writeFileInNetns(netnsOption(opts), path, Buffer.from(text));
}

// Longer than any network sysctl's text (the longest are lists such as tcp_available_congestion_control).
const SYSCTL_READ_MAX = 4096;

/**
 * Reads a network sysctl, inside `netns` when given, as the kernel prints it without the trailing newline (e.g. "0"
 * for net.ipv6.conf.eth0.disable_ipv6). Same path rules as writeSysctl. A missing file (no such interface, or IPv6
 * disabled at boot) is a SyscallError with code ENOENT.
 */
export function readSysctl(path: string, opts: { netns?: string } = {}): string {
  checkSysctlPath(path);
  const bytes = syscalls().readFileInNetns(netnsOption(opts), path, SYSCTL_READ_MAX);
  return bytes.toString('utf8').replace(/\n$/, '');
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
