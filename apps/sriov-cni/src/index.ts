// In-repo entry (tests): the flow and its parts. The executable's entry is main.ts.
// src/vf/ holds the plugin-independent pieces (undo stack, VF netdev moves, state-file primitives) that the
// ib-sriov app needs too; they are meant to move into a package rather than be copied.
export { type AttachmentCache, fromGoJson, toGoJson } from './cache.js';
export { type SriovConf, toSriovConf } from './conf.js';
export { type HandlerOptions, sriovHandlers } from './handlers.js';
export * from './knobs.js';
export type { Ops } from './ops.js';
export { cmdAdd, cmdCheck, cmdDel, cmdGc, PluginError } from './plugin.js';
export * from './vf/files.js';
export * from './vf/netdev.js';
export { UndoStack } from './vf/undo.js';
