import type { $ZodIssue } from 'zod/v4/core';
import {
  canonicalize,
  decodeDocument,
  goQuote,
  goTypeError,
  isJsonObject,
  type JsonObject,
  valueAt,
} from '../go-json.js';
import { failure, type ParseResult, success } from '../result.js';
import { type IndexedNameSelector, parseIndexedName } from './range.js';
import {
  CONFIG_STRUCT,
  DEFAULT_RESOURCE_PREFIX,
  DEVICE_TYPES,
  type DeviceType,
  devicePluginInputSchema,
  LEGACY_DEVICE_TYPES,
  RESOURCE_NAME_PATTERN,
  RESOURCE_STRUCT,
  SELECTOR_KEYS,
  selectorInputSchema,
} from './schema.js';

/** One selector object, normalised. Within an object non-empty keys are ANDed; within a list values are ORed. */
export interface DeviceSelector {
  readonly vendors?: readonly string[];
  readonly devices?: readonly string[];
  readonly drivers?: readonly string[];
  readonly pciAddresses?: readonly string[];
  readonly acpiIndexes?: readonly string[];
  readonly pfNames?: readonly IndexedNameSelector[];
  readonly rootDevices?: readonly IndexedNameSelector[];
  readonly linkTypes?: readonly string[];
  readonly ddpProfiles?: readonly string[];
  readonly pKeys?: readonly string[];
  readonly isRdma: boolean;
  readonly needVhostNet: boolean;
  readonly vdpaType?: string;
  readonly auxTypes?: readonly string[];
  /** Legacy `deviceType: "netdevice"`: only devices bound to a kernel driver with a netdev. */
  readonly requireNetdev?: true;
}

export interface ResourcePool {
  /** Position in `resourceList`. */
  readonly index: number;
  readonly resourceName: string;
  readonly resourcePrefix: string;
  /** `<prefix>/<resourceName>`: the extended resource name, unique across the config. */
  readonly fullName: string;
  readonly deviceType: DeviceType;
  readonly excludeTopology: boolean;
  /** In order: a device goes to the first selector object that matches it. Never empty. */
  readonly selectors: readonly DeviceSelector[];
  readonly additionalInfo: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** `legacy` = the seed format (`rootDevices` + `sriovMode` + `deviceType` netdevice/uio/vfio). */
  readonly format: 'modern' | 'legacy';
}

export interface DevicePluginConfig {
  readonly resources: readonly ResourcePool[];
  /** Entries the Go plugin skips (selectors that fail to decode), with the reason. */
  readonly skipped: readonly { readonly index: number; readonly resourceName: string; readonly reason: string }[];
}

export interface DevicePluginParseOptions {
  /** The `-resource-prefix` flag (default `intel.com`). */
  readonly defaultResourcePrefix?: string;
}

