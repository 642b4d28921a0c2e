import {
  canonicalize,
  decodeDocument,
  goQuote,
  goTopLevelError,
  goValueKind,
  isJsonObject,
  type JsonObject,
} from '../go-json.js';
import { firstIssueInDocumentOrder, issueToGoMessage, pluginNetConfGoNames } from '../issues.js';
import { failure, type ParseResult, success } from '../result.js';
import { isPciAddress } from '../shared.js';
import { LINK_STATES } from '../sriov/schema.js';
import {
  GUID_PATTERN,
  IB_ARGS_STRUCT,
  IB_KUBERNETES_APP_KEY,
  IB_KUBERNETES_CONFIGURED,
  IB_RUNTIME_STRUCT,
  IB_SRIOV_INTERNAL_STRUCT,
  IB_SRIOV_STRUCT,
  ibSriovInputSchema,
} from './schema.js';

export interface IbGuid {
  /** As given (the Go plugin programs exactly this string's octets). */
  readonly value: string;
  readonly source: 'runtimeConfig' | 'args';
}

/** The normalised `ib-sriov` netconf. */
export interface IbSriovNetConf {
  readonly cniVersion: string;
  readonly name: string;
  readonly type: string;
  readonly deviceID: string;
  /** runtimeConfig.infinibandGUID > args.cni.guid; absent = keep the VF's current GUID (must then be valid). */
  readonly guid?: IbGuid;
  /** Passed through for ib-kubernetes; the CNI never interprets it. */
  readonly pkey?: string;
  readonly linkState?: (typeof LINK_STATES)[number];
  readonly rdmaIsolation: boolean;
  /** The ib-kubernetes gate: `configured` = args.cni["mellanox.infiniband.app"] === "configured". */
  readonly ibKubernetes: {
    readonly enabled: boolean;
    readonly appStatus?: string;
    readonly configured: boolean;
  };
  /** Requested VFIO mode (the plugin forces it on when the device is bound to vfio-pci). */
  readonly vfioPciMode: boolean;
  /** Absent: no IPAM. `dhcp` is kept here (with a warning) because VFIO mode skips IPAM and never rejects it. */
  readonly ipam?: { readonly type: string; readonly config: Readonly<JsonObject> };
  /** args.cni as given (strings only, as Go's map[string]string). */
  readonly cniArgs: Readonly<Record<string, string>>;
  readonly capabilities: Readonly<Record<string, boolean>>;
  readonly dns?: Readonly<JsonObject>;
}

const LOAD = 'infiniBand SRI-OV CNI failed to load netconf: ';
const SKEL_DECODE = 'decoding version from network config: ';
const SKEL_VERSION_TYPE = 'struct { CNIVersion string "json:\\"cniVersion\\"" }';

// ib-sriov's NetConf adds `args` (`struct { CNI map[string]string }`, an anonymous struct: Go prints no name).
const GO_NAMES = pluginNetConfGoNames({
  structOf: (path) => (path.length > 1 && path[0] === 'args' ? '' : undefined),
  typeOf(path) {
    if (path[0] !== 'args') return undefined;
    if (path.length === 1) return 'struct { CNI map[string]string "json:\\"cni\\"" }';
    return path.length === 2 ? 'map[string]string' : 'string';
  },
});

/** The Go plugin's `IsValidGUID`: eight colon-separated hex octets, not all zero (all-ones is accepted). */
export function isValidGuid(guid: string): boolean {
  return new RegExp(GUID_PATTERN).test(guid) && guid !== '00:00:00:00:00:00:00:00';
}

/**
 * Parses an `ib-sriov` netconf in the Go plugin's order: decode (type errors), link_state, the ib-kubernetes
 * gate, deviceID, then the GUID format. The RDMA netns-mode check (runtime) sits between the gate and the
 * deviceID check in the Go plugin; the GUID-required-for-VFs check needs sysfs: see `checkIbKubernetesGuid`.
 * CNI_ARGS is not read by this plugin (GUIDs come from the netconf only). Never throws.
 */
