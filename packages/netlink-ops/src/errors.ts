import { constants } from 'node:os';

// Node's table maps 95 to both ENOTSUP and EOPNOTSUPP, so a reverse lookup would pick ENOTSUP. The kernel's netlink
// answers mean EOPNOTSUPP ("Operation not supported"), which is the name callers and the Go projects use.
const explicitNames: Record<number, string> = { 95: 'EOPNOTSUPP', 11: 'EAGAIN' };
let reverse: Map<number, string> | undefined;

/** The symbolic name of a positive errno value ('EOPNOTSUPP' for 95), or `E<number>` when unknown. */
export function errnoName(errno: number): string {
  const explicit = explicitNames[errno];
  if (explicit) return explicit;
  if (!reverse) {
    reverse = new Map();
    for (const [name, value] of Object.entries(constants.errno)) if (!reverse.has(value)) reverse.set(value, name);
  }
  return reverse.get(errno) ?? `E${errno}`;
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
