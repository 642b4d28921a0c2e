// IPAM delegation exactly as libcni's pkg/invoke (DelegateAdd/Del/Check/Status/GC) performs it: find
// `ipam.type` in CNI_PATH, run it with the caller's whole environment and only CNI_COMMAND replaced, feed it the
// exact stdin bytes the calling plugin received, and turn its stdout into a typed result or a CniError.
import { CniError, ErrDecodingFailure, ErrInternal, goQuote, parseResult, type Result } from '@sriov-ts/cni';
import { type RawExecError, rawExec } from './exec.js';
import { findPluginInPath, PluginNotFoundError, splitCniPath } from './find-plugin.js';
import type { LogSink } from './log.js';

/** How long a delegated IPAM call may run before it is killed. kubelet gives the whole sandbox set-up 2 min. */
export const DEFAULT_IPAM_TIMEOUT_MS = 120_000;

/** What to delegate: the calling plugin's stdin and the two fields of it the delegation needs. */
export interface IpamDelegation {
  /** The EXACT bytes the calling plugin read from stdin; handed to the IPAM plugin unchanged. */
  stdin: Uint8Array;
  /** `ipam.type` (a plain file name looked up in CNI_PATH). */
  type: string;
  /** The config's `cniVersion`; assumed for an IPAM result that carries none (libcni, cni issue #895). */
  cniVersion: string;
}

export interface IpamExecOptions {
  /** The caller's environment (default `process.env`); passed on whole, only CNI_COMMAND is replaced. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Kill the IPAM plugin after this many ms (default DEFAULT_IPAM_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Abort the call (the plugin is killed). */
  signal?: AbortSignal;
  /** Where the IPAM plugin's stderr and this module's diagnostics go. */
  logger?: LogSink;
  /** For tests only: delay between ETXTBSY retries (default 1000 ms as libcni). */
  retryDelayMs?: number;
}

export type IpamCommand = 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS';

/** Reads `ipam.type` and `cniVersion` from the raw stdin, keeping the bytes for delegation. */
export function ipamDelegationFromStdin(stdin: Uint8Array): IpamDelegation {
  let conf: unknown;
  try {
    conf = JSON.parse(Buffer.from(stdin.buffer, stdin.byteOffset, stdin.byteLength).toString('utf8'));
  } catch (err) {
    throw new CniError(ErrDecodingFailure, 'failed to parse network configuration', (err as Error).message);
  }
  const obj = (typeof conf === 'object' && conf !== null ? conf : {}) as Record<string, unknown>;
  const ipam = (typeof obj.ipam === 'object' && obj.ipam !== null ? obj.ipam : {}) as Record<string, unknown>;
  const type = typeof ipam.type === 'string' ? ipam.type : '';
  // Go decodes a config without cniVersion as 0.1.0
  const cniVersion = typeof obj.cniVersion === 'string' && obj.cniVersion !== '' ? obj.cniVersion : '0.1.0';
  return { stdin, type, cniVersion };
}

/** The child's environment: the caller's, minus unset entries, with CNI_COMMAND replaced. */
export function delegateEnv(
  env: Readonly<Record<string, string | undefined>>,
  command: IpamCommand,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  out.CNI_COMMAND = command;
  return out;
}

/** Runs the IPAM plugin for `command`; returns its stdout on success, throws CniError otherwise. */
async function delegate(conf: IpamDelegation, command: IpamCommand, opts: IpamExecOptions): Promise<Buffer> {
  const env = opts.env ?? process.env;
  const logger = opts.logger;
  let path: string;
  try {
    path = findPluginInPath(conf.type, splitCniPath(env.CNI_PATH));
  } catch (err) {
    // libcni's FindInPath errors carry no CNI code; Go plugins surface them as 999 (ErrInternal)
    if (err instanceof PluginNotFoundError) throw new CniError(ErrInternal, err.message);
    throw err;
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_IPAM_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2 ** 31 - 1) {
    throw new TypeError(`timeoutMs must be a positive number of milliseconds (≤ 2^31-1), got ${timeoutMs}`);
  }
  logger?.debug(`delegating ${command} to IPAM plugin ${path}`);
  let out: { stdout: Buffer; stderr: Buffer };
  try {
    out = await rawExec({
      path,
      env: delegateEnv(env, command),
      stdin: conf.stdin,
      timeoutMs,
      signal: opts.signal,
      ...(opts.retryDelayMs === undefined ? {} : { retryDelayMs: opts.retryDelayMs }),
    });
  } catch (err) {
    const failure = (err as RawExecError).failure;
    if (failure === undefined) throw err;
    logStderr(logger, conf.type, command, failure.stderr);
    throw pluginError(conf.type, command, failure);
  }
  logStderr(logger, conf.type, command, out.stderr);
  return out.stdout;
}

