// Command line, accepting the Go plugin's spellings: Go `flag` style (`-flag`, `--flag`, `-flag=value`,
// `-flag value`), the container entrypoint's `--log-level=N` / `--log-dir=X`, and glog's flags.
import type { LogLevel } from './logger.js';

export interface CliOptions {
  configFile: string;
  resourcePrefix: string;
  useCdi: boolean;
  logLevel: LogLevel;
  /** Also append log lines to `<logDir>/sriovdp.log`. */
  logDir: string | null;
  version: boolean;
  help: boolean;
  metricsPort: number | null;
  metricsAddress: string;
  rescanIntervalSeconds: number;
  devicePluginPath: string;
  pluginsRegistryPath: string;
  deviceInfoPath: string;
  cdiRoot: string;
  /** Root holding `sys/` and `dev/` (tests point it at a fake tree). */
  hostRoot: string;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const DEFAULTS: CliOptions = {
  configFile: '/etc/pcidp/config.json',
  resourcePrefix: 'intel.com',
  useCdi: false,
  logLevel: 'info',
  logDir: null,
  version: false,
  help: false,
  metricsPort: null,
  metricsAddress: '127.0.0.1',
  rescanIntervalSeconds: 30,
  devicePluginPath: '/var/lib/kubelet/device-plugins/',
  pluginsRegistryPath: '/var/lib/kubelet/plugins_registry/',
  deviceInfoPath: '/var/run/k8s.cni.cncf.io/devinfo/dp',
  cdiRoot: '/',
  hostRoot: '/',
};

type Kind = 'string' | 'bool' | 'int';
interface FlagDef {
  kind: Kind;
  apply(o: CliOptions, v: string): void;
  help?: string;
}

function boolValue(name: string, v: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new UsageError(`invalid boolean value "${v}" for -${name}`);
}

function intValue(name: string, v: string): number {
  if (!/^-?\d+$/.test(v)) throw new UsageError(`invalid value "${v}" for flag -${name}: parse error`);
  return Number.parseInt(v, 10);
}

/** glog verbosity N → level (the entrypoint's default is 10, i.e. very verbose). */
function levelOf(v: string): LogLevel {
  if (['debug', 'info', 'warn', 'error'].includes(v)) return v as LogLevel;
  const n = intValue('v', v);
  return n >= 4 ? 'debug' : 'info';
}

const ignore: FlagDef['apply'] = () => {};

const FLAGS: Record<string, FlagDef> = {
  'config-file': { kind: 'string', apply: (o, v) => (o.configFile = v), help: 'JSON device pool config file location' },
  'resource-prefix': {
    kind: 'string',
    apply: (o, v) => (o.resourcePrefix = v),
    help: 'resource name prefix used for K8s extended resource',
  },
  'use-cdi': {
    kind: 'bool',
    apply: (o, v) => (o.useCdi = boolValue('use-cdi', v)),
    help: 'Use Container Device Interface to expose devices in containers',
  },
  v: { kind: 'string', apply: (o, v) => (o.logLevel = levelOf(v)), help: 'log level for V logs (>=4: debug)' },
  'log-level': {
    kind: 'string',
    apply: (o, v) => (o.logLevel = levelOf(v)),
    help: 'glog level N, or debug|info|warn|error',
  },
  log_dir: { kind: 'string', apply: (o, v) => (o.logDir = v), help: 'also write log lines to <dir>/sriovdp.log' },
  'log-dir': { kind: 'string', apply: (o, v) => (o.logDir = v.startsWith('/') ? v : `/var/log/${v}`) },
  logtostderr: { kind: 'bool', apply: ignore },
  alsologtostderr: { kind: 'bool', apply: ignore },
  stderrthreshold: { kind: 'string', apply: ignore },
  vmodule: { kind: 'string', apply: ignore },
  log_backtrace_at: { kind: 'string', apply: ignore },
  version: { kind: 'bool', apply: (o, v) => (o.version = boolValue('version', v)), help: 'print the version and exit' },
  help: { kind: 'bool', apply: (o) => (o.help = true) },
  h: { kind: 'bool', apply: (o) => (o.help = true) },
  'metrics-port': {
    kind: 'int',
    apply: (o, v) => (o.metricsPort = intValue('metrics-port', v)),
    help: 'serve Prometheus /metrics and /healthz on this port (off by default)',
  },
  'metrics-address': {
    kind: 'string',
    apply: (o, v) => (o.metricsAddress = v),
    help: 'address for --metrics-port (default 127.0.0.1)',
  },
  'rescan-interval': {
    kind: 'int',
    apply: (o, v) => (o.rescanIntervalSeconds = intValue('rescan-interval', v)),
    help: 'seconds between device re-discoveries (0 = only on events; default 30)',
  },
  'device-plugin-path': {
    kind: 'string',
    apply: (o, v) => (o.devicePluginPath = v),
    help: 'kubelet device-plugins folder',
  },
  'plugins-registry-path': {
    kind: 'string',
    apply: (o, v) => (o.pluginsRegistryPath = v),
    help: 'kubelet plugins_registry folder (its existence selects plugin-watcher mode)',
  },
  'device-info-path': {
    kind: 'string',
    apply: (o, v) => (o.deviceInfoPath = v),
    help: 'folder for NPWG device-info files',
  },
  'cdi-root': {
    kind: 'string',
    apply: (o, v) => (o.cdiRoot = v),
    help: 'root under which etc/cdi and var/run/cdi live',
  },
  'host-root': { kind: 'string', apply: (o, v) => (o.hostRoot = v), help: 'root holding sys/ and dev/ (testing)' },
};

export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--' || !arg.startsWith('-') || arg === '-') {
      throw new UsageError(`unknown parameter "${arg}"`);
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const def = FLAGS[name];
    if (def === undefined) throw new UsageError(`flag provided but not defined: -${name}`);
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (def.kind === 'bool') value = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`flag needs an argument: -${name}`);
      value = next;
      i++;
    }
    def.apply(o, value);
  }
  if (o.metricsPort !== null && (o.metricsPort < 0 || o.metricsPort > 65535)) {
    throw new UsageError(`invalid value "${o.metricsPort}" for flag -metrics-port: out of range`);
  }
  if (o.rescanIntervalSeconds < 0) throw new UsageError('-rescan-interval must not be negative');
  return o;
}

export function usage(): string {
  const lines = ['Usage of sriovdp:'];
  for (const [name, def] of Object.entries(FLAGS)) {
    if (def.help === undefined) continue;
    lines.push(`  -${name}${def.kind === 'bool' ? '' : ` ${def.kind}`}`, `    \t${def.help}`);
  }
  return `${lines.join('\n')}\n`;
}
