// The one boundary between TypeScript and the kernel: a tiny, typed interface over the C N-API addon
// (native/netlink_ops.c). The addon is loaded lazily on first use, never at import time, so importing this package
// costs nothing on a CNI plugin's start-up path until a socket is actually needed.
import { nodeFs } from './builtins.js';
import { SyscallError } from './errors.js';

/** Opaque handle of a readiness watch on the event loop. */
export type WatchHandle = { readonly __watch: unique symbol };

/** flock operation: 0 unlock, 1 exclusive, 2 shared. */
export type FlockOp = 0 | 1 | 2;

/**
 * The syscalls netlink-ops needs, and nothing more. Every `netnsPath` argument means: do this with the calling thread
 * switched into that network namespace (setns there, act, setns back; the process aborts if it cannot switch back).
 * A second backend would implement this same interface.
 */
export interface SyscallLayer {
  /** socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, protocol) + bind(groups) [inside netnsPath]; NETLINK_EXT_ACK on. */
  openNetlink(protocol: number, groups: number, netnsPath: string | null): number;
  setsockoptInt(fd: number, level: number, name: number, value: number): void;
  /** send(2), EINTR retried. */
  send(fd: number, data: Uint8Array): number;
  /** One whole datagram, or undefined after timeoutMs (0 = poll once). EINTR retried with the remaining time. */
  recv(fd: number, timeoutMs: number): Buffer | undefined;
  close(fd: number): void;
  /** The kernel-assigned netlink port id (getsockname). */
  portId(fd: number): number;
  /** open(O_WRONLY|O_NOFOLLOW) + write + close with the thread inside netnsPath (for /proc/sys/net). */
  writeFileInNetns(netnsPath: string | null, path: string, data: Uint8Array): void;
  /** open(O_RDONLY|O_NOFOLLOW) + read up to maxBytes (1..65536) + close with the thread inside netnsPath. */
  readFileInNetns(netnsPath: string | null, path: string, maxBytes: number): Buffer;
  /** Sends one Ethernet frame on ifindex over an AF_PACKET socket created inside netnsPath. */
  sendPacket(netnsPath: string | null, ifindex: number, frame: Uint8Array): void;
  /** A receiving AF_PACKET socket bound to ifindex (0 = any) and ethertype (3 = ETH_P_ALL); read with recv(). */
  openPacket(netnsPath: string | null, ifindex: number, ethertype: number): number;
  /** unshare(CLONE_NEWNET) + bind mount onto `path` (a new file in the shared mount `dir`) + setns back. */
  createNetns(dir: string, path: string): void;
  /** umount2(MNT_DETACH) + unlink; already gone is success. */
  deleteNetns(path: string): void;
  /** Non-blocking flock; false when another open file holds a conflicting lock. */
  flock(fd: number, op: FlockOp): boolean;
  /** Calls `onReadable` on the JS thread whenever fd is readable (uv_poll); errno is 0 or the poll error. */
  watch(fd: number, onReadable: (errno: number) => void): WatchHandle;
  /** Stops a watch; idempotent. */
  unwatch(handle: WatchHandle): void;
  /** Whether an active watch keeps the process alive. */
  watchRef(handle: WatchHandle, keepAlive: boolean): void;
  /**
   * posix_spawn(path, argv [path], env exactly) with signals at their defaults; writes what the stdin pipe takes of
   * `input` at once. The deadline (timeoutMs) counts from here.
   */
  spawnProgram(path: string, env: string[], input: Uint8Array, timeoutMs: number, maxOutput: number): ProgramHandle;
  /**
   * Finishes `input`, captures stdout and stderr, reaps the program; SIGKILL (and stop reading) at the deadline or
   * when an output passes maxOutput bytes. Once per handle.
   */
  waitProgram(handle: ProgramHandle): ProgramRun;
}

/** A spawned program not yet waited for (its child is killed and reaped if the handle is collected unwaited). */
export type ProgramHandle = { readonly __programHandle: unique symbol };

/** How a program run by runProgram (or startProgram) ended: `status` is its exit code, or -1 when `signal` (its number) killed it. */
export interface ProgramRun {
  status: number;
  signal: number;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
  overflow: boolean;
}

interface NativeError extends Error {
  errno?: number;
  syscall?: string;
}

let addonPathOverride: string | (() => string) | undefined;

