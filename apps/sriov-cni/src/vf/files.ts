// State-file primitives every CNI plugin here needs (generic: shared with ib-sriov; @sriov-ts/cni is the natural
// home once it grows a state store): an flock with a timeout, atomic 0600 writes, reads where "absent" is normal.
import { closeSync, constants, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tryFlock } from '@sriov-ts/netlink-ops';

/**
 * Exclusive flock on `path` (created 0600, parent 0700), polling until `timeoutMs`. Returns the release; a process
 * that exits releases it too (the Go plugins hold theirs until exit).
 */
export async function lockFile(path: string, timeoutMs: number): Promise<() => void> {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  const fd = openSync(path, constants.O_RDONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  const deadline = Date.now() + timeoutMs;
  let wait = 2;
  while (!tryFlock(fd, 'exclusive')) {
    if (Date.now() >= deadline) {
      closeSync(fd);
      throw new Error(`time out while waiting to acquire exclusive lock on [${path}]`);
    }
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 50);
  }
  return () => closeSync(fd); // the only fd of its open file description: closing releases the flock
}

export function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** tmp + rename: a reader (or a crash) never sees half a file. Files 0600, directories 0700. */
export function writeAtomic(dir: string, file: string, content: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${file}.${process.pid}.tmp`);
  writeFileSync(tmp, content, { mode: 0o600, flag: 'w' });
  renameSync(tmp, join(dir, file));
}
