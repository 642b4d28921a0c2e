// Per-attachment state files, as the Go SR-IOV plugins keep them: `<dir>/<containerID>-<ifname>`, directory 0700,
// files 0600. Writes are atomic (temp file in the same directory, then rename), so a killed plugin never leaves a
// half-written cache that a later DEL would misread. No fsync (the Go plugins do none either): every file here
// describes kernel state that a reboot discards (netns, VF placement), a DEL without a readable cache succeeds, and
// the two fsyncs per file cost ≈1 ms each on a pod's start-up path. File names are only ever built from a
// validated container ID and interface name, or checked as a plain entry name, so no input can escape `dir`.
import {
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { CniError, ErrDecodingFailure, ErrInternal, ErrInvalidEnvironmentVariables } from './errors.js';
import type { GcAttachment } from './netconf.js';
import { validateContainerId, validateInterfaceName } from './validate.js';

/** sriov-cni's `config.DefaultCNIDir`. */
export const SRIOV_STATE_DIR = '/var/lib/cni/sriov';
/** ib-sriov-cni's `config.DefaultCNIDir`. */
export const IB_SRIOV_STATE_DIR = '/var/lib/cni/ib-sriov';

/** NAME_MAX on Linux. */
const MAX_FILE_NAME_BYTES = 255;

/** The cache file name for an attachment, `<containerID>-<ifname>`; both parts validated (CniError code 3/4). */
export function attachmentFileName(containerId: string, ifName: string): string {
  validateContainerId(containerId);
  validateInterfaceName(ifName);
  const name = `${containerId}-${ifName}`;
  if (Buffer.byteLength(name, 'utf8') > MAX_FILE_NAME_BYTES) {
    throw new CniError(
      ErrInvalidEnvironmentVariables,
      'container ID too long for a state file name',
      `${containerId} with interface ${ifName} exceeds ${MAX_FILE_NAME_BYTES} bytes`,
    );
  }
  return name;
}

/** A name as returned by list(): a plain file name, never hidden (temp files are), never a path. */
export function isStateEntryName(name: string): boolean {
  return (
    name !== '' &&
    !name.startsWith('.') &&
    !name.includes('/') &&
    !name.includes('\0') &&
    Buffer.byteLength(name, 'utf8') <= MAX_FILE_NAME_BYTES
  );
}

function checkEntryName(name: string): void {
  if (!isStateEntryName(name)) throw new CniError(ErrInternal, `invalid state entry name ${JSON.stringify(name)}`);
}

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code;
}

/**
 * The entries of `names` that belong to no attachment in `valid` (what GC should clean up). Matching is by the
 * exact file name each valid attachment would have; attachments with invalid IDs match nothing.
 */
export function staleEntries(names: readonly string[], valid: readonly GcAttachment[]): string[] {
  const live = new Set<string>();
  for (const a of valid) {
    try {
      live.add(attachmentFileName(a.containerID, a.ifname));
    } catch {
      // An attachment that could never have had a state file protects nothing.
    }
  }
  return names.filter((n) => !live.has(n));
}

export class AttachmentStateStore {
  constructor(readonly dir: string) {}

  /** Absolute path of the attachment's file (validated names). */
  pathOf(containerId: string, ifName: string): string {
    return join(this.dir, attachmentFileName(containerId, ifName));
  }

  /** Atomically replaces the attachment's file with `data` (file 0600; the directory is created 0700 if missing). */
  write(containerId: string, ifName: string, data: string | Uint8Array): void {
    this.#writeEntry(attachmentFileName(containerId, ifName), data);
  }

  /** write() of compact JSON, as Go's json.Marshal produces. */
  writeJson(containerId: string, ifName: string, value: unknown): void {
    this.write(containerId, ifName, JSON.stringify(value));
  }

  /** The file's bytes, or null when there is none. Symlinks are refused (ELOOP). */
  read(containerId: string, ifName: string): Buffer | null {
    return this.readEntry(attachmentFileName(containerId, ifName));
  }

  /** read() parsed as JSON; null when there is no file; invalid JSON is CniError code 6. */
  readJson<T = unknown>(containerId: string, ifName: string): T | null {
    const name = attachmentFileName(containerId, ifName);
    const data = this.readEntry(name);
    if (data === null) return null;
    try {
      return JSON.parse(data.toString('utf8')) as T;
    } catch (e) {
      throw new CniError(
        ErrDecodingFailure,
        `failed to parse state file ${join(this.dir, name)}`,
        (e as Error).message,
      );
    }
  }

  /** Removes the attachment's file. True when it removed one, false when it was already gone. */
  delete(containerId: string, ifName: string): boolean {
    return this.deleteEntry(attachmentFileName(containerId, ifName));
  }

  /** Names of the state files (regular files only: sub-directories such as sriov's `pci/` and temp files are skipped). */
  list(): string[] {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(this.dir, { withFileTypes: true });
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return [];
      throw e;
    }
    return entries
      .filter((d) => d.isFile() && isStateEntryName(d.name))
      .map((d) => d.name)
      .sort();
  }

  /** read() by an entry name from list(). */
  readEntry(name: string): Buffer | null {
    checkEntryName(name);
    let fd: number;
    try {
      fd = openSync(join(this.dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return null;
      throw e;
    }
    try {
      return readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** delete() by an entry name from list(). */
  deleteEntry(name: string): boolean {
    checkEntryName(name);
    try {
      unlinkSync(join(this.dir, name));
      return true;
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return false;
      throw e;
    }
  }

  #writeEntry(name: string, data: string | Uint8Array): void {
    writeFileAtomic(this.dir, name, data);
  }
}

/**
 * Atomically replaces `<dir>/<name>` with `data`: a temp file (0600, O_EXCL) in the same directory, then rename, so
 * a reader or a killed writer never sees half a file (see the top of this file on fsync). The directory is created
 * 0700 when missing.
 * `name` must be a plain entry name (see isStateEntryName). Shared by the plugins' other state files (sriov's
 * allocation records and crash journals).
 */
export function writeFileAtomic(dir: string, name: string, data: string | Uint8Array): void {
  checkEntryName(name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  // A fixed-length hidden name: the final name may already use all of NAME_MAX.
  const tmp = join(dir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, join(dir, name));
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
}

/** A state file's text, or undefined when it does not exist ("absent" is normal for state). Symlinks are refused. */
export function readFileIfExists(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
