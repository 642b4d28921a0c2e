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

  it('schemas are built once, on first use', () => {
    expect(sriovInputSchema()).toBe(sriovInputSchema());
  });
});
