// One minified ESM file `dist/ib-sriov.mjs` that runs with only node on the host. Workspace packages are bundled
// from their TypeScript sources (`source` condition); netlink-ops' native addon is copied beside the bundle, where
// netlink-ops looks for it first. (Single executables are built by tools/ship from the same src/main.ts.)
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'tsup';

const ADDON = 'netlink_ops.node';
const netlinkOpsRoot = dirname(createRequire(import.meta.url).resolve('@sriov-ts/netlink-ops/package.json'));

export default defineConfig({
  entry: { 'ib-sriov': 'src/main.ts' },
  format: ['esm'],
  outExtension: () => ({ js: '.mjs' }),
  target: 'node20',
  platform: 'node',
  bundle: true,
  splitting: false,
  minify: true,
  treeshake: true,
  sourcemap: false,
  dts: false,
  clean: true,
  noExternal: [/^@sriov-ts\//, 'zod'],
  // A runtime may pass NODE_EXTRA_CA_CERTS through; parsing a CA bundle costs ~100 ms per start and a CNI plugin
  // makes no TLS connection.
  banner: { js: '#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node' },
  esbuildOptions(options) {
    options.conditions = ['source'];
  },
  onSuccess: async () => {
    copyFileSync(join(netlinkOpsRoot, 'build', 'Release', ADDON), join('dist', ADDON));
  },
});
