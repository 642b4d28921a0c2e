// Running one delegated plugin process the way libcni's RawExec does: stdin = the exact bytes, stdout and
// stderr captured separately, ETXTBSY retried, plus a hard timeout / abort that kills the child.
//
// Without an AbortSignal the child runs through netlink-ops' C layer (startProgram: posix_spawn, pipes, poll), started
// at the call and waited for, blocking, at the caller's first await: a one-shot CNI plugin has nothing else to do
// then (or has already done its overlapping work), and node:child_process costs ≈5 ms to load at every start plus
// ≈9 ms more per run on its asynchronous path (streams, pipe sockets, 'close' bookkeeping). With a signal the
// asynchronous child_process runner is used (the module loaded then, not before), so the call stays abortable.
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { getSystemErrorMap } from 'node:util';
import { type RunningProgram, SyscallError, startProgram } from '@sriov-ts/netlink-ops';

/** libcni retries a spawn failing with "text file busy" (plugin binary being written) 5 times, 1 s apart. */
export const ETXTBSY_RETRIES = 5;
export const ETXTBSY_RETRY_DELAY_MS = 1000;

export interface RawExecRequest {
  path: string;
  env: Record<string, string>;
  stdin: Uint8Array;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** For tests: the delay between ETXTBSY retries. */
  retryDelayMs?: number;
}

export interface RawExecOutput {
  stdout: Buffer;
  stderr: Buffer;
}

/** How a run ended when it did not exit 0. `reason` reads like Go's exec error text. */
export type RawExecFailure =
  | { kind: 'exit'; reason: string; stdout: Buffer; stderr: Buffer }
  | { kind: 'spawn'; reason: string; errno: string | undefined; stdout: Buffer; stderr: Buffer }
  | { kind: 'timeout'; reason: string; stdout: Buffer; stderr: Buffer }
  | { kind: 'aborted'; reason: string; stdout: Buffer; stderr: Buffer };

export class RawExecError extends Error {
  override name = 'RawExecError';
  constructor(readonly failure: RawExecFailure) {
    super(failure.reason);
  }
}

// node:child_process is loaded on the first delegation only (it is not loaded at Node start-up). Not with a dynamic
// import(): a single executable application (the shipped `sriov`/`ib-sriov`) runs its bundle as a CommonJS script
// that has no dynamic-import callback, so `import('node:child_process')` throws there.
function loadChildProcess(): typeof import('node:child_process') {
  return process.getBuiltinModule('node:child_process');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** strerror-style text for an errno name, as Go prints it ("no such file or directory"). */
function errnoText(code: string | undefined, fallback: string): string {
  if (code === undefined) return fallback;
  for (const [name, text] of getSystemErrorMap().values()) if (name === code) return text;
  return fallback;
}

function spawnFailure(path: string, code: string | undefined, fallback: string): RawExecError {
  const empty = Buffer.alloc(0);
  return new RawExecError({
    kind: 'spawn',
    reason: `fork/exec ${path}: ${errnoText(code, fallback)}`,
    errno: code,
    stdout: empty,
    stderr: empty,
  });
}

/**
 * libuv (through glibc's execvp) runs a file that is neither a `#!` script nor a binary with /bin/sh. Go and
 * the kernel refuse such a file with ENOEXEC, and a root CNI plugin must never start a shell: refuse it too.
 */
function checkExecutableHeader(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw spawnFailure(path, e.code, e.message);
  }
  try {
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    const isScript = n >= 2 && head[0] === 0x23 && head[1] === 0x21; // "#!"
    const isElf = n === 4 && head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    if (!isScript && !isElf) throw spawnFailure(path, 'ENOEXEC', 'exec format error');
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs the plugin; resolves with its output on exit 0, rejects with RawExecError otherwise. Without a signal the
 * plugin is already running when this returns (spawned before the first await): synchronous work the caller does
 * before awaiting the promise overlaps the plugin's run, and the blocking wait for it happens at that await.
 */
export async function rawExec(req: RawExecRequest): Promise<RawExecOutput> {
  checkExecutableHeader(req.path);
  const delay = req.retryDelayMs ?? ETXTBSY_RETRY_DELAY_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      if (req.signal) return await runOnce(loadChildProcess().spawn, req);
      const running = startOnce(req);
      await undefined; // hand control back to the caller while the plugin runs
      return finishOnce(running, req);
    } catch (err) {
      const busy = err instanceof RawExecError && err.failure.kind === 'spawn' && err.failure.errno === 'ETXTBSY';
      if (!busy || attempt >= ETXTBSY_RETRIES) throw err;
      await sleep(delay);
    }
  }
}

/** Starts one run on netlink-ops' C layer (the spawn itself happens on a thread of its own). */
function startOnce(req: RawExecRequest): RunningProgram {
  return startProgram(req.path, {
    env: req.env,
    input: req.stdin,
    timeoutMs: req.timeoutMs,
    maxOutputBytes: MAX_OUTPUT_BYTES,
  });
}

