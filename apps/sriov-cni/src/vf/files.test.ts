import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockFile, readOptional, writeAtomic } from './files.js';

describe('state-file primitives', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sriov-files-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lockFile excludes a second holder until released, with the Go timeout message', async () => {
    const path = join(dir, 'locks', 'a.lock');
    const release = await lockFile(path, 100);
    await expect(lockFile(path, 30)).rejects.toThrow(`time out while waiting to acquire exclusive lock on [${path}]`);
    release();
    (await lockFile(path, 30))();
  });

  it('writeAtomic writes 0600 files in 0700 directories; readOptional reads absent as undefined', () => {
    writeAtomic(join(dir, 'x'), 'f', 'hello');
    expect(readOptional(join(dir, 'x', 'f'))).toBe('hello');
    expect(statSync(join(dir, 'x', 'f')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'x')).mode & 0o777).toBe(0o700);
    expect(readOptional(join(dir, 'x', 'missing'))).toBeUndefined();
  });
});
