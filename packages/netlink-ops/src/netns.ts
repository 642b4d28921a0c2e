// Named network namespaces, the iproute2 way: a bind mount of a netns inode on a file in /var/run/netns.
import { nodePath } from './builtins.js';
import { syscalls } from './syscalls.js';
import { checkAbsolutePath, checkFileName } from './validate.js';

/** iproute2's directory for named namespaces (NETNS_RUN_DIR); /var/run is /run on current distributions. */
export const DEFAULT_NETNS_DIR = '/var/run/netns';

export interface NetnsDirOptions {
  /** Directory holding named namespaces; made a shared mount point if it is not one. Default /var/run/netns. */
  dir?: string;
}

/**
 * Creates a new, empty network namespace pinned at `<dir>/<name>` and returns that path. Done in C: unshare on the
 * calling thread, bind-mount /proc/thread-self/ns/net onto the file, setns back. Throws EEXIST if the file exists.
 */
export function createNetns(name: string, opts: NetnsDirOptions = {}): string {
  checkFileName(name, 'netns name');
  const dir = checkAbsolutePath(opts.dir ?? DEFAULT_NETNS_DIR, 'netns dir');
  const path = nodePath().join(dir, name);
  syscalls().createNetns(dir, path);
  return path;
}

/**
 * Deletes a named network namespace (lazy unmount + unlink). `nameOrPath` is a name in `opts.dir` or an absolute
 * path. Succeeds when it is already gone. The namespace itself lives on while processes or open fds use it.
 */
export function deleteNetns(nameOrPath: string, opts: NetnsDirOptions = {}): void {
  const path = nameOrPath.startsWith('/')
    ? checkAbsolutePath(nameOrPath, 'netns path')
    : nodePath().join(
        checkAbsolutePath(opts.dir ?? DEFAULT_NETNS_DIR, 'netns dir'),
        checkFileName(nameOrPath, 'netns name'),
      );
  syscalls().deleteNetns(path);
}
