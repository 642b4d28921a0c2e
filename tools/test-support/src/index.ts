// Prerequisite gates for privileged and environment-dependent suites.
//
// Outside CI a suite whose prerequisites are missing is skipped and says why on stderr. In CI (CI=true) a
// missing prerequisite is a failure: CI runs as root on a machine where .ci/run installed everything, so a
// skip there would hide a broken setup.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Prerequisite {
  /** What is needed, as a human reads it: "root", "the host-local IPAM plugin". */
  what: string;
  /** True when it is available. */
  ok: boolean;
}

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

export function isRoot(): Prerequisite {
  return { what: 'root (uid 0)', ok: typeof process.getuid === 'function' && process.getuid() === 0 };
}

/** An executable found in PATH or at an absolute path. */
export function executable(nameOrPath: string, searchPath = process.env.PATH ?? ''): Prerequisite {
  const candidates = nameOrPath.includes('/')
    ? [nameOrPath]
    : searchPath.split(delimiter).map((d) => join(d, nameOrPath));
  const ok = candidates.some((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  return { what: `executable ${nameOrPath}`, ok };
}

/**
 * Returns `null` when every prerequisite holds, or the reason the suite cannot run. In CI the reason is thrown
 * so the suite fails loudly.
 */
export function missingPrerequisites(suite: string, prerequisites: Prerequisite[]): string | null {
  const missing = prerequisites.filter((p) => !p.ok).map((p) => p.what);
  if (missing.length === 0) return null;
  const reason = `${suite}: cannot run without ${missing.join(', ')}`;
  if (inCI) throw new Error(`${reason} (CI=true: a missing prerequisite fails the suite)`);
  process.stderr.write(`SKIPPED ${reason}\n`);
  return reason;
}
export * from './cni-bundle.js';
export * from './inject.js';
export * from './podman.js';
