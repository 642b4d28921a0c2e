import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('refuses at build time a bundle that cannot run as a script body', () => {
    expect(() => withCodeCache('x', 'import { a } from "b";\nconsole.log(a);')).toThrow(/import or export/);
    expect(() => withCodeCache('x', 'export const a = 1;')).toThrow(/import or export/);
    expect(() => withCodeCache('x', 'await Promise.resolve(1);')).toThrow(SyntaxError);
  });
});
