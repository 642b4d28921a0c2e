// Locating a delegated plugin binary exactly as libcni's invoke.FindInPath does: the first `<dir>/<type>` in
// CNI_PATH order that stat(2) reports as a regular file (symlinks followed, no executable-bit check, no PATH
// lookup, no shell).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { goQuote } from '@sriov-ts/cni';

/** Thrown when the plugin type is not a plain file name or no candidate exists; libcni's messages. */
export class PluginNotFoundError extends Error {
  override name = 'PluginNotFoundError';
}

/**
 * Checks that `type` is usable as a file name inside a CNI_PATH directory. libcni rejects an empty name and any
 * name containing `/`; `.` and `..` are rejected too because they name directories, never a plugin, and NUL
 * because the kernel would cut the path there.
 */
export function checkPluginType(type: string): void {
  if (type === '') throw new PluginNotFoundError('no plugin name provided');
  if (type.includes('/') || type === '.' || type === '..' || type.includes('\0')) {
    throw new PluginNotFoundError(`invalid plugin name: ${type}`);
  }
}

/** CNI_PATH split on `:`. Empty entries are dropped: Go would resolve them against the working directory. */
export function splitCniPath(cniPath: string | undefined): string[] {
  return (cniPath ?? '').split(':').filter((dir) => dir !== '');
}

/** Returns the absolute path of the first regular file `<dir>/<type>`, or throws libcni's not-found error. */
export function findPluginInPath(type: string, dirs: readonly string[]): string {
  checkPluginType(type);
  if (dirs.length === 0) throw new PluginNotFoundError('no paths provided');
  for (const dir of dirs) {
    const candidate = join(dir, type);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // missing, dangling symlink, permission denied: not a candidate, keep looking
    }
  }
  throw new PluginNotFoundError(`failed to find plugin ${goQuote(type)} in path [${dirs.join(' ')}]`);
}
