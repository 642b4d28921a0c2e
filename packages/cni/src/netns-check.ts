// Go skel's guard against a runtime handing the plugin its own network namespace as CNI_NETNS: a plugin that
// then "moves the device into the pod" would reconfigure the host. Compared by device and inode number, as the
// kernel identifies namespaces (nsfs inodes). Only stat(2) on procfs/nsfs paths; no netlink, no /sys.
import { statfsSync, statSync } from 'node:fs';
import { CniError, ErrInvalidNetNS } from './errors.js';

/**
 * True when `netnsPath` names the network namespace this process runs in. A path that does not exist or cannot
 * be stat'ed is not this process's namespace (the handler reports it with its own error).
 */
export function isOwnNetns(netnsPath: string, selfPath = '/proc/self/ns/net'): boolean {
  try {
    const target = statSync(netnsPath, { bigint: true });
    const self = statSync(selfPath, { bigint: true });
    return target.dev === self.dev && target.ino === self.ino;
  } catch {
    return false;
  }
}

/** CNI_NETNS_OVERRIDE=1|true (any case) disables the check, as in Go skel (used by tests that run in one netns). */
export function netnsOverride(env: Readonly<Record<string, string | undefined>>): boolean {
  const v = env.CNI_NETNS_OVERRIDE ?? '';
  return v === '1' || v.toUpperCase() === 'TRUE';
}

/** Code 8 with Go skel's message when `netnsPath` is the plugin's own namespace. */
export function assertForeignNetns(netnsPath: string, selfPath?: string): void {
  if (netnsPath !== '' && isOwnNetns(netnsPath, selfPath)) {
    throw new CniError(ErrInvalidNetNS, "plugin's netns and netns from CNI_NETNS should not be the same");
  }
}

const NSFS_MAGIC = 0x6e736673;
const PROC_SUPER_MAGIC = 0x9fa0;

/** What a CNI_NETNS path is now: a namespace, gone (ENOENT, e.g. after a reboot), or something else. */
export type NetnsState = 'ok' | 'missing' | 'not-netns';

/**
 * Classifies a netns path by its file system: nsfs (a bind-mounted netns) or procfs (`/proc/<pid>/ns/net`) is a
 * namespace; ENOENT is `missing` (DEL then succeeds, as the Go plugins do); any other file or error `not-netns`.
 */
export function netnsState(path: string): NetnsState {
  try {
    const type = statfsSync(path).type;
    return type === NSFS_MAGIC || type === PROC_SUPER_MAGIC ? 'ok' : 'not-netns';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'not-netns';
  }
}

/** Whether two paths name one file (device and inode), e.g. one netns as /var/run/netns/x and /run/netns/x. */
export function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
