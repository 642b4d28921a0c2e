// @sriov-ts/cni: CNI plugin plumbing shared by the sriov and ib-sriov plugins and the ipam-client.
// Every module is side-effect free; nothing runs at import time.

export { attachmentResult } from './attachment-result.js';
export { missingAddresses, missingRoutes, type PodAddressing, type PrevResultView, podAddressing } from './check.js';
export { type LoadedArgs, loadArgs, parseCniArgsLenient } from './cni-args.js';
export { SKIP_CODE_CACHE, skipCodeCacheForThisRun } from './code-cache.js';
export {
  CniError,
  type CniErrorJson,
  ErrDecodingFailure,
  ErrIncompatibleCNIVersion,
  ErrInternal,
  ErrInvalidEnvironmentVariables,
  ErrInvalidNetNS,
  ErrInvalidNetworkConfig,
  ErrIOFailure,
  ErrLimitedConnectivity,
  ErrPluginNotAvailable,
  ErrTryAgainLater,
  ErrUnknown,
  ErrUnknownContainer,
  ErrUnsupportedField,
  isCniError,
  parseCniErrorJson,
  toCniError,
} from './errors.js';
export { goQuote, goQuoteList } from './go-format.js';
export {
  fromGoFields,
  type GoFieldTable,
  GoJsonError,
  type GoKind,
  goField,
  goObject,
  goSubObject,
  toGoFields,
} from './go-json.js';
export { cidrFamily, ipFamily } from './ip.js';
export {
  acquireExclusiveLock,
  DEFAULT_LOCK_TIMEOUT_MS,
  type FileLock,
  IB_SRIOV_LOCK_PATH,
  type LockOptions,
  sriovVfLockPath,
} from './lock.js';
export {
  createLogger,
  DEFAULT_LOG_LEVEL,
  type LogFields,
  Logger,
  type LoggerOptions,
  type LogLevel,
  parseLogLevel,
} from './logger.js';
export { pluginMain } from './main.js';
export {
  ATTACHMENTS_KEY,
  cniArgsIps,
  cniArgsOf,
  deviceIdOf,
  effectiveMac,
  type GcAttachment,
  gcAttachmentsOf,
  type NetConf,
  runtimeConfigDeviceId,
  runtimeConfigInfinibandGuid,
  runtimeConfigIps,
  runtimeConfigMac,
  runtimeConfigOf,
  VALID_ATTACHMENTS_KEY,
} from './netconf.js';
export {
  assertForeignNetns,
  isOwnNetns,
  type NetnsState,
  netnsOverride,
  netnsState,
  sameFile,
} from './netns-check.js';
export {
  type CniInterface,
  type DNS,
  emptyResult,
  formatResult,
  type IPConfig,
  type IPConfig020Json,
  parsePrevResult,
  parseResult,
  parseResultText,
  type Result,
  type Result020Json,
  type Result040Json,
  type Result100Json,
  type ResultJson,
  type Route,
  resultText,
} from './result.js';
export {
  type CmdArgs,
  type CniCommand,
  dispatch,
  type GcArgs,
  type PluginHandlers,
  type PluginInfo,
  type PluginIO,
} from './skel.js';
export {
  type OrigVfState,
  readSriovCache,
  type SriovCache,
  type SriovKnobConf,
  sriovCacheFromGoJson,
  sriovCacheToGoJson,
  writeSriovCache,
  zeroOrigVfState,
} from './sriov-cache.js';
export {
  describeVfKnob,
  ETH_P_8021AD,
  ETH_P_8021Q,
  netlinkVfKnobs,
  planVfKnobRestore,
  planVfKnobs,
  restoreVfKnob,
  type VfKnobChange,
  type VfKnobOps,
  type VfKnobState,
} from './sriov-vf-knobs.js';
export {
  AttachmentStateStore,
  attachmentFileName,
  IB_SRIOV_STATE_DIR,
  isStateEntryName,
  readFileIfExists,
  SRIOV_STATE_DIR,
  staleEntries,
  writeFileAtomic,
} from './state-store.js';
export { messageOf, releaseEach, type UndoFailure, UndoStack } from './undo.js';
export {
  isValidContainerId,
  isValidInterfaceName,
  MAX_INTERFACE_NAME_LENGTH,
  validateContainerId,
  validateInterfaceName,
  validateNetworkName,
} from './validate.js';
export {
  ALL_VERSIONS,
  CURRENT_VERSION,
  configVersionOf,
  incompatibleVersionDetails,
  parseVersion,
  type ResultFormat,
  resultFormatOf,
  type VersionInfo,
  versionAtLeast,
} from './version.js';
export {
  enablePodNotify,
  findInPod,
  type NetdevLink,
  type NetdevOps,
  type NetlinkNetdevOps,
  netlinkNetdevOps,
  type PodSide,
  releaseToHost,
  sameMac,
  setMacVerified,
} from './vf-netdev.js';
export { VfStateDir, type VfStateKind } from './vf-state-dir.js';
