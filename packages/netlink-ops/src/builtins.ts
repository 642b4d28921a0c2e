// Node built-ins, fetched when first needed. A static `import ... from 'node:fs'` (or node:util) builds the
// module's ESM namespace, which runs every lazy getter (fs streams, util's MIME and parseArgs...) and compiles a
// dozen internal modules: ~5 ms of CPU on a CNI plugin's start-up path for nothing. process.getBuiltinModule
// (Node >= 20.16) returns the plain CommonJS object instead.
export const nodeFs = () => process.getBuiltinModule('node:fs');
export const nodePath = () => process.getBuiltinModule('node:path');
export const nodeUtil = () => process.getBuiltinModule('node:util');
