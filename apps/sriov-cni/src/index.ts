// In-repo entry (tests, the ib-sriov app): the flow and its pure parts. The executable's entry is main.ts.
export { type AttachmentCache, fromGoJson, toGoJson } from './cache.js';
export { type SriovConf, toSriovConf } from './conf.js';
export * from './knobs.js';
export type { Ops } from './ops.js';
export { cmdAdd, cmdCheck, cmdDel, cmdGc, PluginError } from './plugin.js';
export { UndoStack } from './vf/undo.js';
