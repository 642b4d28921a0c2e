import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { sriovInputSchema } from '../src/index.js';

const index = new URL('../src/index.ts', import.meta.url).pathname;

async function bundle(entry: string): Promise<string> {
  const out = await build({
    stdin: { contents: entry, resolveDir: new URL('.', import.meta.url).pathname, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    write: false,
  });
  return out.outputFiles[0]!.text;
}

describe('start-up cost hygiene', () => {
  it('a plugin bundle that only parses sriov netconfs leaves ib-sriov, the device plugin and JSON Schema out', async () => {
    const code = await bundle(
      `import { parseSriovNetConf } from ${JSON.stringify(index)}; console.log(parseSriovNetConf('{}'));`,
    );
    expect(code).toContain('VF pci addr is required');
    for (const absent of [
      'resourceList',
      'infinibandGUID',
      'draft/2020-12',
      'mutually exclusive',
      'legacy: PF netdev name',
    ]) {
      expect(code, absent).not.toContain(absent);
    }
  });

  it('an ib-sriov bundle leaves the sriov LoadConf, the device plugin and JSON Schema out', async () => {
    const code = await bundle(
      `import { parseIbSriovNetConf } from ${JSON.stringify(index)}; console.log(parseIbSriovNetConf('{}'));`,
    );
    expect(code).toContain('deviceID is required');
    for (const absent of ['VF pci addr is required', 'resourceList', 'draft/2020-12', 'strconv.Atoi']) {
      expect(code, absent).not.toContain(absent);
    }
  });

  it('no zod schema is constructed at import time; a parse builds the schemas of its keys only, then reuses them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netconf-lazy-'));
    try {
      const lib = join(dir, 'lib.mjs');
      writeFileSync(lib, await bundle(`export { parseSriovNetConf, sriovInputSchema } from ${JSON.stringify(index)};`));
      const driver = join(dir, 'driver.mjs');
      // zod calls globalThis.__zod_globalConfig.postProcessor for every schema (and error) it constructs.
      writeFileSync(
        driver,
        `let n = 0;
         globalThis.__zod_globalConfig = { postProcessor: () => { n++; } };
         const m = await import(${JSON.stringify(lib)});
         const afterImport = n;
         const first = m.parseSriovNetConf('{"cniVersion":"1.0.0","name":"n","type":"sriov","deviceID":"0000:00:01.0","ipam":{"type":"host-local"}}');
         const afterFirst = n;
         m.parseSriovNetConf('{"cniVersion":"1.0.0","name":"m","type":"sriov","deviceID":"0000:00:01.1","ipam":{"type":"static"}}');
         const afterSecond = n;
         m.sriovInputSchema();
         console.log(JSON.stringify({ ok: first.ok, afterImport, afterFirst, afterSecond, whole: n - afterSecond }));`,
      );
      const out = JSON.parse(execFileSync(process.execPath, [driver], { encoding: 'utf8' }));
      expect(out.ok).toBe(true);
      expect(out.afterImport).toBe(0);
      expect(out.afterFirst).toBeGreaterThan(0);
      expect(out.afterSecond).toBe(out.afterFirst); // same keys: the same schema
      // a typical config's five keys cost well under half of the whole object's constructions
      expect(out.afterFirst * 2).toBeLessThan(out.whole);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('schemas are built once, on first use', () => {
    expect(sriovInputSchema()).toBe(sriovInputSchema());
  });
});
