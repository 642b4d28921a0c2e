// Go skel's guard against a runtime handing the plugin its own network namespace as CNI_NETNS: a plugin that
// then "moves the device into the pod" would reconfigure the host. Compared by device and inode number, as the
// kernel identifies namespaces (nsfs inodes). Only stat(2) on procfs/nsfs paths; no netlink, no /sys.
import { statSync } from 'node:fs';
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