const RESOURCE_NAME = new RegExp(RESOURCE_NAME_PATTERN);
const SHORT_BDF = /^[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$/;
const FULL_BDF = /^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$/;

function at(index: number, key?: string): string {
  return key === undefined ? `resourceList[${index}]` : `resourceList[${index}].${key}`;
}

/**
 * Parses a device plugin config file (bytes/text or a decoded value). Fatal problems (the Go plugin exits or
 * crashes) are errors naming the entry and key; entries the Go plugin skips are listed in `skipped`. Never throws.
 */
export function parseDevicePluginConfig(
  input: unknown,
  options: DevicePluginParseOptions = {},
): ParseResult<DevicePluginConfig> {
  const warnings: string[] = [];
  const defaultPrefix = options.defaultResourcePrefix ?? DEFAULT_RESOURCE_PREFIX;
  const doc = decodeDocument(input);
  if (!doc.ok) return failure(6, `error reading config file: ${doc.reason}`, '', warnings);
  const rawValue = doc.value === null ? {} : doc.value;
  if (!isJsonObject(rawValue)) {
    const kind = Array.isArray(rawValue)
      ? 'array'
      : typeof rawValue === 'string'
        ? 'string'
        : typeof rawValue === 'number'
          ? 'number'
          : 'bool';
    return failure(
      6,
      `error reading config file: json: cannot unmarshal ${kind} into Go value of type types.ResourceConfList`,
      '',
      warnings,
    );
  }
  const top = canonicalize(rawValue, CONFIG_STRUCT);
  if (Array.isArray(top.resourceList)) {
    top.resourceList = top.resourceList.map((entry) =>
      isJsonObject(entry) ? canonicalize(entry, RESOURCE_STRUCT) : entry,
    );
  }
  const parsed = devicePluginInputSchema().safeParse(top, { jitless: true });
  if (!parsed.success) {
    const issue = firstInDocumentOrder(parsed.error.issues, top);
    return failure(7, resourceTypeError(issue, top), issuePath(issue.path), warnings);
  }
  const list = parsed.data.resourceList ?? [];
  if (list.length === 0) return failure(7, 'no resource configuration; exiting', 'resourceList', warnings);

  const resources: ResourcePool[] = [];
  const skipped: { index: number; resourceName: string; reason: string }[] = [];
  const seen = new Map<string, number>();
  const rawList = top.resourceList as unknown[];

  // Go's readConfig checks every entry's deviceType before validConfigs looks at names and selectors.
  for (const [index, entry] of list.entries()) {
    if (entry === null) return failure(7, `${at(index)}: entry is null`, at(index), warnings);
    const legacyKeys = entry.rootDevices !== undefined || entry.sriovMode !== undefined;
    const deviceTypeRaw = entry.deviceType ?? '';
    const isLegacy = legacyKeys && entry.selectors === undefined;
    if (legacyKeys && entry.selectors !== undefined) {
      return failure(
        7,
        `${at(index)}: mixes the legacy keys "rootDevices"/"sriovMode" with "selectors"; use one format per entry`,
        at(index),
        warnings,
      );
    }
    // readConfig: deviceType
    if (!isLegacy && deviceTypeRaw !== '' && !(DEVICE_TYPES as readonly string[]).includes(deviceTypeRaw)) {
      return failure(
        7,
        `${at(index, 'deviceType')}: unsupported deviceType:  "${deviceTypeRaw}"`,
        at(index, 'deviceType'),
        warnings,
      );
    }
    if (isLegacy && deviceTypeRaw !== '' && !(LEGACY_DEVICE_TYPES as readonly string[]).includes(deviceTypeRaw)) {
      return failure(
        7,
        `${at(index, 'deviceType')}: unsupported legacy deviceType:  "${deviceTypeRaw}" (netdevice, uio or vfio)`,
        at(index, 'deviceType'),
        warnings,
      );
    }
  }

  for (const [index, entry] of list.entries()) {
    if (entry === null) continue;
    const name = entry.resourceName ?? '';
    const deviceTypeRaw = entry.deviceType ?? '';
    const isLegacy =
      (entry.rootDevices !== undefined || entry.sriovMode !== undefined) && entry.selectors === undefined;
    // validConfigs: name, uniqueness
    if (!RESOURCE_NAME.test(name)) {
      return failure(
        7,
        `${at(index, 'resourceName')}: resource name ${goQuote(name)} is invalid: it must match ${RESOURCE_NAME_PATTERN}`,
        at(index, 'resourceName'),
        warnings,
      );
    }
    const prefix = entry.resourcePrefix || defaultPrefix;
    const fullName = `${prefix}/${name}`;
    const first = seen.get(fullName);
    if (first !== undefined) {
      return failure(
        7,
        `${at(index, 'resourceName')}: resource name "${fullName}" already exists (also ${at(first)})`,
        at(index, 'resourceName'),
        warnings,
      );
    }
    seen.set(fullName, index);
    const additionalInfo = normaliseAdditionalInfo(entry.additionalInfo);
    const common = {
      index,
      resourceName: name,
      resourcePrefix: prefix,
      fullName,
      excludeTopology: entry.excludeTopology === true,
      additionalInfo,
    };

    if (isLegacy) {
      const legacy = legacySelector(
        index,
        entry.rootDevices ?? [],
        entry.sriovMode === true,
        deviceTypeRaw || 'netdevice',
      );
      if (typeof legacy === 'string') return failure(7, legacy, at(index, 'rootDevices'), warnings);
      resources.push({ ...common, deviceType: 'netDevice', selectors: [legacy], format: 'legacy' });
      continue;
    }

    const deviceType = (deviceTypeRaw || 'netDevice') as DeviceType;
    const rawSelectors = isJsonObject(rawList[index]) ? (rawList[index] as JsonObject).selectors : undefined;
    if (rawSelectors === undefined || rawSelectors === null) {
      return failure(
        7,
        `${at(index, 'selectors')}: "${fullName}" has no selectors (missing or null); the Go plugin crashes on this`,
        at(index, 'selectors'),
        warnings,
      );
    }
    const objects = Array.isArray(rawSelectors) ? rawSelectors : [rawSelectors];
    if (Array.isArray(rawSelectors) && objects.length === 0) {
      return failure(7, `${at(index, 'selectors')}: need at least one selector`, at(index, 'selectors'), warnings);
    }
    const selectors: DeviceSelector[] = [];
    let skipReason: string | undefined;
    for (const [i, obj] of objects.entries()) {
      const where = Array.isArray(rawSelectors) ? at(index, `selectors[${i}]`) : at(index, 'selectors');
      const decoded = decodeSelector(obj, deviceType, where, warnings);
      if (typeof decoded === 'string') {
        skipReason = decoded;
        break;
      }
      const invalid = validateSelector(decoded, deviceType, where, warnings);
      if (invalid) return failure(7, invalid, where, warnings);
      selectors.push(decoded);
    }
    if (skipReason !== undefined) {
      skipped.push({ index, resourceName: name, reason: skipReason });
      warnings.push(`${at(index)} ("${fullName}") skipped: ${skipReason}`);
      continue;
    }
    resources.push({ ...common, deviceType, selectors, format: 'modern' });
  }
  return success({ resources, skipped }, warnings);
}

/** Go decodes the entries in order and each entry's keys in document order; the first type error wins. */
function firstInDocumentOrder(issues: readonly $ZodIssue[], top: JsonObject): $ZodIssue {
  const rank = (issue: $ZodIssue): number => {
    const [, index, key] = issue.path;
    if (typeof index !== 'number') return -1;
    const entry = (top.resourceList as unknown[])[index];
    const keyIndex = isJsonObject(entry) ? Object.keys(entry).indexOf(String(key)) : 0;
    return index * 1000 + Math.max(keyIndex, 0);
  };
  return issues.reduce((best, issue) => (rank(issue) < rank(best) ? issue : best));
}

function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? String(seg) : `.${String(seg)}`;
  return out;
}

