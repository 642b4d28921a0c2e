/**
 * Every failure of this package is a SysfsError that names the path it touched and the device it was about, so a
 * CNI error message or a device-plugin log line says exactly which file on which node went wrong.
 */
export type SysfsErrorCode =
  /** A caller-supplied PCI address, interface name, driver name or number was rejected before any path was built. */
  | 'INVALID_ARGUMENT'
  /** A sysfs file existed but its content was not what the kernel writes there. */
  | 'MALFORMED'
  /** An errno from the file system call (ENOENT, EACCES, EBUSY, ENODEV, EINVAL, ...). */
  | (string & {});

export class SysfsError extends Error {
  override readonly name = 'SysfsError';
  /** The file or directory involved (under the configured root), or '' when the input was rejected before. */
  readonly path: string;
  /** The PCI address, interface or driver the operation was about, or '' when unknown. */
  readonly device: string;
  readonly code: SysfsErrorCode;

  constructor(message: string, init: { path: string; device: string; code: SysfsErrorCode; cause?: unknown }) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.path = init.path;
    this.device = init.device;
    this.code = init.code;
  }
}

export function isSysfsError(value: unknown): value is SysfsError {
  return value instanceof SysfsError;
}

/** Wraps a Node fs error so the message names the operation, the path and the device. */
export function fsError(operation: string, path: string, device: string, cause: unknown): SysfsError {
  const code = errnoCode(cause) ?? 'EIO';
  const detail = cause instanceof Error ? cause.message.replace(/^[A-Z]+: /, '') : String(cause);
  const about = device === '' ? '' : ` (device ${device})`;
  return new SysfsError(`sysfs: cannot ${operation} ${path}${about}: ${detail}`, { path, device, code, cause });
}

export function invalidArgument(what: string, value: unknown, why: string): SysfsError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new SysfsError(`sysfs: invalid ${what} ${shown}: ${why}`, {
    path: '',
    device: typeof value === 'string' ? value : '',
    code: 'INVALID_ARGUMENT',
  });
}

export function malformed(path: string, device: string, content: string, expected: string): SysfsError {
  const about = device === '' ? '' : ` (device ${device})`;
  return new SysfsError(`sysfs: ${path}${about} holds ${JSON.stringify(content)}, expected ${expected}`, {
    path,
    device,
    code: 'MALFORMED',
  });
}

export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
