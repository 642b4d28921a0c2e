// In-repo entry (tests): the flow and its parts. The executable's entry is main.ts.
// The plugin-independent pieces (undo stack, VF netdev release, state files and the Go cache format, PF-side VF
// knobs, netns check) live in @sriov-ts/cni, shared with the ib-sriov app.
export { type SriovConf, toSriovConf } from './conf.js';
export { type HandlerOptions, sriovHandlers } from './handlers.js';
export { type Node, type NodeOptions, nodeOf } from './node.js';
export { CHECK_CODES, cmdAdd, cmdCheck, cmdDel, cmdGc, type Invocation } from './plugin.js';
