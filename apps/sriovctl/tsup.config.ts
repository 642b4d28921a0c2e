// One ESM file `dist/sriovctl.mjs` with the workspace packages bundled from source; netlink-ops' native addon is
// copied beside it, where netlink-ops looks for it first.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'tsup';

const ADDON = 'netlink_ops.node';
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig({
  entry: { sriovctl: 'src/bin.ts' },
  format: ['esm'],
  outExtension: () => ({ js: '.mjs' }),
  target: 'node20',
  platform: 'node',
  bundle: true,
  splitting: false,
  treeshake: true,
  sourcemap: false,
  dts: false,
  clean: true,
  define: { __SRIOVCTL_VERSION__: JSON.stringify(pkg.version) },
  noExternal: [/^@sriov-ts\//, 'zod'],
  banner: { js: '#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node' },
  esbuildOptions(options) {
    options.conditions = ['source'];
  },
  onSuccess: async () => {
    const require = createRequire(import.meta.url);
    const addon = join(dirname(require.resolve('@sriov-ts/netlink-ops/package.json')), 'build', 'Release', ADDON);
    if (existsSync(addon)) copyFileSync(addon, join('dist', ADDON));
    else console.warn(`sriovctl: ${addon} missing (netlink-ops not built); link state and VF knobs will be unknown`);
  },
});
