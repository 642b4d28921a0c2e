// @sriov-ts/netlink-ops: rtnetlink and RDMA netlink for Node over a small native syscall layer, across network
// namespaces. Importing this module does no work and loads no native code; the addon loads on the first call.
export type { AddAddressOptions, AddressInfo, ListAddressesOptions, Scope } from './addr.js';
export { bytesToIp, formatGuid, type IpFamily, ipToBytes, parseCidr, parseGuid, parseMac } from './addr-format.js';
export {
  type Attribute,
  AttrWriter,
  attributeMap,
  decodeAttributes,
  decodeMessages,
  encodeMessage,
  type NetlinkMessage,
} from './codec.js';
export * as constants from './constants.js';
export type { NetnsOption } from './context.js';
export { errnoDescription, errnoName, NetlinkError, SyscallError } from './errors.js';
export type { LinkEvent, LinkEventStream, LinkEventType, WatchLinksOptions } from './events.js';
export { tryFlock, unflock } from './flock.js';
export {
  type CreateLinkOptions,
  type CreateMacvlanOptions,
  type CreateVethOptions,
  encodeLinkPayload,
  type GetLinkOptions,
  type LinkChanges,
  type LinkFixture,
  type LinkInfo,
  type LinkRef,
  type MoveLinkOptions,
} from './link.js';
export { createNetns, DEFAULT_NETNS_DIR, deleteNetns, type NetnsDirOptions } from './netns.js';
export { createNetlinkOps, defaultOps, NetlinkOps, type NetlinkOpsOptions } from './ops.js';
export { type ProgramRun, type RunningProgram, type RunProgramOptions, runProgram, startProgram } from './program.js';
export { type MoveRdmaDeviceOptions, RDMA_NLDEV_TYPE, type RdmaDevice, type RdmaNetnsMode } from './rdma.js';
export type { AddRouteOptions, ListRoutesOptions, RouteInfo, RouteSpec, RouteType } from './route.js';
export { type SyscallLayer, setNativeAddonPath } from './syscalls.js';
export { readSysctl, writeSysctl } from './sysctl.js';
export {
  type ChannelWatch,
  createRecordingTransport,
  type NetlinkChannel,
  type NetlinkReply,
  type NetlinkTransport,
  nativeTransport,
  type OpenOptions,
  type RecordedRequest,
  type RecordingTransport,
  type RecordingTransportOptions,
} from './transport.js';
export { InvalidArgumentError } from './validate.js';
export type { VfChanges, VfInfo, VfLinkState, VfVlan, VlanProto } from './vf.js';

import { defaultOps, type NetlinkOps } from './ops.js';

// Module-level operations on the default (native) instance.
export const getLink: NetlinkOps['getLink'] = (...a) => defaultOps().getLink(...a);
export const findLink: NetlinkOps['findLink'] = (...a) => defaultOps().findLink(...a);
export const listLinks: NetlinkOps['listLinks'] = (...a) => defaultOps().listLinks(...a);
export const setLink: NetlinkOps['setLink'] = (...a) => defaultOps().setLink(...a);
export const setLinkUp: NetlinkOps['setLinkUp'] = (...a) => defaultOps().setLinkUp(...a);
export const setLinkDown: NetlinkOps['setLinkDown'] = (...a) => defaultOps().setLinkDown(...a);
export const setLinkMtu: NetlinkOps['setLinkMtu'] = (...a) => defaultOps().setLinkMtu(...a);
export const setLinkMac: NetlinkOps['setLinkMac'] = (...a) => defaultOps().setLinkMac(...a);
export const renameLink: NetlinkOps['renameLink'] = (...a) => defaultOps().renameLink(...a);
export const setLinkAlias: NetlinkOps['setLinkAlias'] = (...a) => defaultOps().setLinkAlias(...a);
export const setLinkMaster: NetlinkOps['setLinkMaster'] = (...a) => defaultOps().setLinkMaster(...a);
export const addAltName: NetlinkOps['addAltName'] = (...a) => defaultOps().addAltName(...a);
export const deleteAltName: NetlinkOps['deleteAltName'] = (...a) => defaultOps().deleteAltName(...a);
export const deleteLink: NetlinkOps['deleteLink'] = (...a) => defaultOps().deleteLink(...a);
export const createVeth: NetlinkOps['createVeth'] = (...a) => defaultOps().createVeth(...a);
export const createMacvlan: NetlinkOps['createMacvlan'] = (...a) => defaultOps().createMacvlan(...a);
export const createBridge: NetlinkOps['createBridge'] = (...a) => defaultOps().createBridge(...a);
export const moveLink: NetlinkOps['moveLink'] = (...a) => defaultOps().moveLink(...a);
export const setVfMac: NetlinkOps['setVfMac'] = (...a) => defaultOps().setVfMac(...a);
export const setVfVlan: NetlinkOps['setVfVlan'] = (...a) => defaultOps().setVfVlan(...a);
export const setVfVlanLegacy: NetlinkOps['setVfVlanLegacy'] = (...a) => defaultOps().setVfVlanLegacy(...a);
export const setVfSpoofchk: NetlinkOps['setVfSpoofchk'] = (...a) => defaultOps().setVfSpoofchk(...a);
export const setVfTrust: NetlinkOps['setVfTrust'] = (...a) => defaultOps().setVfTrust(...a);
export const setVfLinkState: NetlinkOps['setVfLinkState'] = (...a) => defaultOps().setVfLinkState(...a);
export const setVfRate: NetlinkOps['setVfRate'] = (...a) => defaultOps().setVfRate(...a);
export const setVfGuid: NetlinkOps['setVfGuid'] = (...a) => defaultOps().setVfGuid(...a);
export const addAddress: NetlinkOps['addAddress'] = (...a) => defaultOps().addAddress(...a);
export const deleteAddress: NetlinkOps['deleteAddress'] = (...a) => defaultOps().deleteAddress(...a);
export const listAddresses: NetlinkOps['listAddresses'] = (...a) => defaultOps().listAddresses(...a);
export const addRoute: NetlinkOps['addRoute'] = (...a) => defaultOps().addRoute(...a);
export const deleteRoute: NetlinkOps['deleteRoute'] = (...a) => defaultOps().deleteRoute(...a);
export const listRoutes: NetlinkOps['listRoutes'] = (...a) => defaultOps().listRoutes(...a);
export const watchLinks: NetlinkOps['watchLinks'] = (...a) => defaultOps().watchLinks(...a);
export const sendFrame: NetlinkOps['sendFrame'] = (...a) => defaultOps().sendFrame(...a);
export const getRdmaNetnsMode: NetlinkOps['getRdmaNetnsMode'] = (...a) => defaultOps().getRdmaNetnsMode(...a);
export const setRdmaNetnsMode: NetlinkOps['setRdmaNetnsMode'] = (...a) => defaultOps().setRdmaNetnsMode(...a);
export const listRdmaDevices: NetlinkOps['listRdmaDevices'] = (...a) => defaultOps().listRdmaDevices(...a);
export const moveRdmaDevice: NetlinkOps['moveRdmaDevice'] = (...a) => defaultOps().moveRdmaDevice(...a);
