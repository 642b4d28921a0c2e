#!/usr/bin/env node
// Writes schemas/*.json from the zod schemas (src/json-schema.ts), then formats them with biome so the
// checked-in files pass `biome check`. test/json-schema.test.ts fails when the files are stale.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = await build({
  entryPoints: [join(pkg, 'src/json-schema.ts')],
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
});
const mod = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
const dir = join(pkg, 'schemas');
mkdirSync(dir, { recursive: true });
const written = [];
for (const [file, schema] of Object.entries(mod.generateJsonSchemas())) {
  const path = join(dir, file);
  writeFileSync(path, `${JSON.stringify(schema, null, 2)}\n`);
  written.push(path);
}
const biome = spawnSync('pnpm', ['exec', 'biome', 'format', '--write', ...written], { cwd: pkg, stdio: 'inherit' });
if (biome.status !== 0) process.exit(biome.status ?? 1);
console.log(`wrote ${written.length} schemas to ${dir}`);
