// Exclusive, timed file locks with flock(2) semantics, interoperable with the Go plugins' locks on the same paths
// (sriov-cni: per VF `<stateDir>/pci/vf_lock/<bdf>.lock`, 60 s; ib-sriov-cni: `/var/run/cni/ib-sriov/cni.lock`).
// flock is per open file description: the lock is held until release() closes the fd, or the process exits.
// The flock primitive lives in @sriov-ts/netlink-ops, whose native addon loads on the first acquire (importing it
// loads none). A static import: a dynamic one made bundles keep all of netlink-ops behind a namespace object,
// built at every start.
import { closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tryFlock, unflock } from '@sriov-ts/netlink-ops';
import { CniError, ErrInternal, ErrTryAgainLater } from './errors.js';
import { SRIOV_STATE_DIR } from './state-store.js';

/** sriov-cni waits this long for a VF lock. */
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

/** ib-sriov-cni's global lock (`CniFileLockDir` + `CniFileLockName`). */
export const IB_SRIOV_LOCK_PATH = '/var/run/cni/ib-sriov/cni.lock';

const PCI_ADDRESS = /^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$/;

/** sriov-cni's per-VF lock file `<stateDir>/pci/vf_lock/<bdf>.lock`; the address must be a full PCI BDF. */
export function sriovVfLockPath(pciAddress: string, stateDir: string = SRIOV_STATE_DIR): string {
  if (!PCI_ADDRESS.test(pciAddress)) {
    throw new CniError(ErrInternal, `invalid PCI address ${JSON.stringify(pciAddress)} for a VF lock`);
  }
  return join(stateDir, 'pci', 'vf_lock', `${pciAddress}.lock`);
}

export interface FileLock {
  readonly path: string;
  /** Releases the lock (LOCK_UN, close). Idempotent. */
  release(): void;
}

export interface LockOptions {
  /** Give up after this long (default 60 s). 0 tries exactly once. */
  timeoutMs?: number;
  /** First wait between attempts; grows ×1.5 up to maxPollMs (defaults 5 ms / 100 ms). */
  pollMs?: number;
  maxPollMs?: number;
  /** Aborts the wait (the error is the signal's reason). */
  signal?: AbortSignal;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Takes an exclusive flock on `path`, creating the file (0600) and its directory (0700) when missing, polling
 * with a short back-off until `timeoutMs`. On timeout: CniError code 11 with sriov-cni's message
 * `time out while waiting to acquire exclusive lock on [<path>]`.
 */
export async function acquireExclusiveLock(path: string, options: LockOptions = {}): Promise<FileLock> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const maxPoll = options.maxPollMs ?? 100;
  let poll = options.pollMs ?? 5;
  options.signal?.throwIfAborted();
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new CniError(ErrInternal, `failed to create the lock directory(${dir}): ${(e as Error).message}`);
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (e) {
    throw new CniError(ErrInternal, `failed to open lock file [${path}]: ${(e as Error).message}`);
  }
  try {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      options.signal?.throwIfAborted();
      if (tryFlock(fd, 'exclusive')) return heldLock(path, fd, unflock);
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        throw new CniError(ErrTryAgainLater, `time out while waiting to acquire exclusive lock on [${path}]`);
      }
      await sleep(Math.min(poll, remaining), options.signal);
      poll = Math.min(poll * 1.5, maxPoll);
    }
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function heldLock(path: string, fd: number, unflock: (fd: number) => void): FileLock {
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      try {
        unflock(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}
