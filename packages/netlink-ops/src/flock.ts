// flock(2) for the CNI state locks: advisory, per open file description, released when the fd is closed.
import { syscalls } from './syscalls.js';
import { InvalidArgumentError } from './validate.js';

function checkFd(fd: number): void {
  if (!Number.isInteger(fd) || fd < 0) throw new InvalidArgumentError(`flock: invalid fd ${fd}`);
}

/**
 * flock(2) on an open fd without blocking. true = taken; false = held by someone else (EWOULDBLOCK).
 * Throws on any other error.
 */
export function tryFlock(fd: number, kind: 'exclusive' | 'shared'): boolean {
  checkFd(fd);
  if (kind !== 'exclusive' && kind !== 'shared') throw new InvalidArgumentError(`flock: invalid kind ${kind}`);
  return syscalls().flock(fd, kind === 'exclusive' ? 1 : 2);
}

/** Releases a flock taken with tryFlock (LOCK_UN). */
export function unflock(fd: number): void {
  checkFd(fd);
  syscalls().flock(fd, 0);
}
