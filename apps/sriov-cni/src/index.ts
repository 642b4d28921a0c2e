// In-repo entry (tests): the flow and its parts. The executable's entry is main.ts.
// The plugin-independent pieces (undo stack, VF netdev release, state-file primitives, netns check) live in
// @sriov-ts/cni, shared with the ib-sriov app.
export { type AttachmentCache, fromGoJson, toGoJson } from './cache.js';
export { type SriovConf, toSriovConf } from './conf.js';
export { type HandlerOptions, sriovHandlers } from './handlers.js';
export * from './knobs.js';
export type { Ops } from './ops.js';
export { cmdAdd, cmdCheck, cmdDel, cmdGc } from './plugin.js';