/**
 * Waits for a started run; a program that never ran (ENOENT, EACCES, ETXTBSY…) throws RawExecError kind 'spawn'. At
 * the timeout the child is SIGKILLed and its pipes are closed, so a grandchild that keeps stdout open cannot stall us
 * (as with the asynchronous runner).
 */
function finishOnce(running: RunningProgram, req: RawExecRequest): RawExecOutput {
  let run: ReturnType<RunningProgram['wait']>;
  try {
    run = running.wait();
  } catch (e) {
    if (e instanceof SyscallError) throw spawnFailure(req.path, e.code, e.message);
    throw e;
  }
  const output = { stdout: run.stdout, stderr: run.stderr };
  if (run.timedOut) {
    throw new RawExecError({
      kind: 'timeout',
      reason: `timed out after ${req.timeoutMs} ms, killed (SIGKILL)`,
      ...output,
    });
  }
  if (run.overflow) {
    throw new RawExecError({ kind: 'exit', reason: `output over ${MAX_OUTPUT_BYTES} bytes, killed`, ...output });
  }
  if (run.status === 0) return output;
  const reason = run.signal ? `signal: ${goSignalName(signalName(run.signal))}` : `exit status ${run.status}`;
  throw new RawExecError({ kind: 'exit', reason, ...output });
}

/** Far above any IPAM result; a plugin printing more is broken. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

function signalName(signo: number): NodeJS.Signals {
  const { signals } = process.getBuiltinModule('node:os').constants;
  const name = Object.keys(signals).find((k) => signals[k as NodeJS.Signals] === signo);
  return (name ?? `SIG${signo}`) as NodeJS.Signals;
}

function runOnce(spawn: typeof import('node:child_process').spawn, req: RawExecRequest): Promise<RawExecOutput> {
  return new Promise((resolve, reject) => {
    const empty = Buffer.alloc(0);
    if (req.signal?.aborted) {
      reject(new RawExecError({ kind: 'aborted', reason: 'aborted before start', stdout: empty, stderr: empty }));
      return;
    }
    let child: ChildProcess;
    try {
      child = spawn(req.path, [], { env: req.env, stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      reject(spawnFailure(req.path, e.code, e.message));
      return;
    }
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => stdout.push(b));
    child.stderr!.on('data', (b: Buffer) => stderr.push(b));
    // A plugin may exit without reading stdin (EPIPE) — that is its business, not an error of ours.
    child.stdin!.on('error', () => {});

    let settled = false;
    let killedFor: 'timeout' | 'aborted' | undefined;
    const output = () => ({ stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) });
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const failKilled = () => {
      child.stdout!.destroy();
      child.stderr!.destroy();
      const why = killedFor!;
      const reason =
        why === 'timeout' ? `timed out after ${req.timeoutMs} ms, killed (SIGKILL)` : 'aborted, killed (SIGKILL)';
      finish(() => reject(new RawExecError({ kind: why, reason, ...output() })));
    };
    const kill = (why: 'timeout' | 'aborted') => {
      if (settled || killedFor) return;
      killedFor = why;
      // Already exited but a descendant still holds stdout/stderr open: stop waiting for it.
      if (child.exitCode !== null || child.signalCode !== null) failKilled();
      else child.kill('SIGKILL');
    };
    const onAbort = () => kill('aborted');
    const timer = setTimeout(() => kill('timeout'), req.timeoutMs);
    req.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (err: NodeJS.ErrnoException) => {
      // spawn failures (ENOENT, EACCES, ETXTBSY) arrive here; the child never ran
      finish(() => reject(spawnFailure(req.path, err.code, err.message)));
    });
    // 'exit' rather than 'close' after a kill: a grandchild holding the pipes open must not stall us.
    child.on('exit', () => {
      if (killedFor) failKilled();
    });
    child.on('close', (code, signal) => {
      if (killedFor) return;
      finish(() => {
        if (code === 0) resolve(output());
        else {
          const reason = signal ? `signal: ${goSignalName(signal)}` : `exit status ${code}`;
          reject(new RawExecError({ kind: 'exit', reason, ...output() }));
        }
      });
    });

    child.stdin!.end(Buffer.from(req.stdin.buffer, req.stdin.byteOffset, req.stdin.byteLength));
  });
}

/** Go's exec error text for signals ("signal: killed", "signal: segmentation fault"). */
function goSignalName(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed',
    SIGTERM: 'terminated',
    SIGSEGV: 'segmentation fault',
    SIGABRT: 'aborted',
    SIGINT: 'interrupt',
    SIGHUP: 'hangup',
    SIGPIPE: 'broken pipe',
    SIGBUS: 'bus error',
    SIGILL: 'illegal instruction',
    SIGFPE: 'floating point exception',
  };
  return names[signal] ?? signal;
}
