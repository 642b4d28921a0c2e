// ensureAddonFile: content-addressed, private, whole-or-nothing, safe under concurrent first starts.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { AddonFileError, addonFileName, ensureAddonFile } from './addon-file.js';

const root = mkdtempSync(join(tmpdir(), 'ship-addon-'));
chmodSync(root, 0o700);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bytes = new Uint8Array(200_000).map((_, i) => (i * 7919) & 0xff);
const sha256 = createHash('sha256').update(bytes).digest('hex');
let n = 0;
const freshDir = () => join(root, `case${n++}`, 'native');

describe('ensureAddonFile', () => {
  it('writes a private content-addressed copy (0500 in a 0700 directory) and leaves no temp file', () => {
    const dir = freshDir();
    const path = ensureAddonFile({ dir, sha256, size: bytes.length, read: () => bytes });
    expect(path).toBe(join(dir, addonFileName(sha256)));
    expect(readFileSync(path).equals(Buffer.from(bytes))).toBe(true);
    expect(statSync(path).mode & 0o7777).toBe(0o500);
    expect(statSync(dir).mode & 0o7777).toBe(0o700);
    expect(readdirSync(dir)).toEqual([addonFileName(sha256)]);
  });

  it('reuses an existing copy without reading the embedded bytes again', () => {
    const dir = freshDir();
    ensureAddonFile({ dir, sha256, size: bytes.length, read: () => bytes });
    let reads = 0;
    const again = ensureAddonFile({
      dir,
      sha256,
      size: bytes.length,
      read: () => {
        reads++;
        return bytes;
      },
    });
    expect(reads).toBe(0);
    expect(readFileSync(again).length).toBe(bytes.length);
  });

  it('replaces a truncated file with the same name', () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(join(dir, '..'), 0o700);
    writeFileSync(join(dir, addonFileName(sha256)), bytes.subarray(0, 100), { mode: 0o500 });
    const path = ensureAddonFile({ dir, sha256, size: bytes.length, read: () => bytes });
    expect(statSync(path).size).toBe(bytes.length);
  });

  it('refuses a directory that group or others can write, and a symlinked directory', () => {
    const open = freshDir();
    mkdirSync(open, { recursive: true, mode: 0o700 });
    chmodSync(open, 0o777);
    expect(() => ensureAddonFile({ dir: open, sha256, size: bytes.length, read: () => bytes })).toThrow(
      /refusing .*not writable by group or others/,
    );
    const parent = join(root, `case${n++}`);
    mkdirSync(parent, { mode: 0o700 });
    const real = join(parent, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(parent, 'native'));
    expect(() =>
      ensureAddonFile({ dir: join(parent, 'native'), sha256, size: bytes.length, read: () => bytes }),
    ).toThrow(/a symlink/);
    expect(readdirSync(real)).toEqual([]);
  });

  it('refuses embedded bytes that do not match the build-time hash, writing nothing', () => {
    const dir = freshDir();
    const bad = bytes.slice();
    bad[5] = (bad[5] ?? 0) ^ 1;
    expect(() => ensureAddonFile({ dir, sha256, size: bytes.length, read: () => bad })).toThrow(AddonFileError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects a relative directory and a malformed hash', () => {
    expect(() => ensureAddonFile({ dir: 'native', sha256, size: 1, read: () => bytes })).toThrow(/absolute/);
    expect(() => ensureAddonFile({ dir: freshDir(), sha256: '../x', size: 1, read: () => bytes })).toThrow(/sha256/);
  });

  it('concurrent first starts all get the same complete file', async () => {
    // The module bundled to one CJS file and run in 8 processes released at the same moment.
    const script = join(root, 'ensure.cjs');
    await build({
      stdin: {
        contents: `const { ensureAddonFile } = require(${JSON.stringify(fileURLToPath(new URL('./addon-file.ts', import.meta.url)))});
const bytes = new Uint8Array(${bytes.length}).map((_, i) => (i * 7919) & 0xff);
const start = Number(process.argv[3]);
while (Date.now() < start) {}
process.stdout.write(ensureAddonFile({ dir: process.argv[2], sha256: ${JSON.stringify(sha256)}, size: bytes.length, read: () => bytes }));`,
        resolveDir: root,
        loader: 'js',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: script,
      logLevel: 'error',
    });
    const dir = freshDir();
    const start = Date.now() + 700;
    const runs = Array.from(
      { length: 8 },
      () =>
        new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
          const child = spawn(process.execPath, [script, dir, String(start)]);
          let out = '';
          let err = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (err += d));
          child.on('exit', (code) => resolve({ code, out, err }));
        }),
    );
    const results = await Promise.all(runs);
    for (const r of results) expect(r).toEqual({ code: 0, out: join(dir, addonFileName(sha256)), err: '' });
    expect(readFileSync(join(dir, addonFileName(sha256))).equals(Buffer.from(bytes))).toBe(true);
    expect(readdirSync(dir)).toEqual([addonFileName(sha256)]);
  });
});
