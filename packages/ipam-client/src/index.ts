// @sriov-ts/ipam-client: IPAM delegation exactly as libcni does it, and applying IPAM results inside a pod netns.
// Nothing runs at import time; node:child_process is loaded on the first delegation only.

export { type AnnounceOptions, type AnnounceReport, announce, CARRIER_WAIT_MS } from './announce.js';
export { bindIpamResult } from './bind.js';
export {
  ConfigureInterfaceError,
  type ConfigureInterfaceOptions,
  configureInterface,
  DAD_SETTLE_INTERVAL_MS,
  DAD_SETTLE_TIMEOUT_MS,
} from './configure.js';
export {
  DEFAULT_IPAM_TIMEOUT_MS,
  decodeIpamResult,
  delegateEnv,
  type IpamCommand,
  type IpamDelegation,
  type IpamExecOptions,
  ipamAdd,
  ipamCheck,
  ipamDel,
  ipamDelegationFromStdin,
  ipamGc,
  ipamRunsOutsidePod,
  ipamStatus,
} from './delegate.js';
export { checkPluginType, findPluginInPath, PluginNotFoundError, splitCniPath } from './find-plugin.js';
export { delegatedIpamType, type ForwardArgs, forwardStatus, gcThenForward } from './forward.js';
export {
  buildGratuitousArp,
  buildUnsolicitedNeighborAdvert,
  isAnnounceableMac,
  type NeighborAdvertOptions,
} from './frames.js';
export type { LogSink } from './log.js';
export type { PodAddress, PodLink, PodNet, PodRoute } from './pod-net.js';
export { assertIpamTypeSupported, DHCP_IPAM_TYPE } from './unsupported.js';
