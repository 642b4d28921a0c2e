// Bundles bench/run.ts (sources of this app and its workspace deps) and runs it with a clean environment.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  config: false,
  entry: { run: join(app, 'bench/run.ts') },
  outDir: join(app, 'bench/dist'),
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  noExternal: [/.*/],
  silent: true,
  esbuildOptions(o) {
    o.conditions = ['source'];
  },
  banner: { js: "import { createRequire as __cr } from 'node:module';\nconst require = __cr(import.meta.url);" },
});
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const r = spawnSync(process.execPath, ['--expose-gc', join(app, 'bench/dist/run.js')], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
