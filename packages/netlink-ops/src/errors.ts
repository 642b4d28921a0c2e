import { nodeUtil } from './builtins.js';

// Linux errno names. Node's own tables (os.constants, libuv) name 95 ENOTSUP, but the kernel's netlink answers mean
// EOPNOTSUPP ("Operation not supported"), the name callers and the Go projects use. node:os is not imported because
// it is not loaded at Node start-up and would cost a CNI plugin start-up time (see builtins.ts).
const names: Record<number, string> = {
  1: 'EPERM',
  2: 'ENOENT',
  3: 'ESRCH',
  4: 'EINTR',
  5: 'EIO',
  6: 'ENXIO',
  7: 'E2BIG',
  9: 'EBADF',
  11: 'EAGAIN',
  12: 'ENOMEM',
  13: 'EACCES',
  14: 'EFAULT',
  16: 'EBUSY',
  17: 'EEXIST',
  19: 'ENODEV',
  20: 'ENOTDIR',
  21: 'EISDIR',
  22: 'EINVAL',
  23: 'ENFILE',
  24: 'EMFILE',
  28: 'ENOSPC',
  34: 'ERANGE',
  61: 'ENODATA',
  71: 'EPROTO',
  74: 'EBADMSG',
  75: 'EOVERFLOW',
  90: 'EMSGSIZE',
  93: 'EPROTONOSUPPORT',
  95: 'EOPNOTSUPP',
  97: 'EAFNOSUPPORT',
  98: 'EADDRINUSE',
  99: 'EADDRNOTAVAIL',
  100: 'ENETDOWN',
  101: 'ENETUNREACH',
  105: 'ENOBUFS',
  110: 'ETIMEDOUT',
  113: 'EHOSTUNREACH',
};

/** The symbolic name of a positive errno value ('EOPNOTSUPP' for 95), or `E<number>` when unknown. */
export function errnoName(errno: number): string {
  const known = names[errno];
  if (known) return known;
  const name = Number.isInteger(errno) && errno > 0 ? nodeUtil().getSystemErrorName(-errno) : '';
  return /^E[A-Z0-9]+$/.test(name) ? name : `E${errno}`;
}

/** A failed system call in the native layer (socket, setns, open, flock, mount...). */
export class SyscallError extends Error {
  override readonly name = 'SyscallError';
  /** Positive errno value. */
  readonly errno: number;
  /** Symbolic errno name, e.g. 'ENOENT'. */
  readonly code: string;
  /** The call that failed, e.g. 'setns' or 'open netns'. */
  readonly syscall: string;
  /** The path involved, when there is one. */
  readonly path: string | undefined;

  constructor(syscall: string, errno: number, path?: string, message?: string) {
    const code = errnoName(errno);
    super(message ?? `${syscall}${path ? ` ${path}` : ''}: ${code}`);
    this.errno = errno;
    this.code = code;
    this.syscall = syscall;
    this.path = path;
  }
}

// strerror() texts, lowercased the way Go's syscall.Errno prints them (the Go plugins' error messages embed these).
const descriptions: Record<number, string> = {
  1: 'operation not permitted',
  2: 'no such file or directory',
  3: 'no such process',
  4: 'interrupted system call',
  5: 'input/output error',
  6: 'no such device or address',
  7: 'argument list too long',
  9: 'bad file descriptor',
  11: 'resource temporarily unavailable',
  12: 'cannot allocate memory',
  13: 'permission denied',
  14: 'bad address',
  16: 'device or resource busy',
  17: 'file exists',
  19: 'no such device',
  20: 'not a directory',
  21: 'is a directory',
  22: 'invalid argument',
  23: 'too many open files in system',
  24: 'too many open files',
  28: 'no space left on device',
  34: 'numerical result out of range',
  61: 'no data available',
  71: 'protocol error',
  74: 'bad message',
  75: 'value too large for defined data type',
  90: 'message too long',
  93: 'protocol not supported',
  95: 'operation not supported',
  97: 'address family not supported by protocol',
  98: 'address already in use',
  99: 'cannot assign requested address',
  100: 'network is down',
  101: 'network is unreachable',
  105: 'no buffer space available',
  110: 'connection timed out',
  113: 'no route to host',
};

/** strerror(errno) in Go's lowercase spelling, e.g. 'operation not supported' for 95. */
export function errnoDescription(errno: number): string {
  return descriptions[errno] ?? `errno ${errno}`;
}

/** The kernel rejected a netlink request (NLMSG_ERROR with a negative error, or a failed dump). */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  /** Positive errno value, e.g. 95. */
  readonly errno: number;
  /** Symbolic name; 95 is always 'EOPNOTSUPP'. */
  readonly code: string;
  /** strerror text in Go's spelling, e.g. 'operation not supported'. */
  readonly description: string;
  /** The kernel's extended-ACK message, when it sent one (many errors have none). */
  readonly extAckMessage: string | undefined;
  /** Byte offset of the offending attribute, counted from the start of the request's nlmsghdr. */
  readonly extAckOffset: number | undefined;
  /** What was being done, e.g. 'RTM_SETLINK eth0'. */
  readonly operation: string;

  constructor(operation: string, errno: number, extAckMessage?: string, extAckOffset?: number) {
    const code = errnoName(errno);
    const description = errnoDescription(errno);
    super(`${operation}: ${description} (${code})${extAckMessage ? `: ${extAckMessage}` : ''}`);
    this.errno = errno;
    this.code = code;
    this.description = description;
    this.extAckMessage = extAckMessage;
    this.extAckOffset = extAckOffset;
    this.operation = operation;
  }
}
