// The plugin skeleton: the TypeScript counterpart of Go's pkg/skel. dispatch() is pure over an injected
// environment/stdin/stdout/stderr and returns the exit code, so every path is testable in-process;
// pluginMain() wires it to the real process.
import {
  CniError,
  ErrDecodingFailure,
  ErrIncompatibleCNIVersion,
  ErrInternal,
  ErrInvalidEnvironmentVariables,
  ErrInvalidNetworkConfig,
  ErrIOFailure,
  toCniError,
} from './errors.js';
import { goEncodeJson, goIndentJson } from './go-format.js';
import { createLogger, type Logger } from './logger.js';
import { type GcAttachment, gcAttachmentsOf, type NetConf } from './netconf.js';
import { assertForeignNetns, netnsOverride } from './netns-check.js';
import { type Result, resultText } from './result.js';
import { validateContainerId, validateInterfaceName, validateNetworkName } from './validate.js';
import {
  ALL_VERSIONS,
  CURRENT_VERSION,
  configVersionOf,
  incompatibleVersionDetails,
  jsonTypeName,
  versionAtLeast,
} from './version.js';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS' | 'VERSION';

/** What a plugin process talks to. Tests pass plain values; pluginMain() passes the real process. */
export interface PluginIO {
  env: Readonly<Record<string, string | undefined>>;
  /** The stdin bytes, or a reader called at most once (not called for VERSION when `skipStdinForVersion`). */
  stdin: Uint8Array | string | (() => Uint8Array | Promise<Uint8Array>);
  /** Receives the result/error/VERSION JSON text. */
  stdout: (text: string) => void;
  /** Receives log lines and diagnostics. */
  stderr: (text: string) => void;
}

/** Everything a handler gets: the CNI_* variables, the raw stdin and its parse, the logger. */
export interface CmdArgs {
  command: Exclude<CniCommand, 'VERSION'>;
  /** CNI_CONTAINERID ("" for GC/STATUS). Validated when the command requires it. */
  containerId: string;
  /** CNI_NETNS ("" when not given, which DEL allows). */
  netns: string;
  /** CNI_IFNAME ("" for GC/STATUS). Validated when the command requires it. */
  ifName: string;
  /** CNI_ARGS, raw ("K=V;K=V"); read it with loadArgs() or parseCniArgsLenient(). */
  args: string;
  /** CNI_PATH, raw (":"-separated). */
  path: string;
  /** The exact stdin bytes: what an IPAM delegate must receive. */
  stdinData: Uint8Array;
  /** stdin parsed as JSON (an object with a valid `name`). */
  netConf: NetConf;
  /** The config's cniVersion ("0.1.0" when absent), already checked against the plugin's versions. */
  cniVersion: string;
  /** The whole environment the plugin was started with (delegates inherit it). */
  env: Readonly<Record<string, string | undefined>>;
  /** Configured from the config's logLevel/logFile, labelled with cniName/containerID/netns/ifname. */
  log: Logger;
}

export interface GcArgs extends CmdArgs {
  /** From `cni.dev/valid-attachments`, else `cni.dev/attachments`; [] when neither is present. */
  validAttachments: GcAttachment[];
  /** False when the request carried neither key (cnitool gc): Go treats that as "everything is stale". */
  validAttachmentsPresent: boolean;
}

type Awaitable<T> = T | Promise<T>;

export interface PluginHandlers {
  /** Returns the result in the 1.1 model; the skeleton prints it in the config's cniVersion. */
  add: (args: CmdArgs) => Awaitable<Result>;
  del: (args: CmdArgs) => Awaitable<void>;
  /** Absent: CHECK succeeds after the version checks (Go skel with a nil handler). */
  check?: (args: CmdArgs) => Awaitable<void>;
  /** Absent: GC succeeds after the version checks. */
  gc?: (args: GcArgs) => Awaitable<void>;
  /** Absent: STATUS succeeds after the version checks. */
  status?: (args: CmdArgs) => Awaitable<void>;
}

export interface PluginInfo {
  /** Versions the plugin accepts, exact strings (libcni's ValidateNetworkList needs exact membership). Default: all. */
  versions?: readonly string[];
  /** Printed on stderr with the supported versions when started without CNI_COMMAND (Go skel "about"). */
  about?: string;
  /** The `cniName` log label, e.g. "sriov-cni". */
  cniName?: string;
  /**
   * Refuse ADD/CHECK/DEL (code 8) when CNI_NETNS is the plugin's own network namespace, unless CNI_NETNS_OVERRIDE
   * is 1/true. Default true. Go skel checks after the handler ran; this checks before, so nothing is done.
   */
  rejectOwnNetns?: boolean;
}

const ENV_ORDER = ['CNI_COMMAND', 'CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_ARGS', 'CNI_PATH'] as const;

