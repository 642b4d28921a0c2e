// Runs inside the CNI images as the container entrypoint (the executable started under the name `entrypoint`):
// copies the plugin executable into the host's CNI bin directory atomically, verifies the copy, then sleeps.
// Same flags as the Go projects' entrypoints: --cni-bin-dir=, --sriov-bin-file= (ib-sriov:
// --ib-sriov-cni-bin-file=), --no-sleep, -h. A mode of the executable itself rather than a shell script: the image is
// built from scratch and has no shell, and a second program would be a second thing to build and ship.
import type { SpawnSyncReturns } from 'node:child_process';
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';

export const DEFAULT_CNI_BIN_DIR = '/host/opt/cni/bin';

export interface InstallerFlags {
  help: boolean;
  cniBinDir: string;
  binFile: string;
  noSleep: boolean;
}

export class InstallerError extends Error {
  override name = 'InstallerError';
}

export function installerUsage(exe: string, binFileFlag: string): string {
  return (
    `Usage: entrypoint [flags]\n` +
    `Copies ${exe} into the CNI bin directory (atomically), verifies it, then sleeps until SIGTERM.\n` +
    `\t-h --help\n` +
    `\t--cni-bin-dir=${DEFAULT_CNI_BIN_DIR}\n` +
    `\t${binFileFlag}=/usr/bin/${exe}\n` +
    `\t--no-sleep\n`
  );
}

export function parseInstallerArgs(argv: readonly string[], exe: string, binFileFlag: string): InstallerFlags {
  const flags: InstallerFlags = {
    help: false,
    cniBinDir: DEFAULT_CNI_BIN_DIR,
    binFile: `/usr/bin/${exe}`,
    noSleep: false,
  };
  for (const arg of argv) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? null : arg.slice(eq + 1);
    if ((arg === '-h' || arg === '--help') && value === null) flags.help = true;
    else if (arg === '--no-sleep') flags.noSleep = true;
    else if (name === '--cni-bin-dir' && value) flags.cniBinDir = value;
    else if (name === binFileFlag && value) flags.binFile = value;
    else throw new InstallerError(`unknown parameter "${arg}"`);
  }
  for (const [flag, path] of [
    ['--cni-bin-dir', flags.cniBinDir],
    [binFileFlag, flags.binFile],
  ] as const) {
    if (!path.startsWith('/') || path.includes('\0'))
      throw new InstallerError(`${flag} must be an absolute path: ${path}`);
  }
  return flags;
}

export interface InstallResult {
  path: string;
  size: number;
  sha256: string;
}

