// Config file → pools, through @sriov-ts/netconf-schema (both the modern `resourceList` format and the legacy seed
// format, normalised to one model). This module only maps that model onto the plugin's internal types.
import { parseDevicePluginConfig } from '@sriov-ts/netconf-schema';
import type { ResourceConfig, Selector } from './types.js';

const PREFIX_RULE =
  'resource prefix must be a DNS subdomain (lower-case a-z, 0-9, "-" and ".", at most 253 characters)';
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * kubelet only accepts extended resource names whose domain is a DNS-1123 subdomain; the prefix also becomes part of
 * socket, device-info and CDI file names, so anything else (a "/" or "..") is rejected up front. The Go plugin only
 * fails later, when kubelet refuses the registration.
 */
export function isValidPrefix(prefix: string): boolean {
  return prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix);
}

export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
  constructor(
    message: string,
    /** Dotted location of the offending value, e.g. `resourceList[1].resourceName`. */
    readonly path: string,
  ) {
    super(message);
  }
}

/**
 * Parses config text. Throws InvalidConfigError (message naming the entry and key) when the Go plugin would exit;
 * entries the Go plugin skips and other doubtful values are reported through `warn`.
 */
export function loadDevicePluginConfig(
  text: string,
  defaultPrefix: string,
  warn: (message: string) => void = () => {},
): ResourceConfig[] {
  if (!isValidPrefix(defaultPrefix)) {
    throw new InvalidConfigError(`-resource-prefix ${JSON.stringify(defaultPrefix)}: ${PREFIX_RULE}`, '');
  }
  const result = parseDevicePluginConfig(text, { defaultResourcePrefix: defaultPrefix });
  for (const w of result.warnings) warn(w);
  if (!result.ok) throw new InvalidConfigError(result.error.message, result.error.path);
  for (const pool of result.config.resources) {
    if (!isValidPrefix(pool.resourcePrefix)) {
      const path = `resourceList[${pool.index}].resourcePrefix`;
      throw new InvalidConfigError(`${path}: ${JSON.stringify(pool.resourcePrefix)}: ${PREFIX_RULE}`, path);
    }
  }
  return result.config.resources.map((pool) => ({
    resourceName: pool.resourceName,
    resourcePrefix: pool.resourcePrefix,
    deviceType: pool.deviceType,
    excludeTopology: pool.excludeTopology,
    additionalInfo: Object.fromEntries(Object.entries(pool.additionalInfo).map(([k, v]) => [k, { ...v }])),
    selectors: pool.selectors.map((s): Selector => {
      const out: Selector = { isRdma: s.isRdma, needVhostNet: s.needVhostNet };
      if (s.vendors) out.vendors = s.vendors;
      if (s.devices) out.devices = s.devices;
      if (s.drivers) out.drivers = s.drivers;
      if (s.pciAddresses) out.pciAddresses = s.pciAddresses;
      if (s.acpiIndexes) out.acpiIndexes = s.acpiIndexes;
      if (s.pfNames) out.pfNames = s.pfNames;
      if (s.rootDevices) out.rootDevices = s.rootDevices;
      if (s.linkTypes) out.linkTypes = s.linkTypes;
      if (s.ddpProfiles) out.ddpProfiles = s.ddpProfiles;
      if (s.pKeys) out.pKeys = s.pKeys;
      if (s.vdpaType !== undefined) out.vdpaType = s.vdpaType;
      if (s.auxTypes) out.auxTypes = s.auxTypes;
      if (s.requireNetdev) out.requireNetdev = true;
      return out;
    }),
  }));
}