/** The IPAM plugin's stderr is never dropped: libcni copies it to the caller's stderr, we log it. */
function logStderr(logger: LogSink | undefined, type: string, command: IpamCommand, stderr: Buffer): void {
  if (stderr.length === 0) return;
  const text = stderr.toString('utf8').replace(/\n$/, '');
  if (logger) logger.info(`IPAM plugin ${type} ${command} stderr: ${text}`);
  else process.stderr.write(stderr);
}

/**
 * Turns a failed run into the error libcni would report (RawExec.pluginErr): the plugin's own error JSON from
 * stdout with its code preserved (Go IPAM plugins print no cniVersion: fine); otherwise libcni's synthetic
 * messages. libcni leaves the code of synthetic errors at 0 ("unknown"); here they get 999 (ErrInternal), the code
 * a Go plugin ends up printing for them, so no error leaves with the meaningless code 0.
 */
function pluginError(type: string, command: IpamCommand, failure: RawExecError['failure']): CniError {
  const { stdout, stderr } = failure;
  if (failure.kind === 'timeout' || failure.kind === 'aborted') {
    return new CniError(
      ErrInternal,
      `IPAM plugin ${goQuote(type)} (CNI_COMMAND=${command}) ${failure.reason}`,
      stderr.length > 0 ? `stderr: ${stderr.toString('utf8')}` : '',
    );
  }
  if (stdout.length === 0) {
    if (stderr.length === 0) {
      return new CniError(ErrInternal, `netplugin failed with no error message: ${failure.reason}`);
    }
    return new CniError(ErrInternal, `netplugin failed: ${goQuote(stderr.toString('utf8'))}: ${failure.reason}`);
  }
  const text = stdout.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return new CniError(
      ErrInternal,
      `netplugin failed but error parsing its diagnostic message ${goQuote(text)}: ${(err as Error).message}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return new CniError(
      ErrInternal,
      `netplugin failed but error parsing its diagnostic message ${goQuote(text)}: not a JSON object`,
    );
  }
  const e = parsed as Record<string, unknown>;
  const code = typeof e.code === 'number' && Number.isInteger(e.code) && e.code >= 0 ? e.code : ErrInternal;
  const msg = typeof e.msg === 'string' ? e.msg : '';
  const details = typeof e.details === 'string' ? e.details : '';
  if (msg === '' && details === '') {
    return new CniError(code, `netplugin failed with an empty error message: ${goQuote(text)}: ${failure.reason}`);
  }
  return new CniError(code, msg, details);
}

/**
 * libcni's fixupResultVersion: a result without a non-empty string `cniVersion` (or the JSON `null`) gets the
 * config's version; then it is decoded by its own version and converted to the 1.1 model.
 */
export function decodeIpamResult(stdout: Buffer, configVersion: string): Result {
  let raw: unknown;
  const text = stdout.toString('utf8');
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CniError(ErrDecodingFailure, `failed to unmarshal raw result: ${(err as Error).message} result ${text}`);
  }
  if (raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CniError(
      ErrDecodingFailure,
      `failed to unmarshal raw result: expected a JSON object, got ${Array.isArray(raw) ? 'an array' : typeof raw} result ${text}`,
    );
  }
  return parseResult(raw, configVersion);
}

/**
 * IPAM plugins known to allocate without entering the pod's netns (host-local, static): a caller may run their ADD
 * while it moves the interface into the pod. Others must start after the move: dhcp talks over the pod interface,
 * and nothing is assumed of the rest.
 */
export function ipamRunsOutsidePod(type: string): boolean {
  return type === 'host-local' || type === 'static';
}

/** IPAM ADD: returns the IPAM plugin's result in the 1.1 model, whatever version it answered in. */
export async function ipamAdd(conf: IpamDelegation, opts: IpamExecOptions = {}): Promise<Result> {
  const stdout = await delegate(conf, 'ADD', opts);
  return decodeIpamResult(stdout, conf.cniVersion);
}

/** IPAM DEL: releases the allocation. Needs no prior ADD (host-local/static succeed when nothing is held). */
export async function ipamDel(conf: IpamDelegation, opts: IpamExecOptions = {}): Promise<void> {
  await delegate(conf, 'DEL', opts);
}

/** IPAM CHECK (stdin must carry `prevResult`). */
export async function ipamCheck(conf: IpamDelegation, opts: IpamExecOptions = {}): Promise<void> {
  await delegate(conf, 'CHECK', opts);
}

/** IPAM GC (stdin carries `cni.dev/valid-attachments`). */
export async function ipamGc(conf: IpamDelegation, opts: IpamExecOptions = {}): Promise<void> {
  await delegate(conf, 'GC', opts);
}

/** IPAM STATUS: resolves when the IPAM plugin is ready, throws its error (e.g. code 50/51) otherwise. */
export async function ipamStatus(conf: IpamDelegation, opts: IpamExecOptions = {}): Promise<void> {
  await delegate(conf, 'STATUS', opts);
}