function resourceTypeError(issue: $ZodIssue, top: JsonObject): string {
  const path = issue.path;
  const value = valueAt(top, path);
  // Go's field path has no indices or map keys: resourceList.resourceName, resourceList.additionalInfo.
  const goPath = path
    .filter((s) => typeof s === 'string')
    .slice(0, 2)
    .join('.');
  const expected = issue.code === 'invalid_type' ? String(issue.expected) : '';
  const key = String(path[2] ?? '');
  const goType =
    path.length === 1
      ? '[]types.ResourceConfig'
      : path.length === 2
        ? 'types.ResourceConfig'
        : key === 'additionalInfo'
          ? path.length === 3
            ? 'map[string]map[string]string'
            : path.length === 4
              ? 'map[string]string'
              : 'string'
          : key === 'rootDevices' && path.length > 3
            ? 'string'
            : expected === 'boolean'
              ? 'bool'
              : expected === 'array'
                ? '[]string'
                : expected;
  const structName = path.length <= 2 ? 'ResourceConfList' : 'ResourceConfig';
  return `${issuePath(path)}: ${goTypeError(structName, goPath, value, goType)}`;
}

function normaliseAdditionalInfo(
  info: Record<string, Record<string, string | null> | null> | undefined,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [device, attrs] of Object.entries(info ?? {})) {
    const m: Record<string, string> = {};
    for (const [k, v] of Object.entries(attrs ?? {})) m[k] = v ?? '';
    out[device] = m;
  }
  return out;
}

function strings(list: readonly (string | null)[] | undefined): string[] | undefined {
  if (list === undefined || list.length === 0) return undefined;
  return list.map((s) => s ?? '');
}

