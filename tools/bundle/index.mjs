// tsup options shared by the CNI plugin apps (sriov, ib-sriov): one minified, tree-shaken ESM file
// `dist/<exe>.mjs` that runs with only node on the host. Workspace packages are bundled from their TypeScript
// sources (`source` condition); netlink-ops' native addon is copied beside the bundle, where netlink-ops looks for
// it first. Plain JavaScript so that tsup can load it from a config file without compiling it.
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ADDON = 'netlink_ops.node';

/** @param {{ exe: string; entry?: string }} options */
export function cniPluginBundle({ exe, entry = 'src/main.ts' }) {
  const netlinkOpsRoot = dirname(createRequire(import.meta.url).resolve('@sriov-ts/netlink-ops/package.json'));
  return {
    entry: { [exe]: entry },
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
    onSuccess: async () => {
      copyFileSync(join(netlinkOpsRoot, 'build', 'Release', ADDON), join('dist', ADDON));
    },
  };
}
