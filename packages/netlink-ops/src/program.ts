// Running a helper program (a delegated IPAM plugin) through the C layer: posix_spawn, pipes, poll, waitpid, in two
// steps so the caller can work while it runs (start, then a blocking wait). Why not node:child_process: loading that
// module alone costs ≈5 ms of every CNI plugin start here (it pulls net, dgram and the stream stack, none of which is
// in Node's start-up snapshot), more than the IPAM plugin's own run.

import { SyscallError } from './errors.js';
import { type ProgramRun, syscalls } from './syscalls.js';
import { InvalidArgumentError } from './validate.js';

export type { ProgramRun };

export interface RunProgramOptions {
  /** The program's whole environment (nothing is inherited). */
  env: Readonly<Record<string, string>>;
  /** Bytes written to its stdin, which is then closed. */
  input?: Uint8Array;
  /** SIGKILL after this many ms (1 ..= 2^31-1). */
  timeoutMs: number;
  /** SIGKILL when stdout or stderr passes this many bytes (default 64 MiB). */
  maxOutputBytes?: number;
}

/** A program started by startProgram: it runs while the caller does other work; `wait()` collects it. */
export interface RunningProgram {
  /**
   * Feeds the rest of stdin, collects both outputs and reaps the program (blocking). Once only. A program that could
   * not be started throws SyscallError here, with syscall 'posix_spawn' and the exec errno (ENOENT, EACCES, ETXTBSY,
   * ENOEXEC…).
   */
  wait(): ProgramRun;
}

/**
 * Starts `path` (absolute; argv is just the path, as libcni runs plugins) and returns at once: the spawn itself runs
 * on a thread of the C layer (posix_spawn blocks until the child has exec'd, ≈ 1 ms for a Go plugin), which then
 * writes as much of `input` as the pipe takes (all of a CNI config). The deadline counts from here. The caller
 * decides what an exit status, a signal, a timeout or an overflow means.
 */
export function startProgram(path: string, opts: RunProgramOptions): RunningProgram {
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('\0'))
    throw new InvalidArgumentError(`runProgram: an absolute path is required, got ${JSON.stringify(path)}`);
  const { timeoutMs, maxOutputBytes = 64 * 1024 * 1024 } = opts;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2 ** 31 - 1)
    throw new InvalidArgumentError(`runProgram: timeoutMs must be an integer in 1..2^31-1, got ${timeoutMs}`);
  if (!Number.isInteger(maxOutputBytes) || maxOutputBytes < 1 || maxOutputBytes > 2 ** 31 - 1)
    throw new InvalidArgumentError(`runProgram: maxOutputBytes must be an integer in 1..2^31-1, got ${maxOutputBytes}`);
  const env: string[] = [];
  for (const [k, v] of Object.entries(opts.env)) {
    if (k === '' || k.includes('=') || k.includes('\0') || v.includes('\0'))
      throw new InvalidArgumentError(`runProgram: invalid environment entry ${JSON.stringify(k)}`);
    env.push(`${k}=${v}`);
  }
  const input = opts.input ?? new Uint8Array();
  const buffer = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const layer = syscalls();
  const handle = layer.spawnProgram(path, env, buffer, timeoutMs, maxOutputBytes);
  let waited = false;
  return {
    wait() {
      if (waited) throw new InvalidArgumentError('runProgram: wait() was already called for this program');
      waited = true;
      try {
        return layer.waitProgram(handle);
      } catch (e) {
        // The spawn ran on its own thread: name the program as a synchronous spawn's error would.
        if (!(e instanceof SyscallError) || e.syscall !== 'posix_spawn') throw e;
        const detail = e.message.slice(e.message.lastIndexOf(': ') + 2);
        throw new SyscallError(e.syscall, e.errno, path, `runProgram: posix_spawn ${path}: ${detail}`);
      }
    },
  };
}

/** Runs `path` to completion (startProgram, then wait). */
export function runProgram(path: string, opts: RunProgramOptions): ProgramRun {
  return startProgram(path, opts).wait();
}