/** Which CNI_* variables each command requires (Go skel; CNI_PATH is stricter than the spec, as in Go). */
const REQUIRED: Readonly<Record<CniCommand, ReadonlySet<string>>> = {
  ADD: /* @__PURE__ */ new Set(['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH']),
  CHECK: /* @__PURE__ */ new Set(['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_PATH']),
  DEL: /* @__PURE__ */ new Set(['CNI_CONTAINERID', 'CNI_IFNAME', 'CNI_PATH']),
  GC: /* @__PURE__ */ new Set(['CNI_PATH']),
  STATUS: /* @__PURE__ */ new Set(['CNI_PATH']),
  VERSION: /* @__PURE__ */ new Set(),
};

const VALIDATORS: Readonly<Record<string, (value: string) => void>> = {
  CNI_CONTAINERID: validateContainerId,
  CNI_IFNAME: validateInterfaceName,
};

/** The minimum config version per command that needs one (Go skel messages use the command name). */
const MIN_CONFIG_VERSION: Partial<Record<CniCommand, string>> = { CHECK: '0.4.0', GC: '1.1.0', STATUS: '1.1.0' };

function isCommand(s: string): s is CniCommand {
  return Object.hasOwn(REQUIRED, s);
}

function envValue(env: PluginIO['env'], name: string): string {
  return env[name] ?? '';
}

const utf8 = /* @__PURE__ */ new TextDecoder('utf-8', { ignoreBOM: true });

async function readStdin(io: PluginIO): Promise<Uint8Array> {
  const { stdin } = io;
  if (typeof stdin === 'string') return new TextEncoder().encode(stdin);
  if (stdin instanceof Uint8Array) return stdin;
  try {
    return await stdin();
  } catch (e) {
    throw new CniError(ErrIOFailure, `error reading from stdin: ${(e as Error)?.message ?? String(e)}`);
  }
}

/** VERSION echoes a well-formed input cniVersion (spec) and otherwise answers with Go's Current(). */
async function versionReply(io: PluginIO, versions: readonly string[]): Promise<string> {
  let cniVersion = CURRENT_VERSION;
  try {
    const text = utf8.decode(await readStdin(io)).trim();
    if (text !== '') {
      const v = (JSON.parse(text) as { cniVersion?: unknown } | null)?.cniVersion;
      if (typeof v === 'string' && /^\d+\.\d+\.\d+$/.test(v)) cniVersion = v;
    }
  } catch {
    // VERSION must answer whatever stdin holds (empty, garbage, unreadable).
  }
  return goEncodeJson({ cniVersion, supportedVersions: [...versions] });
}

