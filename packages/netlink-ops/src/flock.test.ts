import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyscallError } from './errors.js';
import { tryFlock, unflock } from './flock.js';
import { InvalidArgumentError } from './validate.js';

describe('tryFlock / unflock', () => {
  let dir: string;
  let file: string;
  const fds: number[] = [];
  const open = () => {
    const fd = openSync(file, 'a+');
    fds.push(fd);
    return fd;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nlops-flock-'));
    file = join(dir, 'lock');
  });
  afterEach(() => {
    for (const fd of fds.splice(0)) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('an exclusive lock on one open file excludes a second open file until released', () => {
    const a = open();
    const b = open();
    expect(tryFlock(a, 'exclusive')).toBe(true);
    expect(tryFlock(b, 'exclusive')).toBe(false);
    expect(tryFlock(b, 'shared')).toBe(false);
    unflock(a);
    expect(tryFlock(b, 'exclusive')).toBe(true);
  });

  it('shared locks coexist and exclude an exclusive one', () => {
    const a = open();
    const b = open();
    const c = open();
    expect(tryFlock(a, 'shared')).toBe(true);
    expect(tryFlock(b, 'shared')).toBe(true);
    expect(tryFlock(c, 'exclusive')).toBe(false);
    unflock(a);
    unflock(b);
    expect(tryFlock(c, 'exclusive')).toBe(true);
  });

  it('closing the fd releases the lock', () => {
    const a = openSync(file, 'a+');
    const b = open();
    expect(tryFlock(a, 'exclusive')).toBe(true);
    closeSync(a);
    expect(tryFlock(b, 'exclusive')).toBe(true);
  });

  it('contends with a lock held by another process', async () => {
    // The child takes the lock with flock(1) semantics via this package, reports, and holds it until told to exit.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { openSync } from 'node:fs';
         import { createRequire } from 'node:module';
         const addon = createRequire(${JSON.stringify(import.meta.url)})(${JSON.stringify(
           join(import.meta.dirname, '..', 'build', 'Release', 'netlink_ops.node'),
         )});
         const fd = openSync(${JSON.stringify(file)}, 'a+');
         process.stdout.write(addon.flock(fd, 1) ? 'locked\\n' : 'busy\\n');
         process.stdin.on('data', () => process.exit(0));`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      const first = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
      expect(first.trim()).toBe('locked');
      const fd = open();
      expect(tryFlock(fd, 'exclusive')).toBe(false);
      expect(tryFlock(fd, 'shared')).toBe(false);
      child.stdin.write('go\n');
      await exited;
      expect(tryFlock(fd, 'exclusive')).toBe(true);
    } finally {
      child.kill();
    }
  });

  it('rejects a bad fd with a typed error', () => {
    expect(() => tryFlock(-1, 'exclusive')).toThrow(InvalidArgumentError);
    expect(() => tryFlock(99_999, 'exclusive')).toThrow(SyscallError);
    try {
      tryFlock(99_999, 'shared');
    } catch (e) {
      expect((e as SyscallError).code).toBe('EBADF');
    }
    // @ts-expect-error invalid kind
    expect(() => tryFlock(0, 'both')).toThrow(InvalidArgumentError);
  });
});
