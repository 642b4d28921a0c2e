// @sriov-ts/cni: CNI plugin plumbing shared by the sriov and ib-sriov plugins and the ipam-client.
// Every module is side-effect free; nothing runs at import time.
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
export { cidrFamily, ipFamily } from './ip.js';
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