function decodeConfigObject(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (e) {
    throw new CniError(ErrDecodingFailure, `error unmarshall network config: ${(e as Error).message}`);
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new CniError(
      ErrDecodingFailure,
      `error unmarshall network config: expected a JSON object, got ${jsonTypeName(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

/** Go skel's validateConfig: `name` must be a non-empty valid network name. */
function checkNetworkName(conf: Record<string, unknown>): NetConf {
  const { name } = conf;
  if (name !== undefined && name !== null && typeof name !== 'string') {
    throw new CniError(
      ErrDecodingFailure,
      `error unmarshall network config: name must be a string, got ${jsonTypeName(name)}`,
    );
  }
  if (name === undefined || name === null || name === '') {
    throw new CniError(ErrInvalidNetworkConfig, 'missing network name');
  }
  validateNetworkName(name);
  return conf as NetConf;
}

function stringField(conf: NetConf, key: string): string | undefined {
  const v = conf[key];
  return typeof v === 'string' ? v : undefined;
}

/** Go version.GreaterThanOrEqualTo with its parse errors as code 6. */
function atLeast(a: string, b: string): boolean {
  try {
    return versionAtLeast(a, b);
  } catch (e) {
    throw new CniError(ErrDecodingFailure, (e as Error).message);
  }
}

function highestVersion(versions: readonly string[]): string {
  let best = '';
  for (const v of versions) {
    try {
      if (best === '' || versionAtLeast(v, best)) best = v;
    } catch {
      // An unparsable entry cannot be the answer.
    }
  }
  return best === '' ? CURRENT_VERSION : best;
}

/**
 * Runs one CNI invocation against injected I/O and returns the exit code (0 success, 1 failure).
 * Never throws: every failure, including an unexpected exception in a handler, is printed on `io.stdout` as a
 * CNI error object `{cniVersion, code, msg, details?}` (unexpected exceptions as code 999 with the error's
 * message; the stack goes to the log only).
 */
export async function dispatch(io: PluginIO, handlers: PluginHandlers, info: PluginInfo = {}): Promise<number> {
  const versions = info.versions ?? ALL_VERSIONS;
  const baseLabels = info.cniName ? { cniName: info.cniName } : undefined;
  let log = createLogger({ stderr: io.stderr, labels: baseLabels });
  // The version errors are reported in: the config's when the plugin supports it, else the plugin's newest.
  let errorVersion = highestVersion(versions);
  try {
    const cmd = envValue(io.env, 'CNI_COMMAND');
    const missing: string[] = [];
    for (const name of ENV_ORDER) {
      const value = envValue(io.env, name);
      const required = name === 'CNI_COMMAND' || (isCommand(cmd) && REQUIRED[cmd].has(name));
      if (value === '' && required) missing.push(name);
    }
    if (missing.length > 0) {
      if (cmd === '' && info.about) {
        io.stderr(`${info.about}\nCNI protocol versions supported: ${versions.join(', ')}\n`);
        return 0;
      }
      throw new CniError(ErrInvalidEnvironmentVariables, `required env variables [${missing.join(',')}] missing`);
    }
    if (!isCommand(cmd)) throw new CniError(ErrInvalidEnvironmentVariables, `unknown CNI_COMMAND: ${cmd}`);
    if (cmd === 'VERSION') {
      io.stdout(await versionReply(io, versions));
      return 0;
    }

    const stdinData = await readStdin(io);
    const rawConf = decodeConfigObject(stdinData);
    if (typeof rawConf.cniVersion === 'string' && versions.includes(rawConf.cniVersion)) {
      errorVersion = rawConf.cniVersion;
    }
    const netConf = checkNetworkName(rawConf);
    // Go skel validates the IDs after the config (so a bad network name wins over a bad container ID).
    for (const [name, validate] of Object.entries(VALIDATORS)) {
      if (REQUIRED[cmd].has(name)) validate(envValue(io.env, name));
    }
    const cniVersion = configVersionOf(netConf);

    const containerId = envValue(io.env, 'CNI_CONTAINERID');
    const netns = envValue(io.env, 'CNI_NETNS');
    const ifName = envValue(io.env, 'CNI_IFNAME');
    log.close();
    log = createLogger({
      stderr: io.stderr,
      level: stringField(netConf, 'logLevel'),
      file: stringField(netConf, 'logFile'),
      labels: { ...baseLabels, containerID: containerId, netns, ifname: ifName },
    });

    const minimum = MIN_CONFIG_VERSION[cmd];
    if (minimum !== undefined) {
      if (!atLeast(cniVersion, minimum)) {
        throw new CniError(ErrIncompatibleCNIVersion, `config version does not allow ${cmd}`);
      }
      if (!versions.some((v) => atLeast(v, cniVersion))) {
        throw new CniError(ErrIncompatibleCNIVersion, `plugin version does not allow ${cmd}`);
      }
    }
    if (!versions.includes(cniVersion)) {
      throw new CniError(
        ErrIncompatibleCNIVersion,
        'incompatible CNI versions',
        incompatibleVersionDetails(cniVersion, versions),
      );
    }

    if (
      (cmd === 'ADD' || cmd === 'CHECK' || cmd === 'DEL') &&
      info.rejectOwnNetns !== false &&
      !netnsOverride(io.env)
    ) {
      assertForeignNetns(netns);
    }

    const args: CmdArgs = {
      command: cmd,
      containerId,
      netns,
      ifName,
      args: envValue(io.env, 'CNI_ARGS'),
      path: envValue(io.env, 'CNI_PATH'),
      stdinData,
      netConf,
      cniVersion,
      env: io.env,
      log,
    };
    log.debug(`${cmd} called`, { cniVersion });
    switch (cmd) {
      case 'ADD': {
        const result = await handlers.add(args);
        if (result === undefined || result === null) throw new CniError(ErrInternal, 'ADD handler returned no result');
        io.stdout(resultText(result, cniVersion));
        return 0;
      }
      case 'DEL':
        await handlers.del(args);
        return 0;
      case 'CHECK':
        await handlers.check?.(args);
        return 0;
      case 'STATUS':
        await handlers.status?.(args);
        return 0;
      case 'GC': {
        if (handlers.gc) {
          const { attachments, present } = gcAttachmentsOf(netConf);
          await handlers.gc({ ...args, validAttachments: attachments, validAttachmentsPresent: present });
        }
        return 0;
      }
    }
  } catch (e) {
    const err = toCniError(e);
    if (e instanceof CniError) {
      log.error(err.msg, { code: err.code, ...(err.details ? { details: err.details } : {}) });
    } else {
      log.error(`unexpected error: ${err.msg}`, { code: err.code, stack: (e as Error)?.stack ?? String(e) });
    }
    try {
      io.stdout(goIndentJson(err.toWire(errorVersion)));
    } catch {
      // stdout is gone (EPIPE): nobody is left to read the error; the exit code still tells.
    }
    return 1;
  } finally {
    log.close();
  }
}
