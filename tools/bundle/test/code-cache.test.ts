import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
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
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCodeCache } from '../index.mjs';

// A stand-in for a plugin bundle: a few functions, the wrapper's import.meta.url parameter, and the verb it ran as.
const BUNDLE = `#!/usr/bin/env node
const twice = (x) => x * 2;
const words = (n) => Array.from({ length: n }, (_, i) => "w" + i).join(",");
process.stdout.write(twice(21) + " " + words(3) + " " + __bundleUrl + " " + (process.env.CNI_COMMAND ?? "-"));
`;

describe('withCodeCache: a bundle run as a V8 script with a per-verb code cache', () => {
  let dir: string;
  let cacheDir: string;
  let app: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bundle-cc-'));
    cacheDir = join(dir, 'cache');
    app = join(dir, 'app.mjs');
    writeFileSync(app, withCodeCache('app', BUNDLE, { cacheDir }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (verb?: string) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
    if (verb !== undefined) env.CNI_COMMAND = verb;
    const r = spawnSync(process.execPath, [app], { env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };
  const cacheFile = (verb: string) => {
    const name = readdirSync(cacheDir).find((f) => f.endsWith(`-${verb}.bin`));
    return name === undefined ? undefined : join(cacheDir, name);
  };

  it('runs the bundle with import.meta.url, and writes the verb’s cache (0600 in a 0700 directory) on the first run', () => {
    expect(run('VERSION')).toBe(`42 w0,w1,w2 file://${app} VERSION`);
    const file = cacheFile('VERSION');
    expect(file).toMatch(new RegExp(`/app-[0-9a-f]{16}-${process.version}-${process.arch}-VERSION\\.bin$`));
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    expect(statSync(file!).mode & 0o777).toBe(0o600);
  });

  it('is the same program as CommonJS: installed without an extension it runs with no ESM detection, by its real path', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const installed = join(bin, 'app');
    writeFileSync(installed, readFileSync(app), { mode: 0o755 });
    symlinkSync(installed, join(bin, 'link'));
    const env = { PATH: process.env.PATH ?? '', CNI_COMMAND: 'VERSION' };
    // Without detection an ES module here would be a CommonJS syntax error.
    const strict = spawnSync(process.execPath, ['--no-experimental-detect-module', installed], {
      env,
      encoding: 'utf8',
    });
    expect(strict.stderr).toBe('');
    expect(strict.stdout).toBe(`42 w0,w1,w2 file://${installed} VERSION`);
    const viaLink = spawnSync(join(bin, 'link'), [], { env, encoding: 'utf8' }); // the shebang, through a symlink
    expect(viaLink.stdout).toBe(`42 w0,w1,w2 file://${installed} VERSION`);
  });

  it('its URL is the one pathToFileURL gives, also for a path that needs percent-encoding', () => {
    const odd = join(dir, 'odd dir#1', 'plug%in');
    mkdirSync(join(dir, 'odd dir#1'));
    copyFileSync(app, odd);
    const r = spawnSync(process.execPath, [odd], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`42 w0,w1,w2 ${pathToFileURL(odd).href} -`);
    expect(r.stdout).toContain('/odd%20dir%231/plug%25in ');
  });

  it('reuses an accepted cache without rewriting it', () => {
    const file = cacheFile('VERSION')!;
    const before = statSync(file);
    expect(run('VERSION')).toBe(`42 w0,w1,w2 file://${app} VERSION`);
    const after = statSync(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('keeps one cache per verb; a verb that is not a plain upper-case word counts as NONE', () => {
    run('ADD');
    run('../../etc/x');
    expect(cacheFile('ADD')).toBeDefined();
    expect(cacheFile('NONE')).toBeDefined();
    expect(readdirSync(cacheDir).some((f) => f.includes('etc'))).toBe(false);
  });

  it('a corrupt cache is rejected by V8, the run is unaffected and the file is written anew', () => {
    const file = cacheFile('VERSION')!;
    writeFileSync(file, Buffer.alloc(4096, 7), { mode: 0o600 });
    expect(run('VERSION')).toBe(`42 w0,w1,w2 file://${app} VERSION`);
    expect(readFileSync(file).equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  it('a cache file others may write is never read, and is replaced by a private one', () => {
    const file = cacheFile('VERSION')!;
    writeFileSync(file, Buffer.alloc(64, 1));
    chmodSync(file, 0o666);
    expect(run('VERSION')).toBe(`42 w0,w1,w2 file://${app} VERSION`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('a cache directory others may write is neither read nor written', () => {
    chmodSync(cacheDir, 0o777);
    try {
      expect(run('CHECK')).toBe(`42 w0,w1,w2 file://${app} CHECK`);
      expect(cacheFile('CHECK')).toBeUndefined();
    } finally {
      chmodSync(cacheDir, 0o700);
    }
  });

  it('a failed run writes no cache (it would lack the success path), the next successful one does', () => {
    const failing = join(dir, 'failing.mjs');
    writeFileSync(failing, withCodeCache('failing', 'process.exitCode = process.env.FAIL ? 2 : 0;', { cacheDir }));
    expect(spawnSync(process.execPath, [failing], { env: { CNI_COMMAND: 'GC', FAIL: '1' } }).status).toBe(2);
    expect(readdirSync(cacheDir).some((f) => f.startsWith('failing-'))).toBe(false);
    expect(spawnSync(process.execPath, [failing], { env: { CNI_COMMAND: 'GC' } }).status).toBe(0);
    expect(readdirSync(cacheDir).filter((f) => f.startsWith('failing-'))).toHaveLength(1);
  });

  it('a run the plugin marks as a shortcut writes no cache, the next complete one does', () => {
    const shortcut = join(dir, 'shortcut.mjs');
    const body = "if (process.env.SHORTCUT) globalThis[Symbol.for('sriov-ts.code-cache.skip')] = true;";
    writeFileSync(shortcut, withCodeCache('shortcut', body, { cacheDir }));
    expect(spawnSync(process.execPath, [shortcut], { env: { CNI_COMMAND: 'DEL', SHORTCUT: '1' } }).status).toBe(0);
    expect(readdirSync(cacheDir).some((f) => f.startsWith('shortcut-'))).toBe(false);
    expect(spawnSync(process.execPath, [shortcut], { env: { CNI_COMMAND: 'DEL' } }).status).toBe(0);
    expect(readdirSync(cacheDir).filter((f) => f.startsWith('shortcut-'))).toHaveLength(1);
  });

  it('keeps the code in a block comment at the end, read back as CommonJS and as an ES module', () => {
    const text = readFileSync(app, 'utf8');
    expect(text).not.toContain('const source = "'); // no string literal of the code
    expect(text.endsWith('*/\n')).toBe(true);
    expect(text).toContain('const twice = (x) => x * 2;');
    // the CommonJS form (extensionless) and the ES module (.mjs) give the same output, the bundle's code
    mkdirSync(join(dir, 'cjs'));
    const cjs = join(dir, 'cjs', 'app');
    copyFileSync(app, cjs);
    const viaCjs = spawnSync(process.execPath, [cjs], { env: { CNI_COMMAND: 'VERSION' }, encoding: 'utf8' });
    expect([viaCjs.stderr, viaCjs.stdout]).toEqual(['', `42 w0,w1,w2 file://${cjs} VERSION`]);
    expect(run('VERSION')).toBe(`42 w0,w1,w2 file://${app} VERSION`);
  });

  it('a bundle whose code holds "*/" keeps it as a string literal', () => {
    const star = join(dir, 'star.mjs');
    writeFileSync(star, withCodeCache('star', 'process.stdout.write(String("a */ b".length));', { cacheDir }));
    expect(readFileSync(star, 'utf8')).toContain('const source = "');
    const r = spawnSync(process.execPath, [star], { encoding: 'utf8' });
    expect([r.stderr, r.stdout]).toEqual(['', '6']);
  });

  it('a file whose code comment was cut or changed fails with a clear message, never runs other code', () => {
    const text = readFileSync(app, 'utf8');
    for (const [name, damaged] of [
      ['cut.mjs', `${text.slice(0, -40)}*/\n`], // shorter than the length the launcher expects
      ['grown.mjs', text.replace('const twice', 'const twice2')],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, damaged);
      const r = spawnSync(process.execPath, [path], { encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${path}: damaged (the code comment at its end is not where it should be)`);
    }
  });

  it('refuses at build time a bundle that cannot run as a script body', () => {
    expect(() => withCodeCache('x', 'import { a } from "b";\nconsole.log(a);')).toThrow(/import or export/);
    expect(() => withCodeCache('x', 'export const a = 1;')).toThrow(/import or export/);
    expect(() => withCodeCache('x', 'await Promise.resolve(1);')).toThrow(SyntaxError);
  });
});

describe("withCodeCache format 'cjs' (a single executable's main)", () => {
  it('runs a CommonJS bundle with require/module/__filename and caches it the same way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-cc-cjs-'));
    try {
      const cacheDir = join(dir, 'cache');
      const main = join(dir, 'main.cjs');
      const cjs =
        '"use strict";\nconst { sep } = require("node:path");\nprocess.stdout.write(sep + " " + __filename + " " + typeof module.exports);\n';
      writeFileSync(main, withCodeCache('main', cjs, { cacheDir, format: 'cjs' }));
      for (let i = 0; i < 2; i++) {
        const r = spawnSync(process.execPath, [main], { env: { CNI_COMMAND: 'DEL' }, encoding: 'utf8' });
        expect(r.stderr).toBe('');
        expect(r.stdout).toBe(`/ ${main} object`);
      }
      expect(readdirSync(cacheDir).filter((f) => f.endsWith('-DEL.bin'))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('withCodeCache: caches of other builds', () => {
  it('writing a cache deletes the same program’s caches of other builds, and nobody else’s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-cc-old-'));
    try {
      const cacheDir = join(dir, 'cache');
      const main = join(dir, 'app.mjs');
      writeFileSync(main, withCodeCache('app', BUNDLE, { cacheDir }));
      spawnSync(process.execPath, [main], { env: { CNI_COMMAND: 'ADD' } });
      const stale = ['app-0000000000000000-v1.0.0-x64-ADD.bin', `app-1111111111111111-${process.version}-x64-DEL.bin`];
      const others = ['app.sea-0000000000000000-v1.0.0-x64-ADD.bin', 'other-0000000000000000-v1.0.0-x64-ADD.bin'];
      for (const name of [...stale, ...others]) writeFileSync(join(cacheDir, name), 'x', { mode: 0o600 });
      spawnSync(process.execPath, [main], { env: { CNI_COMMAND: 'DEL' } }); // first DEL: writes, then cleans
      const left = readdirSync(cacheDir).sort();
      expect(left.filter((f) => stale.includes(f))).toEqual([]);
      expect(left.filter((f) => others.includes(f)).sort()).toEqual([...others].sort());
      expect(left.filter((f) => /^app-[0-9a-f]{16}-/.test(f) && !stale.includes(f))).toHaveLength(2); // ADD, DEL
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
