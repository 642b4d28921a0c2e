// Plugin logging as the Go SR-IOV plugins do it with cni-log: levels panic < error < warning < info < debug <
// verbose (default info, names case-insensitive, unknown → info with cni-log's complaint on stderr), structured
// lines `time="<RFC3339>" level="<lvl>" msg="<msg>" <label>="<v>" ...`, to stderr by default or only to
// `logFile` when set. Never to stdout: stdout carries the CNI result.
import { closeSync, constants, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { goQuote } from './go-format.js';

export type LogLevel = 'panic' | 'error' | 'warning' | 'info' | 'debug' | 'verbose';

const SEVERITY: Readonly<Record<LogLevel, number>> = { panic: 1, error: 2, warning: 3, info: 4, debug: 5, verbose: 6 };

export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** A level name (case-insensitive) as a LogLevel, or null when cni-log would reject it. */
export function parseLogLevel(name: string): LogLevel | null {
  const l = name.toLowerCase();
  return Object.hasOwn(SEVERITY, l) ? (l as LogLevel) : null;
}

export type LogFields = Readonly<Record<string, unknown>>;

export interface LoggerOptions {
  /** `logLevel` from the netconf; empty/undefined means the default (info). */
  level?: string;
  /** `logFile` from the netconf; empty/undefined means stderr. */
  file?: string;
  /** Labels prepended to every line, in order; empty values are left out (sriov-cni: cniName, containerID, netns, ifname). */
  labels?: Readonly<Record<string, string>>;
  /** Where stderr text goes (tests inject this); default process.stderr. */
  stderr?: (text: string) => void;
  /** Clock for the time field (tests inject this). */
  now?: () => Date;
}

function defaultStderr(text: string): void {
  process.stderr.write(text);
}

/** Output shared by a logger and its children. */
interface Sink {
  write(line: string): void;
  close(): void;
  readonly file: string | undefined;
}

function stderrSink(stderr: (text: string) => void): Sink {
  return { write: stderr, close() {}, file: undefined };
}

/**
 * Opens `file` for appending (parent directories created 0755 as cni-log does; the file created 0600; a symlink
 * is refused as cni-log refuses it). On failure returns null after cni-log's complaint on stderr.
 */
function fileSink(file: string, stderr: (text: string) => void): Sink | null {
  let fd: number;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (e) {
    stderr(
      `cni-log: failed to set log file '${file}' (${(e as NodeJS.ErrnoException).code ?? 'error'}), logging to stderr\n`,
    );
    return null;
  }
  let open = true;
  return {
    file,
    write(line: string) {
      if (!open) return;
      try {
        writeSync(fd, line);
      } catch {
        // A full disk must not fail the CNI operation; the line is lost as it would be with cni-log.
      }
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** RFC 3339 in local time, seconds precision, like Go's time.RFC3339. */
export function rfc3339(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone =
    off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}

function fieldText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Error) return v.message;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === undefined || v === null) {
    return String(v);
  }
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export class Logger {
  readonly level: LogLevel;
  readonly #severity: number;
  readonly #labels: ReadonlyArray<readonly [string, string]>;
  readonly #sink: Sink;
  readonly #now: () => Date;

  /** Use createLogger(); this constructor is for child loggers. */
  constructor(level: LogLevel, labels: ReadonlyArray<readonly [string, string]>, sink: Sink, now: () => Date) {
    this.level = level;
    this.#severity = SEVERITY[level];
    this.#labels = labels;
    this.#sink = sink;
    this.#now = now;
  }

  /** The log file in use, or undefined when logging to stderr. */
  get file(): string | undefined {
    return this.#sink.file;
  }

  enabled(level: LogLevel): boolean {
    return SEVERITY[level] <= this.#severity;
  }

  /** A logger with more labels (appended after the existing ones) sharing this one's output. */
  child(labels: Readonly<Record<string, string>>): Logger {
    return new Logger(this.level, [...this.#labels, ...labelEntries(labels)], this.#sink, this.#now);
  }

  log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    let line = `time=${goQuote(rfc3339(this.#now()))} level=${goQuote(level)} msg=${goQuote(msg)}`;
    for (const [k, v] of this.#labels) line += ` ${k}=${goQuote(v)}`;
    if (fields) for (const [k, v] of Object.entries(fields)) line += ` ${k}=${goQuote(fieldText(v))}`;
    this.#sink.write(`${line}\n`);
  }

  panic(msg: string, fields?: LogFields): void {
    this.log('panic', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }
  warning(msg: string, fields?: LogFields): void {
    this.log('warning', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }
  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
  verbose(msg: string, fields?: LogFields): void {
    this.log('verbose', msg, fields);
  }

  /** Closes the log file (no-op for stderr). Plugins need not call it: the process exit closes it. */
  close(): void {
    this.#sink.close();
  }
}

function labelEntries(labels: Readonly<Record<string, string>> | undefined): Array<readonly [string, string]> {
  return Object.entries(labels ?? {}).filter(([, v]) => v !== '');
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const stderr = options.stderr ?? defaultStderr;
  let level = DEFAULT_LOG_LEVEL;
  if (options.level !== undefined && options.level !== '') {
    const parsed = parseLogLevel(options.level);
    if (parsed === null) stderr(`cni-log: cannot set logging level to '${options.level}'\n`);
    else level = parsed;
  }
  const sink = (options.file ? fileSink(options.file, stderr) : null) ?? stderrSink(stderr);
  return new Logger(level, labelEntries(options.labels), sink, options.now ?? (() => new Date()));
}
