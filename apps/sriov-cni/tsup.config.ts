// One minified, tree-shaken ESM file `dist/sriov.mjs` that runs with only node on the host. Workspace packages
// are bundled from their TypeScript sources (`source` condition); netlink-ops' native addon is copied beside the
// bundle and the bundle loads it from there.
import { copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'tsup';

const require = createRequire(import.meta.url);
const netlinkOpsRoot = dirname(require.resolve('@sriov-ts/netlink-ops/package.json'));
const ADDON = 'netlink_ops.node';
// netlink-ops resolves its addon relative to its own module (`../build/Release/netlink_ops.node`); inside the
// bundle that module is dist/sriov.mjs, so the path is rewritten to a sibling file. The build fails if the
// package changes the path, rather than shipping a bundle that cannot find its addon.
const PACKAGE_ADDON_PATH = `'../build/Release/${ADDON}'`;

export default defineConfig({
  entry: { sriov: 'src/main.ts' },
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
  // env -S -u: a runtime may pass NODE_EXTRA_CA_CERTS through (podman does); parsing a CA bundle costs ~100 ms
  // per start (lab-notes §3) and a CNI plugin makes no TLS connection.
  banner: { js: '#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node' },
  esbuildOptions(options) {
    options.conditions = ['source'];
  },
  esbuildPlugins: [
    {
      name: 'netlink-ops-addon-beside-bundle',
      setup(build) {
        build.onLoad({ filter: /netlink-ops[\\/]src[\\/]syscalls\.ts$/ }, (args) => {
          const text = readFileSync(args.path, 'utf8');
          if (!text.includes(PACKAGE_ADDON_PATH)) {
            throw new Error(`netlink-ops no longer loads ${PACKAGE_ADDON_PATH}; update apps/sriov-cni/tsup.config.ts`);
          }
          return { contents: text.replace(PACKAGE_ADDON_PATH, `'./${ADDON}'`), loader: 'ts' };
        });
      },
    },
  ],
  onSuccess: async () => {
    copyFileSync(join(netlinkOpsRoot, 'build', 'Release', ADDON), join('dist', ADDON));
  },
});