/** Decodes one selector object for `deviceType`; a string is the reason the Go plugin skips the resource. */
function decodeSelector(
  obj: unknown,
  deviceType: DeviceType,
  where: string,
  warnings: string[],
): DeviceSelector | string {
  if (obj === null) return `${where} is null`;
  if (!isJsonObject(obj)) {
    return `${where}: json: cannot unmarshal ${Array.isArray(obj) ? 'array' : typeof obj === 'string' ? 'string' : typeof obj === 'boolean' ? 'bool' : 'number'} into Go value of type types.${selectorGoStruct(deviceType)}`;
  }
  const keys = SELECTOR_KEYS[deviceType];
  const canonical = canonicalize(obj, { fields: keys });
  const everyKey = [...new Set(Object.values(SELECTOR_KEYS).flat())];
  const foreign = Object.keys(canonicalize(obj, { fields: everyKey })).filter((k) => !keys.includes(k));
  for (const k of foreign) warnings.push(`${where}: "${k}" is not a selector of deviceType ${deviceType}; ignored`);
  const parsed = selectorInputSchema(deviceType).safeParse(canonical, { jitless: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0]);
    const goType =
      key === 'isRdma' || key === 'needVhostNet'
        ? 'bool'
        : key === 'vdpaType'
          ? 'types.VdpaType'
          : issue.path.length > 1
            ? 'string'
            : '[]string';
    return `${where}: ${goTypeError(selectorGoStruct(deviceType), key, valueAt(canonical, issue.path), goType)}`;
  }
  const s = parsed.data as Record<string, unknown>;
  const list = (k: string) => strings(s[k] as (string | null)[] | undefined);
  const indexed = (k: string) => list(k)?.map(parseIndexedName);
  const pfNames = indexed('pfNames');
  const rootDevices = indexed('rootDevices');
  for (const sel of [...(pfNames ?? []), ...(rootDevices ?? [])]) {
    for (const p of sel.problems) warnings.push(`${where}: ${p}`);
  }
  const out: Record<string, unknown> = {
    isRdma: s.isRdma === true,
    needVhostNet: s.needVhostNet === true,
  };
  for (const k of [
    'vendors',
    'devices',
    'drivers',
    'pciAddresses',
    'acpiIndexes',
    'linkTypes',
    'ddpProfiles',
    'pKeys',
    'auxTypes',
  ]) {
    const v = list(k);
    if (v) out[k] = v;
  }
  if (pfNames) out.pfNames = pfNames;
  if (rootDevices) out.rootDevices = rootDevices;
  if (typeof s.vdpaType === 'string' && s.vdpaType !== '') out.vdpaType = s.vdpaType;
  return out as unknown as DeviceSelector;
}

function selectorGoStruct(deviceType: DeviceType): string {
  return deviceType === 'netDevice'
    ? 'NetDeviceSelectors'
    : deviceType === 'accelerator'
      ? 'AccelDeviceSelectors'
      : 'AuxNetDeviceSelectors';
}

/** Providers' ValidConfig (fatal in Go) plus warnings for what Go accepts silently. */
function validateSelector(
  s: DeviceSelector,
  deviceType: DeviceType,
  where: string,
  warnings: string[],
): string | undefined {
  if (deviceType === 'netDevice' && s.isRdma && s.vdpaType !== undefined) {
    return `${where}: VdpaType and IsRdma are mutually exclusive options`;
  }
  if (deviceType === 'auxNetDevice') {
    if (!s.auxTypes) return `${where}: auxNetDevice selectors need "auxTypes" (only "sf" is supported)`;
    const bad = s.auxTypes.find((t) => t !== 'sf');
    if (bad !== undefined) return `${where}: auxTypes value ${goQuote(bad)} is not supported (only "sf")`;
  }
  if (s.linkTypes && s.linkTypes.length > 1) warnings.push(`${where}: Link type selector should have a single value.`);
  if (s.vdpaType !== undefined && s.vdpaType !== 'vhost' && s.vdpaType !== 'virtio') {
    warnings.push(`${where}: vdpaType ${goQuote(s.vdpaType)} is neither "vhost" nor "virtio"; it matches nothing`);
  }
  const upper = s.vendors?.find((v) => v !== v.toLowerCase());
  if (upper !== undefined)
    warnings.push(`${where}: vendor ${goQuote(upper)} has upper-case letters; it matches nothing`);
  return undefined;
}

/** The seed format: `rootDevices` (short or full BDF) + `sriovMode` + deviceType netdevice/uio/vfio. */
function legacySelector(
  index: number,
  roots: readonly (string | null)[],
  sriovMode: boolean,
  kind: string,
): DeviceSelector | string {
  if (roots.length === 0) return `${at(index, 'rootDevices')}: legacy entry needs at least one root device`;
  const addresses: string[] = [];
  for (const [i, r] of roots.entries()) {
    const raw = r ?? '';
    if (FULL_BDF.test(raw)) addresses.push(raw.toLowerCase());
    else if (SHORT_BDF.test(raw)) addresses.push(`0000:${raw.toLowerCase()}`);
    else return `${at(index, `rootDevices[${i}]`)}: ${goQuote(raw)} is not a PCI address (BB:DD.F or DDDD:BB:DD.F)`;
  }
  const base: { isRdma: false; needVhostNet: false } = { isRdma: false, needVhostNet: false };
  const byDriver =
    kind === 'vfio'
      ? { drivers: ['vfio-pci'] }
      : kind === 'uio'
        ? { drivers: ['igb_uio', 'uio_pci_generic'] }
        : { requireNetdev: true as const };
  return sriovMode
    ? { ...base, ...byDriver, rootDevices: addresses.map(parseIndexedName) }
    : { ...base, ...byDriver, pciAddresses: addresses };
}