/**
 * Loads the native addon from an absolute path instead of the package's own build directory: for bundles and single
 * executable applications that carry the addon elsewhere. `path` may be a function, called once on the first native
 * call, so that a single executable writes its embedded copy to disk only when netlink is really used (a CNI VERSION
 * call never is). Call it before the first native call. A function, not an environment variable: these binaries run
 * as root, and the environment of a CNI plugin comes from the runtime, so it must not choose what gets dlopen()ed.
 */
export function setNativeAddonPath(path: string | (() => string)): void {
  if (typeof path !== 'function') checkAbsolute(path);
  if (loadedFrom !== undefined && loadedFrom !== path) {
    throw new Error(`@sriov-ts/netlink-ops: the native addon is already loaded from ${loadedFrom}`);
  }
  addonPathOverride = path;
}

function checkAbsolute(path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('\0')) {
    throw new TypeError(
      `@sriov-ts/netlink-ops: setNativeAddonPath needs an absolute path, got ${JSON.stringify(path)}`,
    );
  }
  return path;
}

/**
 * Where the addon is, unless overridden: beside the module that carries this code when that module is an app's
 * bundle (apps ship `netlink_ops.node` next to their one-file bundle), else where `node-gyp rebuild` (the package's
 * install script) built it: src/syscalls.ts and dist/index.js both sit one level below the package root.
 */
function addonPath(): string {
  if (typeof addonPathOverride === 'function') return checkAbsolute(addonPathOverride());
  if (addonPathOverride !== undefined) return addonPathOverride;
  const beside = decodeURIComponent(new URL('./netlink_ops.node', import.meta.url).pathname);
  if (nodeFs().existsSync(beside)) return beside;
  return decodeURIComponent(new URL('../build/Release/netlink_ops.node', import.meta.url).pathname);
}

// Argument positions that hold a path worth naming in an error, per function.
const pathArgument: Partial<Record<keyof SyscallLayer, number>> = {
  openNetlink: 2,
  writeFileInNetns: 1,
  readFileInNetns: 1,
  sendPacket: 0,
  openPacket: 0,
  createNetns: 1,
  deleteNetns: 0,
  spawnProgram: 0,
};

function wrap(raw: Record<string, (...args: unknown[]) => unknown>): SyscallLayer {
  const wrapped: Record<string, (...args: unknown[]) => unknown> = {};
  for (const [name, fn] of Object.entries(raw)) {
    const pathIndex = pathArgument[name as keyof SyscallLayer];
    wrapped[name] = (...args: unknown[]) => {
      try {
        return fn(...args);
      } catch (error) {
        const e = error as NativeError;
        if (typeof e.errno !== 'number' || typeof e.syscall !== 'string') throw error;
        const path = pathIndex === undefined ? undefined : args[pathIndex];
        const detail = e.message.slice(e.message.indexOf(': ') + 2);
        const where = typeof path === 'string' ? `${e.syscall} ${path}` : e.syscall;
        throw new SyscallError(
          e.syscall,
          e.errno,
          typeof path === 'string' ? path : undefined,
          `${name}: ${where}: ${detail}`,
        );
      }
    };
  }
  return wrapped as unknown as SyscallLayer;
}

let loaded: SyscallLayer | undefined;
let loadedFrom: string | undefined;

/** The native syscall layer, loaded on first call. */
export function syscalls(): SyscallLayer {
  if (!loaded) {
    const path = addonPath();
    let raw: Record<string, (...args: unknown[]) => unknown>;
    try {
      // process.dlopen instead of createRequire: node:module is not loaded at start-up and costs milliseconds.
      const module = { exports: {} as Record<string, (...args: unknown[]) => unknown> };
      process.dlopen(module, path);
      raw = module.exports;
    } catch (error) {
      throw new Error(
        `@sriov-ts/netlink-ops: cannot load its native addon ${path} (built by the package's install script, ` +
          `'node-gyp rebuild'; needs python3, make, a C compiler and Node headers): ${(error as Error).message}`,
        { cause: error },
      );
    }
    loaded = wrap(raw);
    loadedFrom = path;
  }
  return loaded;
}

/** Whether the addon has been loaded in this module instance (for the lazy-loading test). */
export function isAddonLoaded(): boolean {
  return loaded !== undefined;
}
