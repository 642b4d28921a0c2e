/**
 * @sriov-ts/netconf-schema: typed, normalised parsing of the `sriov` and `ib-sriov` CNI netconfs and the SR-IOV
 * network device plugin config, with the Go plugins' decoding rules and error messages. Built on `zod/mini`;
 * every schema is built on first use, nothing runs at import time. Each parse function is a plain function so a
 * bundle only pulls in what it calls.
 */

export {
  type DevicePluginConfig,
  type DevicePluginParseOptions,
  type DeviceSelector,
  parseDevicePluginConfig,
  type ResourcePool,
} from './device-plugin/parse.js';
export { type IndexedNameSelector, type IndexRange, parseIndexedName, selectsIndex } from './device-plugin/range.js';
export {
  DEFAULT_RESOURCE_PREFIX,
  DEVICE_TYPES,
  type DeviceType,
  devicePluginInputSchema,
  RESOURCE_NAME_PATTERN,
} from './device-plugin/schema.js';

export {
  checkIbKubernetesGuid,
  type IbGuid,
  type IbSriovNetConf,
  isValidGuid,
  parseIbSriovNetConf,
} from './ib-sriov/parse.js';
export { IB_KUBERNETES_APP_KEY, IB_KUBERNETES_CONFIGURED, ibSriovInputSchema } from './ib-sriov/schema.js';
export { generateJsonSchemas, JSON_SCHEMA_FILES } from './json-schema.js';
export type { NetConfError, NetConfErrorCode, ParseResult } from './result.js';
export {
  type LinkState,
  type LogLevel,
  parseSriovNetConf,
  type SriovDevice,
  type SriovMac,
  type SriovNetConf,
  type SriovParseOptions,
  type SriovVlan,
  type VlanProto,
} from './sriov/parse.js';
export { LINK_STATES, LOG_LEVELS, sriovInputSchema, VLAN_ID_MAX, VLAN_PROTOS, VLAN_QOS_MAX } from './sriov/schema.js';