export function parseIbSriovNetConf(input: unknown): ParseResult<IbSriovNetConf> {
  const warnings: string[] = [];
  const doc = decodeDocument(input);
  if (!doc.ok) return failure(6, SKEL_DECODE + doc.reason, '', warnings);
  const rawValue = doc.value === null ? {} : doc.value;
  if (!isJsonObject(rawValue)) {
    return failure(6, SKEL_DECODE + goTopLevelError(rawValue, SKEL_VERSION_TYPE), '', warnings);
  }
  const canonical = canonicalize(rawValue, IB_SRIOV_STRUCT);
  if (canonical.cniVersion !== undefined && typeof canonical.cniVersion !== 'string') {
    const kind = goValueKind(canonical.cniVersion, false);
    return failure(
      6,
      `${SKEL_DECODE}json: cannot unmarshal ${kind} into Go struct field .cniVersion of type string`,
      'cniVersion',
      warnings,
    );
  }
  if (isJsonObject(canonical.runtimeConfig)) {
    canonical.runtimeConfig = {
      ...canonical.runtimeConfig,
      ...canonicalize(canonical.runtimeConfig, IB_RUNTIME_STRUCT),
    };
  }
  if (isJsonObject(canonical.args))
    canonical.args = { ...canonical.args, ...canonicalize(canonical.args, IB_ARGS_STRUCT) };
  const rawIpam = isJsonObject(canonical.ipam) ? canonical.ipam : {};
  if (isJsonObject(canonical.ipam)) {
    canonical.ipam = { ...canonical.ipam, ...canonicalize(canonical.ipam, { fields: ['type'] }) };
  }
  if (Object.keys(canonicalize(rawValue, { fields: ['guid'] })).length > 0) {
    warnings.push(
      'top-level "guid" is ignored (as by the Go plugin): set runtimeConfig.infinibandGUID or args.cni.guid',
    );
  }
  for (const key of Object.keys(canonicalize(rawValue, IB_SRIOV_INTERNAL_STRUCT))) {
    warnings.push(`ignored plugin-internal key "${key}" in the netconf (the plugin fills it itself)`);
  }

  const parsed = ibSriovInputSchema().safeParse(canonical, { jitless: true });
  if (!parsed.success) {
    const issue = firstIssueInDocumentOrder(parsed.error.issues, canonical);
    const message = `${LOAD}failed to load netconf: ${issueToGoMessage(issue, canonical, GO_NAMES)}`;
    return failure(7, message, issue.path.map(String).join('.'), warnings);
  }
  const n = parsed.data;

  const linkStateRaw = n.link_state ?? '';
  if (linkStateRaw !== '' && !(LINK_STATES as readonly string[]).includes(linkStateRaw)) {
    return failure(7, `${LOAD}invalid link_state value: ${linkStateRaw}`, 'link_state', warnings);
  }

  // Go's map[string]string: a JSON null value decodes to "".
  const cniArgs: Record<string, string> = {};
  for (const [k, v] of Object.entries(n.args?.cni ?? {})) cniArgs[k] = v ?? '';

  const enabled = n.ibKubernetesEnabled === true;
  const appStatus = Object.hasOwn(cniArgs, IB_KUBERNETES_APP_KEY) ? cniArgs[IB_KUBERNETES_APP_KEY] : undefined;
  const configured = appStatus === IB_KUBERNETES_CONFIGURED;
  if (enabled && !configured) {
    return failure(
      7,
      `infiniBand SRIOV-CNI failed, InfiniBand status "${IB_KUBERNETES_APP_KEY}" is not "${IB_KUBERNETES_CONFIGURED}" please check mellanox ib-kubernetes`,
      `args.cni.${IB_KUBERNETES_APP_KEY}`,
      warnings,
    );
  }

  const deviceID = n.deviceID ?? '';
  if (deviceID === '') return failure(7, 'deviceID is required', 'deviceID', warnings);
  if (!isPciAddress(deviceID)) {
    return failure(7, `deviceID ${goQuote(deviceID)} is not a PCI address in DDDD:BB:DD.F form`, 'deviceID', warnings);
  }

  let guid: IbGuid | undefined;
  const rcGuid = n.runtimeConfig?.infinibandGUID ?? '';
  const argsGuid = Object.hasOwn(cniArgs, 'guid') ? cniArgs.guid! : '';
  if (rcGuid !== '') guid = { value: rcGuid, source: 'runtimeConfig' };
  else if (argsGuid !== '') guid = { value: argsGuid, source: 'args' };
  if (guid && !isValidGuid(guid.value)) {
    const path = guid.source === 'runtimeConfig' ? 'runtimeConfig.infinibandGUID' : 'args.cni.guid';
    return failure(
      7,
      `infiniBand SRI-OV CNI failed to configure VF ${goQuote(`invalid guid ${guid.value}`)}`,
      path,
      warnings,
    );
  }

  const ipamType = n.ipam?.type ?? '';
  if (ipamType === 'dhcp') warnings.push('ipam type dhcp is not supported (rejected when IPAM would run)');
  const capabilities: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(n.capabilities ?? {})) capabilities[k] = v === true;

  const config: IbSriovNetConf = {
    cniVersion: n.cniVersion ?? '',
    name: n.name ?? '',
    type: n.type ?? '',
    deviceID,
    ...(guid ? { guid } : {}),
    ...(n.pkey !== undefined && n.pkey !== '' ? { pkey: n.pkey } : {}),
    ...(linkStateRaw !== '' ? { linkState: linkStateRaw as IbSriovNetConf['linkState'] } : {}),
    rdmaIsolation: n.rdmaIsolation === true,
    ibKubernetes: appStatus === undefined ? { enabled, configured } : { enabled, appStatus, configured },
    vfioPciMode: n.vfioPciMode === true,
    ...(ipamType !== '' ? { ipam: { type: ipamType, config: rawIpam } } : {}),
    cniArgs,
    capabilities,
    ...(n.dns ? { dns: n.dns as JsonObject } : {}),
  };
  return success(config, warnings);
}

/**
 * The Go plugin's step 7, which needs to know whether the device is a VF (sysfs `physfn`): with
 * ibKubernetesEnabled a VF must have a GUID. Returns the error message, or null when the check passes.
 */
export function checkIbKubernetesGuid(config: IbSriovNetConf, deviceIsVf: boolean): string | null {
  if (config.ibKubernetes.enabled && deviceIsVf && !config.guid) {
    return 'infiniband SRIOV-CNI failed, Unexpected error. GUID must be provided by ib-kubernetes';
  }
  return null;
}
