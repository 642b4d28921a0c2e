// CNI error object and the well-known error codes.
//
// Codes 0-99 are reserved by the spec; 8 and 999 are Go-library codes that the upstream plugins emit
// (999 is what every untyped Go error becomes), so they are exported under the Go names too.

/** Go `ErrUnknown`: not used in practice. */
export const ErrUnknown = 0;
/** Incompatible CNI version (config version not supported; CHECK/GC/STATUS on too old a config). */
export const ErrIncompatibleCNIVersion = 1;
/** Unsupported field in the network configuration; the message must name key and value. */
export const ErrUnsupportedField = 2;
/** Container unknown or does not exist. */
export const ErrUnknownContainer = 3;
/** Invalid necessary environment variables; the message names them. */
export const ErrInvalidEnvironmentVariables = 4;
/** I/O failure, e.g. reading stdin. */
export const ErrIOFailure = 5;
/** Failed to decode content (network config, result, version info). */
export const ErrDecodingFailure = 6;
/** Invalid network config (validation failed). */
export const ErrInvalidNetworkConfig = 7;
/** Go-only: the plugin's own netns is CNI_NETNS. */
export const ErrInvalidNetNS = 8;
/** Transient condition, try again later (e.g. a device lock timed out). */
export const ErrTryAgainLater = 11;
/** STATUS: plugin not available, cannot service ADD. */
export const ErrPluginNotAvailable = 50;
/** STATUS: not available, existing containers may have limited connectivity. */
export const ErrLimitedConnectivity = 51;
/** Go-only: any untyped error returned by a plugin. */
export const ErrInternal = 999;

/** The error object a plugin prints on stdout (spec "Error" section). */
export interface CniErrorJson {
  cniVersion?: string;
  code: number;
  msg: string;
  details?: string;
}

/**
 * A typed CNI error. `msg` is short, `details` optional; `message` is rendered as libcni renders an error
 * (`msg` or `msg; details`) so that wrapping code and logs read the same as with the Go plugins.
 */
export class CniError extends Error {
  readonly code: number;
  readonly msg: string;
  readonly details: string;

  constructor(code: number, msg: string, details = '', options?: { cause?: unknown }) {
    super(details === '' ? msg : `${msg}; ${details}`, options);
    this.name = 'CniError';
    this.code = code;
    this.msg = msg;
    this.details = details;
  }

  /**
   * The error object a plugin prints: `cniVersion` first when given (the spec asks for it; Go's types.Error never
   * prints it), then `code`, `msg`, and `details` unless empty (Go omits it).
   */
  toWire(cniVersion?: string): CniErrorJson {
    const out = {} as CniErrorJson;
    if (cniVersion !== undefined && cniVersion !== '') out.cniVersion = cniVersion;
    out.code = this.code;
    out.msg = this.msg;
    if (this.details !== '') out.details = this.details;
    return out;
  }

  /** JSON.stringify(err): Go's types.Error shape `{code, msg, details?}`. */
  toJSON(): CniErrorJson {
    return this.toWire();
  }
}

export function isCniError(e: unknown): e is CniError {
  return e instanceof CniError;
}

/**
 * Any thrown value as a CniError: a CniError is returned unchanged ("don't wrap Error in Error" as Go skel),
 * anything else becomes code 999 with the error's message, as Go skel does with an untyped error.
 */
export function toCniError(e: unknown): CniError {
  if (e instanceof CniError) return e;
  if (e instanceof Error) return new CniError(ErrInternal, e.message === '' ? e.name : e.message, '', { cause: e });
  return new CniError(ErrInternal, describeThrown(e));
}

function describeThrown(e: unknown): string {
  if (typeof e === 'string') return e === '' ? 'unknown error' : e;
  try {
    const s = JSON.stringify(e);
    return s === undefined ? String(e) : s;
  } catch {
    return String(e);
  }
}

/**
 * Parses a plugin's error output (any object with an unsigned integer `code` and a string `msg`; `cniVersion`
 * optional, as Go's types.Error never prints it). Returns null when the value is not such an object.
 */
export function parseCniErrorJson(value: unknown): CniError | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  const { code, msg, details } = o;
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 0) return null;
  if (msg !== undefined && typeof msg !== 'string') return null;
  if (details !== undefined && details !== null && typeof details !== 'string') return null;
  return new CniError(code, msg ?? '', typeof details === 'string' ? details : '');
}
