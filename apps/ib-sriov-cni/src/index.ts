// In-repo entry (tests): the flow, the seam and the cache format. The executable's entry is main.ts.
export { fromGoJson, type IbCache, toGoJson } from './cache.js';
export { type HandlerOptions, ibSriovHandlers } from './handlers.js';
export { type NodeOpsOptions, nodeOps } from './node-ops.js';
export type { IbOps, LinkStateName, VfPlace } from './ops.js';
export { CHECK_CODES, checkRdmaMode, cmdAdd, cmdCheck, cmdDel, cmdGc, DEFAULT_GUID } from './plugin.js';