/** Runs a freshly written plugin with CNI_COMMAND=VERSION; throws unless it answers with its supported versions. */
export function verifyCniVersion(path: string): void {
  const { spawnSync } = process.getBuiltinModule('node:child_process');
  const result: SpawnSyncReturns<string> = spawnSync(path, [], {
    env: { CNI_COMMAND: 'VERSION', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    // No stdin (/dev/null): a CNI VERSION call needs none, and a pipe nobody reads fails with EPIPE.
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.error) throw new InstallerError(`cannot run ${path} VERSION: ${result.error.message}`);
  let versions: unknown;
  try {
    versions = (JSON.parse(result.stdout) as { supportedVersions?: unknown }).supportedVersions;
  } catch {
    versions = undefined;
  }
  if (result.status !== 0 || !Array.isArray(versions) || versions.length === 0) {
    throw new InstallerError(
      `${path} VERSION failed (exit ${result.status ?? result.signal}): ${result.stdout.trim()} ${result.stderr.trim()}`,
    );
  }
}

/** A temp file older than this is a leftover of a killed installer (a copy takes seconds), not a copy in progress. */
export const STALE_TEMP_MS = 10 * 60 * 1000;

/**
 * Removes this installer's own leftovers (`.<name>.<pid>.<hex>.tmp`, older than STALE_TEMP_MS) from destDir: an
 * installer killed mid-copy (OOM, node drain) leaves a ~90 MB file behind, and a crash loop would fill the disk.
 * Nothing else in the directory is touched. Returns the names removed.
 */
export function removeStaleTemps(destDir: string, name: string, now = Date.now()): string[] {
  const pattern = new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\d+\\.[0-9a-f]{12}\\.tmp$`);
  const removed: string[] = [];
  for (const entry of readdirSync(destDir, { withFileTypes: true })) {
    if (!entry.isFile() || !pattern.test(entry.name)) continue;
    const path = `${destDir}/${entry.name}`;
    try {
      if (now - lstatSync(path).mtimeMs < STALE_TEMP_MS) continue;
      unlinkSync(path);
      removed.push(entry.name);
    } catch {
      // Gone meanwhile: nothing to do.
    }
  }
  return removed;
}

/**
 * Copies `source` to `<destDir>/<name>`: a unique temp file in destDir (O_EXCL), same mode as the source, fsync,
 * re-read and compared by sha256 with the source, `verify` run on the temp file, then rename over the old binary and
 * fsync the directory. A runtime exec()ing the plugin meanwhile gets the old or the new binary, never a partial one.
 */
export function installAtomically(
  source: string,
  destDir: string,
  name: string,
  verify: (tempPath: string) => void = verifyCniVersion,
): InstallResult {
  const crypto = process.getBuiltinModule('node:crypto');
  let srcStat: ReturnType<typeof statSync>;
  try {
    srcStat = statSync(source);
  } catch (e) {
    throw new InstallerError(`cannot find ${source}: ${(e as Error).message}`);
  }
  if (!srcStat.isFile()) throw new InstallerError(`${source} is not a regular file`);
  let dirStat: ReturnType<typeof statSync>;
  try {
    dirStat = statSync(destDir);
  } catch (e) {
    throw new InstallerError(`cannot find the CNI bin directory ${destDir}: ${(e as Error).message}`);
  }
  if (!dirStat.isDirectory()) throw new InstallerError(`${destDir} is not a directory`);
  removeStaleTemps(destDir, name);

  const final = `${destDir}/${name}`;
  const temp = `${destDir}/.${name}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  const buf = Buffer.allocUnsafe(1 << 20);
  const srcHash = crypto.createHash('sha256');
  let written = 0;
  const src = openSync(source, constants.O_RDONLY);
  let out: number;
  try {
    out = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o700);
  } catch (e) {
    closeSync(src);
    throw new InstallerError(`cannot create a temp file in ${destDir}: ${(e as Error).message}`);
  }
  try {
    try {
      for (;;) {
        const n = readSync(src, buf, 0, buf.length, null);
        if (n === 0) break;
        srcHash.update(buf.subarray(0, n));
        for (let off = 0; off < n; ) off += writeSync(out, buf, off, n - off);
        written += n;
      }
      fchmodSync(out, srcStat.mode & 0o7777);
      fsyncSync(out);
      if (fstatSync(out).size !== written || written !== srcStat.size) {
        throw new InstallerError(`short copy of ${source}: ${written} of ${srcStat.size} bytes`);
      }
    } finally {
      closeSync(out);
      closeSync(src);
    }
    const sha256 = srcHash.digest('hex');
    const copyHash = crypto.createHash('sha256');
    const check = openSync(temp, constants.O_RDONLY);
    try {
      for (;;) {
        const n = readSync(check, buf, 0, buf.length, null);
        if (n === 0) break;
        copyHash.update(buf.subarray(0, n));
      }
    } finally {
      closeSync(check);
    }
    if (copyHash.digest('hex') !== sha256) throw new InstallerError(`the copy of ${source} differs from the source`);
    verify(temp);
    renameSync(temp, final);
    const dirFd = openSync(destDir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    return { path: final, size: written, sha256 };
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // Renamed already or never created.
    }
    if (e instanceof InstallerError) throw e;
    throw new InstallerError(`cannot install ${final}: ${(e as Error).message}`, { cause: e });
  }
}

/** The entrypoint: returns the exit code, or never returns while sleeping. */
export function installerMain(
  argv: readonly string[],
  exe: string,
  binFileFlag: string,
  io: { out: (s: string) => void; err: (s: string) => void } = {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  },
): number | 'sleep' {
  let flags: InstallerFlags;
  try {
    flags = parseInstallerArgs(argv, exe, binFileFlag);
  } catch (e) {
    io.err(`${(e as Error).message}\n${installerUsage(exe, binFileFlag)}`);
    return 1;
  }
  if (flags.help) {
    io.out(installerUsage(exe, binFileFlag));
    return 0;
  }
  try {
    const r = installAtomically(flags.binFile, flags.cniBinDir, exe);
    io.out(`installed ${r.path} (${r.size} bytes, sha256 ${r.sha256}); VERSION answered\n`);
  } catch (e) {
    io.err(`${exe} installer: ${(e as Error).message}\n`);
    return 1;
  }
  return flags.noSleep ? 0 : 'sleep';
}

/** Keeps the container running (a DaemonSet pod) until SIGTERM or SIGINT. */
export function sleepUntilSignalled(): void {
  const timer = setInterval(() => {}, 2 ** 30);
  const stop = () => {
    clearInterval(timer);
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
