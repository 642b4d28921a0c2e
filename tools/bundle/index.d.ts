import type { Options } from 'tsup';

/** The tsup options of a CNI plugin app: `dist/<exe>.mjs` from `entry` (default src/main.ts) + the netlink addon. */
export declare function cniPluginBundle(options: { exe: string; entry?: string }): Options;

/** esbuild plugin: builtin imports become `process.getBuiltinModule(…)` (no ESM facade; unused exports dropped). */
export declare const builtinsAtRuntime: NonNullable<Options['esbuildPlugins']>[number];
