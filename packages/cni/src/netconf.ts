// The request config as the plugin receives it on stdin, and typed accessors for the runtime-supplied parts
// (runtimeConfig from capabilities, args.cni, GC attachments). Schema validation of plugin keys lives in
// @sriov-ts/netconf-schema; these helpers only read what every CNI plugin may receive.
import { CniError, ErrDecodingFailure } from './errors.js';
import { jsonTypeName } from './version.js';

/** The parsed request config. Everything except `name` is optional and plugin keys pass through untouched. */
export interface NetConf {
  cniVersion?: string;
  name: string;
  type?: string;
  ipam?: { type?: string; [key: string]: unknown };
  dns?: Record<string, unknown>;
  capabilities?: Record<string, boolean>;
  runtimeConfig?: Record<string, unknown>;
  args?: Record<string, unknown>;
  prevResult?: unknown;
  [key: string]: unknown;
}

type Obj = Readonly<Record<string, unknown>>;

function objectOrNull(v: unknown): Obj | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null;
}

/** `runtimeConfig` as an object ({} when absent or not an object). */
export function runtimeConfigOf(conf: Obj): Obj {
  return objectOrNull(conf.runtimeConfig) ?? {};
}

function nonEmptyString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `runtimeConfig.mac` (capability `mac`), when a non-empty string. */
export function runtimeConfigMac(conf: Obj): string | undefined {
  return nonEmptyString(runtimeConfigOf(conf).mac);
}

/** `runtimeConfig.ips` (capability `ips`): the string entries, [] when absent. */
export function runtimeConfigIps(conf: Obj): string[] {
  const ips = runtimeConfigOf(conf).ips;
  return Array.isArray(ips) ? ips.filter((x): x is string => typeof x === 'string') : [];
}

/** `runtimeConfig.deviceID` (capability `deviceID`), when a non-empty string. */
export function runtimeConfigDeviceId(conf: Obj): string | undefined {
  return nonEmptyString(runtimeConfigOf(conf).deviceID);
}

/** `runtimeConfig.infinibandGUID` (capability `infinibandGUID`), when a non-empty string. */
export function runtimeConfigInfinibandGuid(conf: Obj): string | undefined {
  return nonEmptyString(runtimeConfigOf(conf).infinibandGUID);
}

/** `args.cni` (CONVENTIONS "args in network config"; Multus puts a selection element's cni-args here). */
export function cniArgsOf(conf: Obj): Obj {
  return objectOrNull(objectOrNull(conf.args)?.cni) ?? {};
}

/** `args.cni.ips` string entries ([] when absent). */
export function cniArgsIps(conf: Obj): string[] {
  const ips = cniArgsOf(conf).ips;
  return Array.isArray(ips) ? ips.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * The device a Multus delegate is for: top-level `deviceID` (what Multus injects and the Go SR-IOV plugins read),
 * then `runtimeConfig.deviceID`, then `pciBusID`. Undefined when none is a non-empty string.
 */
export function deviceIdOf(conf: Obj): string | undefined {
  return nonEmptyString(conf.deviceID) ?? runtimeConfigDeviceId(conf) ?? nonEmptyString(conf.pciBusID);
}

/**
 * The MAC a plugin should apply, with sriov-cni's precedence: `runtimeConfig.mac` > CNI_ARGS `MAC` > config `mac`,
 * lower-cased. Undefined when none is set.
 */
export function effectiveMac(conf: Obj, cniArgsMac?: string): string | undefined {
  const mac = runtimeConfigMac(conf) ?? nonEmptyString(cniArgsMac) ?? nonEmptyString(conf.mac);
  return mac?.toLowerCase();
}

/** One live attachment in a GC request. */
export interface GcAttachment {
  containerID: string;
  ifname: string;
}

export const VALID_ATTACHMENTS_KEY = 'cni.dev/valid-attachments';
export const ATTACHMENTS_KEY = 'cni.dev/attachments';

/**
 * The GC request's valid attachments: `cni.dev/valid-attachments` (libcni, spec main), else `cni.dev/attachments`
 * (spec-v1.1.0 tag text). `present` is false when neither key is there (cnitool gc): Go reads that as an empty
 * list, i.e. every attachment is stale. A malformed list is code 6.
 */
export function gcAttachmentsOf(conf: Obj): { attachments: GcAttachment[]; present: boolean } {
  const key = conf[VALID_ATTACHMENTS_KEY] !== undefined ? VALID_ATTACHMENTS_KEY : ATTACHMENTS_KEY;
  const raw = conf[key];
  if (raw === undefined || raw === null) return { attachments: [], present: raw !== undefined };
  if (!Array.isArray(raw)) {
    throw new CniError(ErrDecodingFailure, `failed to decode ${key}: expected an array, got ${jsonTypeName(raw)}`);
  }
  const attachments = raw.map((entry, i) => {
    const o = objectOrNull(entry);
    const containerID = o?.containerID;
    const ifname = o?.ifname;
    if (typeof containerID !== 'string' || typeof ifname !== 'string') {
      throw new CniError(
        ErrDecodingFailure,
        `failed to decode ${key}: entry ${i} must be an object with string containerID and ifname`,
      );
    }
    return { containerID, ifname };
  });
  return { attachments, present: true };
}
