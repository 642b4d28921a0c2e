// Small synchronous primitives over sysfs files. Sysfs attributes live in kernel memory and are at most one page,
// so a read never waits on a disk: a synchronous call is the cheapest way to get the bytes (no thread-pool hop, no
// promise per file). See README "Why synchronous".
import {
  closeSync,
  constants,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  writeSync,
} from 'node:fs';
import { errnoCode, fsError } from './errors.js';

const PAGE = 8192;

export class SysfsIo {
  private buffer: Buffer | undefined;

  /** Whole file as text. Sysfs attributes fit in one page; larger (fake) files fall back to readFileSync. */
  read(path: string, device: string): string {
    if (this.buffer === undefined) this.buffer = Buffer.allocUnsafe(PAGE);
    const buffer = this.buffer;
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      throw fsError('read', path, device, error);
    }
    try {
      const length = readSync(fd, buffer, 0, PAGE, 0);
      if (length < PAGE) return buffer.toString('utf8', 0, length);
      return readFileSync(fd, 'utf8');
    } catch (error) {
      throw fsError('read', path, device, error);
    } finally {
      closeSync(fd);
    }
  }

  /** Trimmed content, or null when the file does not exist (or the kernel says the attribute is unsupported). */
  readOptional(path: string, device: string): string | null {
    try {
      return this.read(path, device).trim();
    } catch (error) {
      const code = errnoCode(error);
      // EOPNOTSUPP/EINVAL: attributes like phys_port_name exist but the driver cannot answer.
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EOPNOTSUPP' || code === 'EINVAL') return null;
      throw error;
    }
  }

  readlink(path: string, device: string): string {
    try {
      return readlinkSync(path);
    } catch (error) {
      throw fsError('read link', path, device, error);
    }
  }

  /** Link target, or null when there is no such link. */
  readlinkOptional(path: string, device: string): string | null {
    try {
      return readlinkSync(path);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw fsError('read link', path, device, error);
    }
  }

  list(path: string, device: string): string[] {
    try {
      return readdirSync(path);
    } catch (error) {
      throw fsError('list', path, device, error);
    }
  }

  /** Sorted entries, or [] when the directory does not exist. */
  listOptional(path: string, device: string): string[] {
    try {
      return readdirSync(path).sort();
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw fsError('list', path, device, error);
    }
  }

  exists(path: string): boolean {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  }

  /**
   * One write(2) of the whole value, as sysfs store handlers expect. Write-only without O_CREAT: sysfs refuses a read
   * open of write-only attributes such as `bind`, and a fake tree must not silently grow files that do not exist.
   * O_TRUNC is ignored by sysfs and makes a fake file hold exactly the last value written.
   */
  write(path: string, value: string, device: string): void {
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_TRUNC);
    } catch (error) {
      throw fsError('write', path, device, error);
    }
    try {
      const bytes = Buffer.from(value);
      const written = writeSync(fd, bytes, 0, bytes.length);
      if (written !== bytes.length) throw new Error(`short write: ${written} of ${bytes.length} bytes`);
    } catch (error) {
      throw fsError('write', path, device, error);
    } finally {
      closeSync(fd);
    }
  }
}

export function basename(linkTarget: string): string {
  const trimmed = linkTarget.endsWith('/') ? linkTarget.slice(0, -1) : linkTarget;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
