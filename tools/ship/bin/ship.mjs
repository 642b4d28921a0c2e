#!/usr/bin/env node
// Runs the TypeScript CLI without a build step: esbuild bundles src/cli.ts into a temp file (~50 ms) and runs it.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

// Inside the package's node_modules so that its dependencies (esbuild, postject) resolve from the bundle.
const dir = fileURLToPath(new URL('../node_modules/.cache/', import.meta.url));
mkdirSync(dir, { recursive: true });
const outfile = join(dir, `ship-cli-${process.pid}.mjs`);
try {
  await build({
    entryPoints: [fileURLToPath(new URL('../src/cli.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    conditions: ['source'],
    // Keeps import.meta.url meaning the source location (REPO_ROOT and the bootstrap path derive from it).
    define: {
      'import.meta.url': JSON.stringify(pathToFileURL(fileURLToPath(new URL('../src/cli.ts', import.meta.url))).href),
    },
    logLevel: 'warning',
  });
  const { cli } = await import(pathToFileURL(outfile).href);
  process.exitCode = await cli(process.argv.slice(2));
} catch (e) {
  // esbuild has already printed its diagnostics; the stack of a build or buildah failure adds nothing.
  process.stderr.write(`ship: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
} finally {
  rmSync(outfile, { force: true });
}
