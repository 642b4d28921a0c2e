// Running a helper program (a delegated IPAM plugin) through the C layer: posix_spawn, pipes, poll, waitpid, in two
// steps so the caller can work while it runs (start, then a blocking wait). Why not node:child_process: loading that
// module alone costs ≈5 ms of every CNI plugin start here (it pulls net, dgram and the stream stack, none of which is
// in Node's start-up snapshot), more than the IPAM plugin's own run.
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
  /** Feeds the rest of stdin, collects both outputs and reaps the program (blocking). Once only. */
  wait(): ProgramRun;
}

/**
 * Starts `path` (absolute; argv is just the path, as libcni runs plugins) and returns at once, with as much of
 * `input` written as the pipe takes (all of a CNI config). The deadline counts from here. A program that cannot be
 * started throws SyscallError with syscall 'posix_spawn' and the exec errno (ENOENT, EACCES, ETXTBSY, ENOEXEC…).
 * The caller decides what an exit status, a signal, a timeout or an overflow means.
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
      return layer.waitProgram(handle);
    },
  };
}

/** Runs `path` to completion (startProgram, then wait). */
export function runProgram(path: string, opts: RunProgramOptions): ProgramRun {
  return startProgram(path, opts).wait();
}
