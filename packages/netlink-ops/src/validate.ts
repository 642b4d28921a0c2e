// Input checks for everything path- or name-like that reaches a syscall. These binaries run as root.
import { nodePath } from './builtins.js';

/** Bad input to a netlink-ops function; nothing was changed. */
export class InvalidArgumentError extends TypeError {
  override readonly name = 'InvalidArgumentError';
  readonly code = 'EINVAL';
}

/** An absolute, normalized path with no '..' segment and no NUL (a netns path such as /var/run/netns/X). */
export function checkAbsolutePath(path: string, what: string): string {
  if (typeof path !== 'string' || path.length === 0 || path.length >= 4096)
    throw new InvalidArgumentError(`${what}: expected a non-empty absolute path, got ${JSON.stringify(path)}`);
  if (path.includes('\0')) throw new InvalidArgumentError(`${what}: path contains NUL`);
  if (!path.startsWith('/')) throw new InvalidArgumentError(`${what}: path must be absolute: ${JSON.stringify(path)}`);
  if (path.split('/').includes('..'))
    throw new InvalidArgumentError(`${what}: path must not contain '..': ${JSON.stringify(path)}`);
  const normalized = nodePath().normalize(path);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

/** The kernel's dev_valid_name(): 1-15 bytes, not '.' or '..', no '/', ':' or whitespace. */
export function checkIfname(name: string, what = 'interface name'): string {
  if (typeof name !== 'string' || name.length === 0)
    throw new InvalidArgumentError(`${what}: expected a non-empty string`);
  if (Buffer.byteLength(name) > 15)
    throw new InvalidArgumentError(`${what}: ${JSON.stringify(name)} is longer than 15 bytes`);
  if (name === '.' || name === '..' || /[/:\s\0]/.test(name))
    throw new InvalidArgumentError(`${what}: ${JSON.stringify(name)} is not a valid interface name`);
  return name;
}

/** A name for a file in a directory: no '/', not '.' or '..', no NUL, at most 255 bytes. */
export function checkFileName(name: string, what: string): string {
  if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) > 255)
    throw new InvalidArgumentError(`${what}: expected a name of 1-255 bytes, got ${JSON.stringify(name)}`);
  if (name === '.' || name === '..' || name.includes('/') || name.includes('\0'))
    throw new InvalidArgumentError(`${what}: ${JSON.stringify(name)} is not a valid file name`);
  return name;
}

export function checkUint(value: number, bits: 8 | 16 | 32, what: string): number {
  const max = bits === 32 ? 0xffffffff : bits === 16 ? 0xffff : 0xff;
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new InvalidArgumentError(`${what}: expected an integer 0..${max}, got ${value}`);
  return value;
}
