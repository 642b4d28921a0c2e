// Which device plugin pool would take each device of this node for a given config: the device plugin's own
// selection logic (@sriov-ts/device-selection) run on this node's (or a lab tree's) devices.
import { assignDevicesToPools, type PciFacts, poolName, scanPciFacts } from '@sriov-ts/device-selection';
import { type DeviceType, parseDevicePluginConfig, type ResourcePool } from '@sriov-ts/netconf-schema';
import type { Sysfs } from '@sriov-ts/sysfs-pci';

/** The config does not parse: the device plugin would exit with this error. */
export class PoolConfigError extends Error {
  override readonly name = 'PoolConfigError';
  constructor(
    message: string,
    /** Location of the offending value, e.g. `resourceList[1].selectors` ('' for the whole document). */
    readonly path: string,
  ) {
    super(message);
  }
}

export interface PoolDeviceReport {
  /** PCI address, or the auxiliary device name (`mlx5_core.sf.2`). */
  id: string;
  /** The PCI function (the SF's parent for an auxiliary device). */
  pci: string;
  /** `vendor:device`. */
  ids: string;
  /** PCI base class, `0x02`. */
  class: string;
  driver: string | null;
  netdevs: string[];
  /** VF's PF PCI address and index. */
  pf: string | null;
  vfIndex: number | null;
  /** The pool type that could hold it; null for other device classes. */
  deviceType: DeviceType | null;
  /** The pool that would take it (`<prefix>/<name>`), or null. */
  pool: string | null;
  /** Index of the matching selector object in that pool's `selectors`. */
  selector: number | null;
  /** Later pools that match it too (the device plugin logs "Already allocated" and keeps it in `pool`). */
  alsoMatched: string[];
  /** The discovery rule that keeps it out of every pool. */
  excluded: string | null;
  /** When no selector takes a candidate: each selector object and the first key it failed. */
  misses: { pool: string; selector: number; key: string }[];
  reason: string;
}

export interface PoolsReport {
  pools: { name: string; deviceType: DeviceType; devices: string[] }[];
  devices: PoolDeviceReport[];
  /** Entries the device plugin skips (with the reason). */
  skipped: { index: number; resourceName: string; reason: string }[];
  warnings: string[];
  /** Whether devices carrying the host's default route were looked for (needs netlink). */
  defaultRouteChecked: boolean;
}

export interface PoolsOptions {
  /** Config file text (JSON, as the device plugin reads it). */
  config: string;
  resourcePrefix?: string;
  sysfs: Sysfs;
  /** Netdevs carrying an IPv4 default route; null when unknown (no netlink). */
  uplinks: ReadonlySet<string> | null;
}

const hex2 = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

function deviceFields(pci: PciFacts, auxNetdevs: string[] | null) {
  return {
    pci: pci.address,
    ids: `${pci.vendor}:${pci.device}`,
    class: hex2(pci.classBase),
    driver: pci.driver,
    netdevs: auxNetdevs ?? pci.netdevs,
    pf: auxNetdevs === null ? pci.pfAddress : null,
    vfIndex: auxNetdevs === null && pci.vfIndex >= 0 ? pci.vfIndex : null,
  };
}

/** Parses the config and assigns every device under the sysfs root. Throws PoolConfigError for a bad config. */
export function collectPools(opts: PoolsOptions): PoolsReport {
  const parsed = parseDevicePluginConfig(
    opts.config,
    opts.resourcePrefix ? { defaultResourcePrefix: opts.resourcePrefix } : {},
  );
  if (!parsed.ok) throw new PoolConfigError(parsed.error.message, parsed.error.path);
  const pools: readonly ResourcePool[] = parsed.config.resources;
  const selection = assignDevicesToPools(pools, {
    pci: scanPciFacts(opts.sysfs),
    defaultRouteNetdevs: opts.uplinks ?? new Set(),
  });
  return {
    pools: selection.pools.map((p) => ({
      name: p.pool.fullName,
      deviceType: p.pool.deviceType,
      devices: p.devices.map((d) => d.id),
    })),
    devices: selection.devices.map((v) => ({
      id: v.id,
      ...deviceFields(v.pci, v.aux === null ? null : v.aux.netdevs),
      deviceType: v.deviceType,
      pool: v.pool === null ? null : poolName(v.pool),
      selector: v.selector,
      alsoMatched: v.alsoMatched.map(poolName),
      excluded: v.excluded,
      misses: v.misses.map((m) => ({ pool: poolName(m.pool), selector: m.selector, key: m.key })),
      reason: v.reason,
    })),
    skipped: parsed.config.skipped.map((s) => ({ ...s })),
    warnings: [...parsed.warnings],
    defaultRouteChecked: opts.uplinks !== null,
  };
}
