import type { Options } from 'tsup';

/** The tsup options of a CNI plugin app: `dist/<exe>.mjs` from `entry` (default src/main.ts) + the netlink addon. */
export declare function cniPluginBundle(options: { exe: string; entry?: string }): Options;

/** esbuild plugin: builtin imports become `process.getBuiltinModule(…)` (no ESM facade; unused exports dropped). */
export declare const builtinsAtRuntime: NonNullable<Options['esbuildPlugins']>[number];

/** Where the CNI plugin bundles keep V8's code cache between runs (root-owned, 0700). */
export declare const CODE_CACHE_DIR: string;

/**
 * An ES module that runs `esmBundle` (one file, no import/export left) as a V8 script with a per-verb code cache kept
 * in `cacheDir` (default CODE_CACHE_DIR). Throws when the bundle cannot run as a script body.
 */
export declare function withCodeCache(
  exe: string,
  bundle: string,
  options?: { cacheDir?: string; format?: 'esm' | 'cjs' },
): string;
