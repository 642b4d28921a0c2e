// Runs inside the single executable: puts the embedded netlink addon on disk so that it can be dlopen()ed.
//
// The file is content-addressed (`netlink_ops-<sha256>.node`): a new build never reuses an old file, and concurrent
// starts of the same build agree on the name. It is written to a temp file (O_EXCL, unique name) in the same
// directory, fsynced and renamed into place, so a reader sees either no file or the whole file, never half of one.
// The directory is private (0700) and must be owned by us and not writable by group/others, and so must its parent:
// otherwise another user could swap the file between our check and the dlopen. That excludes /tmp; /var/lib is on a
// filesystem that allows mapping executable code (tmpfs /run and /dev/shm are often mounted noexec).
import type { Stats } from 'node:fs';
import {
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';

export const DEFAULT_ADDON_DIR = '/var/lib/sriov-ts/native';

export class AddonFileError extends Error {
  override name = 'AddonFileError';
}

export interface AddonFileOptions {
  /** Absolute directory that holds extracted addons. */
  dir: string;
  /** Lower-case hex sha256 of the addon, computed at build time. */
  sha256: string;
  /** Size in bytes, computed at build time. */
  size: number;
  /** The embedded bytes (node:sea getRawAsset); called only when the file has to be written. */
  read: () => Uint8Array;
}

export function addonFileName(sha256: string): string {
  return `netlink_ops-${sha256}.node`;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Ours and not writable by anyone else; lstat, so a symlink is never trusted. */
function checkPrivate(path: string, st: Stats, kind: 'directory' | 'file'): void {
  const isKind = kind === 'directory' ? st.isDirectory() : st.isFile();
  const euid = process.geteuid?.() ?? 0;
  if (!isKind || st.uid !== euid || (st.mode & 0o022) !== 0) {
    throw new AddonFileError(
      `refusing ${path}: must be a ${kind} owned by uid ${euid} and not writable by group or others ` +
        `(is ${st.isSymbolicLink() ? 'a symlink' : st.isDirectory() ? 'a directory' : 'a file'}, uid ${st.uid}, ` +
        `mode ${(st.mode & 0o7777).toString(8)})`,
    );
  }
}

function checkDirs(dir: string): void {
  const parent = dir.slice(0, dir.lastIndexOf('/')) || '/';
  for (const d of parent === '/' ? [dir] : [parent, dir]) {
    const st = lstatOrNull(d);
    if (st === null) throw new AddonFileError(`${d} does not exist`);
    checkPrivate(d, st, 'directory');
  }
}

function sha256Hex(bytes: Uint8Array): string {
  // Loaded only on the write path: node:crypto costs start-up time that a CNI VERSION call should not pay.
  const crypto = process.getBuiltinModule('node:crypto');
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** Returns the path of a complete, private copy of the addon, writing it first if needed. */
export function ensureAddonFile(options: AddonFileOptions): string {
  const { dir, sha256, size } = options;
  if (!dir.startsWith('/') || dir.includes('\0')) throw new AddonFileError(`addon directory must be absolute: ${dir}`);
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new AddonFileError(`bad addon sha256 ${JSON.stringify(sha256)}`);
  const path = `${dir}/${addonFileName(sha256)}`;
  const existing = lstatOrNull(path);
  if (existing !== null && existing.size === size) {
    checkDirs(dir);
    checkPrivate(path, existing, 'file');
    return path;
  }
  try {
    // `mode` applies to every directory created here; existing ones are checked below, not changed.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new AddonFileError(`cannot create ${dir} for the netlink addon: ${(e as Error).message}`, { cause: e });
  }
  checkDirs(dir);
  const bytes = options.read();
  if (bytes.length !== size || sha256Hex(bytes) !== sha256) {
    throw new AddonFileError('the embedded netlink addon does not match its build-time sha256 (corrupt executable)');
  }
  const crypto = process.getBuiltinModule('node:crypto');
  const tmp = `${dir}/.${addonFileName(sha256)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o500);
  } catch (e) {
    throw new AddonFileError(`cannot write the netlink addon into ${dir}: ${(e as Error).message}`, { cause: e });
  }
  try {
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // Concurrent starts each rename their own complete copy over the same name: whichever wins, the file is whole.
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // Already renamed or gone: nothing to undo.
    }
    throw new AddonFileError(`cannot write the netlink addon ${path}: ${(e as Error).message}`, { cause: e });
  }
  return path;
}
