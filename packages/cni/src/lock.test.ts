import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { executable, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CniError } from './errors.js';
import { acquireExclusiveLock, IB_SRIOV_LOCK_PATH, sriovVfLockPath } from './lock.js';

const root = mkdtempSync(join(tmpdir(), 'cni-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const lockPath = () => join(root, `t${n++}`, 'pci', 'vf_lock', '0000:af:06.0.lock');

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/**
 * A second Node process that takes the same flock(2) primitive @sriov-ts/netlink-ops exposes (its native addon,
 * loaded directly because the child runs plain JavaScript), prints "held", and keeps the lock until its stdin closes.
 */
function nodeHolder(path: string): Promise<ChildProcess> {
  mkdirSync(dirname(path), { recursive: true });
  const pkg = createRequire(import.meta.url).resolve('@sriov-ts/netlink-ops/package.json');
  const addon = join(dirname(pkg), 'build', 'Release', 'netlink_ops.node');
  const script = `
    const fs = require('fs');
    const addon = require(${JSON.stringify(addon)});
    const fd = fs.openSync(${JSON.stringify(path)}, fs.constants.O_RDONLY | fs.constants.O_CREAT, 0o600);
    if (!addon.flock(fd, 1)) { process.stdout.write('busy\\n'); process.exit(2); }
    process.stdout.write('held\\n');
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));`;
  return startHolder(spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] }));
}

/** util-linux flock(1): a C program on flock(2), the same call Go's plugins make (gofrs/flock, syscall.Flock). */
function utilLinuxHolder(path: string): Promise<ChildProcess> {
  mkdirSync(dirname(path), { recursive: true });
  return startHolder(
    spawn('flock', ['--exclusive', path, 'sh', '-c', 'echo held; exec cat >/dev/null'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
}

function startHolder(child: ChildProcess): Promise<ChildProcess> {
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('held\n')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`lock holder exited early with ${code}: ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.on('exit', () => resolve());
  });
}

describe('paths', () => {
  it("are the Go plugins' lock files", () => {
    expect(sriovVfLockPath('0000:af:06.0')).toBe('/var/lib/cni/sriov/pci/vf_lock/0000:af:06.0.lock');
    expect(sriovVfLockPath('0000:AF:06.7', '/tmp/s')).toBe('/tmp/s/pci/vf_lock/0000:AF:06.7.lock');
    expect(IB_SRIOV_LOCK_PATH).toBe('/var/run/cni/ib-sriov/cni.lock');
  });
  it.each(['', '0000:af:06', 'af:06.0', '0000:af:06.8', '../../etc/x', '0000:af:06.0/..'])('rejects %j', (bdf) => {
    expect(() => sriovVfLockPath(bdf)).toThrow(CniError);
  });
});

describe('acquireExclusiveLock', () => {
  it('creates the directory 0700 and the file 0600, and release is idempotent', async () => {
    const path = lockPath();
    const lock = await acquireExclusiveLock(path, { timeoutMs: 0 });
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path).length).toBe(0);
    lock.release();
    lock.release();
    const again = await acquireExclusiveLock(path, { timeoutMs: 0 });
    again.release();
  });

  it('flock semantics: a second open file in the same process is excluded until release', async () => {
    const path = lockPath();
    const first = await acquireExclusiveLock(path, { timeoutMs: 0 });
    await expect(acquireExclusiveLock(path, { timeoutMs: 50 })).rejects.toMatchObject({ code: 11 });
    first.release();
    (await acquireExclusiveLock(path, { timeoutMs: 0 })).release();
  });

  it('a waiter times out with the clear error while a child Node process holds the lock, leaking no fd', async () => {
    const path = lockPath();
    const holder = await nodeHolder(path);
    const fdsBefore = openFds();
    const err = await acquireExclusiveLock(path, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CniError);
    expect(err).toMatchObject({
      code: 11,
      msg: `time out while waiting to acquire exclusive lock on [${path}]`,
    });
    expect(openFds()).toBe(fdsBefore);
    holder.stdin!.end();
    await exited(holder);
  });

  it('a waiter gets the lock once the child Node process holding it exits', async () => {
    const path = lockPath();
    const holder = await nodeHolder(path);
    let settled = false;
    const waiting = acquireExclusiveLock(path, { timeoutMs: 20_000 }).finally(() => {
      settled = true;
    });
    // The waiter polls against the held lock meanwhile; it must still be waiting when the holder is told to go.
    await new Promise((r) => setTimeout(r, 150));
    expect(settled).toBe(false);
    holder.stdin!.end();
    await exited(holder);
    (await waiting).release();
  });

  it('an abort signal ends the wait', async () => {
    const path = lockPath();
    const first = await acquireExclusiveLock(path, { timeoutMs: 0 });
    const ac = new AbortController();
    const waiting = acquireExclusiveLock(path, { timeoutMs: 20_000, signal: ac.signal });
    ac.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    first.release();
    await expect(acquireExclusiveLock(path, { signal: AbortSignal.abort(new Error('early')) })).rejects.toThrow(
      'early',
    );
  });

  it('reports a lock directory that cannot be created', async () => {
    const blocker = join(root, `file${n++}`);
    writeFileSync(blocker, '');
    await expect(acquireExclusiveLock(join(blocker, 'sub', 'x.lock'))).rejects.toMatchObject({
      code: 999,
      msg: expect.stringMatching(/^failed to create the lock directory\(/),
    });
  });
});

const noFlock = missingPrerequisites('cni lock interop with util-linux flock(1)', [executable('flock')]);

describe.skipIf(noFlock !== null)('interop with other flock(2) users (util-linux flock, as Go uses)', () => {
  it('waits for a lock held by flock(1) and gets it after that process exits', async () => {
    const path = lockPath();
    const holder = await utilLinuxHolder(path);
    await expect(acquireExclusiveLock(path, { timeoutMs: 200 })).rejects.toMatchObject({ code: 11 });
    const waiting = acquireExclusiveLock(path, { timeoutMs: 20_000 });
    holder.stdin!.end();
    await exited(holder);
    (await waiting).release();
  });

  it('flock(1) sees the lock this package holds, and not after release', async () => {
    const path = lockPath();
    const lock = await acquireExclusiveLock(path, { timeoutMs: 0 });
    expect(spawnSync('flock', ['--nonblock', '--exclusive', path, 'true']).status).toBe(1);
    lock.release();
    expect(spawnSync('flock', ['--nonblock', '--exclusive', path, 'true']).status).toBe(0);
  });
});
