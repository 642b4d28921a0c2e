// tsup options shared by the CNI plugin apps (sriov, ib-sriov): one minified, tree-shaken ESM file
// `dist/<exe>.mjs` that runs with only node on the host. Workspace packages are bundled from their TypeScript
// sources (`source` condition); netlink-ops' native addon is copied beside the bundle, where netlink-ops looks for
// it first. Plain JavaScript so that tsup can load it from a config file without compiling it.
import { copyFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ADDON = 'netlink_ops.node';
const require = createRequire(import.meta.url);

/**
 * esbuild plugin: every `import … from 'node:fs'` (or 'fs') of the bundle becomes `process.getBuiltinModule(…)`.
 * A static import of a builtin makes Node's ESM loader build a facade module that reads every export of it, and
 * `fs`'s lazy getters then load the whole streams stack: ≈3 ms of each start-up, for nothing. Each export is a
 * pure call, so esbuild drops the ones the bundle never uses (no getter is touched).
 */
export const builtinsAtRuntime = {
  name: 'builtins-via-getBuiltinModule',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      return builtinModules.includes(name) ? { path: name, namespace: 'builtin-at-runtime' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin-at-runtime' }, (args) => {
      const names = Object.keys(require(args.path)).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
      const lines = [
        `const m = process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)});`,
        'const get = (k) => m[k];',
        'export default m;',
        ...names.map((k) => `export const ${k} = /* @__PURE__ */ get(${JSON.stringify(k)});`),
      ];
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

/** @param {{ exe: string; entry?: string }} options */
export function cniPluginBundle({ exe, entry = 'src/main.ts' }) {
  const netlinkOpsRoot = dirname(require.resolve('@sriov-ts/netlink-ops/package.json'));
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
    removeNodeProtocol: false, // tsup's own plugin would mark `node:` imports external before builtinsAtRuntime
    esbuildPlugins: [builtinsAtRuntime],
    esbuildOptions(options) {
      options.conditions = ['source'];
    },
    onSuccess: async () => {
      copyFileSync(join(netlinkOpsRoot, 'build', 'Release', ADDON), join('dist', ADDON));
    },
  };
}
