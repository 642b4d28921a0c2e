// Turns device facts into device pools, following the Go plugin's inclusion rules (reference §3.2) and its
// cross-pool rule: resources in config order, selector objects in list order, a device in one pool only.
// The same walk also explains every device that no pool takes (for the node inspector).
import type { DeviceType, ResourcePool } from '@sriov-ts/netconf-schema';
import type { AuxFacts, DiagnosticLog, PciFacts } from './facts.js';
import { type SelectableDevice, type SelectorFields, type SelectorKey, selectorMismatch } from './selectors.js';

export const CLASS_NETWORK = 0x02;
export const CLASS_ACCELERATOR = 0x12;

/** What discovery needs from the host: device facts plus the default-route netdevs (netlink, supplied by the caller). */
export interface HostSnapshot {
  pci: PciFacts[];
  /** Netdev names carrying an IPv4 default route (the host uplink); their PCI devices are never offered. */
  defaultRouteNetdevs: ReadonlySet<string>;
}

/** What selection reads of a pool: netconf-schema's `ResourcePool` (or the device plugin's own config record). */
export type PoolSpec = Pick<ResourcePool, 'resourceName' | 'resourcePrefix' | 'deviceType'> & {
  readonly selectors: readonly SelectorFields[];
};

/** A device as a pool holds it. */
export interface PoolDevice {
  /** PCI address, or aux name for auxNetDevice. */
  id: string;
  pci: PciFacts;
  aux: AuxFacts | null;
  /** Per-selector-object options that matched this device. */
  isRdma: boolean;
  needVhostNet: boolean;
}

/** `<prefix>/<name>`, the extended resource name. */
export const poolName = (pool: PoolSpec): string => `${pool.resourcePrefix}/${pool.resourceName}`;

const hex2 = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

/** The pool device type that could hold this device at all (null: neither network nor accelerator). */
export function deviceTypeOf(dev: SelectableDevice): DeviceType | null {
  if (dev.aux !== null) return 'auxNetDevice';
  if (dev.pci.classBase === CLASS_NETWORK) return 'netDevice';
  if (dev.pci.classBase === CLASS_ACCELERATOR) return 'accelerator';
  return null;
}

/**
 * Why the device is not a candidate for pools of `deviceType` (the discovery rules, before any selector), or null
 * when it is one.
 */
export function exclusionReason(
  dev: SelectableDevice,
  deviceType: DeviceType,
  defaultRouteNetdevs: ReadonlySet<string>,
): string | null {
  const { pci } = dev;
  if (deviceType === 'accelerator') {
    // Every class-0x12 device with a driver; no PF or default-route exclusion.
    if (pci.classBase !== CLASS_ACCELERATOR || dev.aux !== null) return 'not an accelerator (class 0x12)';
    return pci.driver === null ? 'not bound to a driver' : null;
  }
  if (pci.classBase !== CLASS_NETWORK) return `not a network device (class ${hex2(pci.classBase)})`;
  if (deviceType === 'auxNetDevice') {
    // Aux (SF) children of network PCI functions that have netdevs; no exclusions.
    if (dev.aux === null) return 'not an auxiliary device';
    return pci.netdevs.length === 0 ? 'its PCI parent has no netdev' : null;
  }
  if (dev.aux !== null) return 'an auxiliary device (auxNetDevice pools only)';
  // netDevice: an unbound device has no usable driver (Go drops it).
  if (pci.driver === null) return 'not bound to a driver';
  // The host's uplink (any netdev with an IPv4 default route) is never offered.
  const uplink = pci.netdevs.find((n) => defaultRouteNetdevs.has(n));
  if (uplink !== undefined) return `carries the host's default route (${uplink})`;
  // A PF with VFs is not offered; its VFs are. PFs with 0 VFs, DPDK-bound PFs and VFs are.
  if (pci.sriovCapable && pci.numVfs > 0) return `a PF with ${pci.numVfs} VFs (its VFs are offered instead)`;
  return null;
}

/** Every device on the host: each PCI function followed by its auxiliary devices, in address order. */
export function allDevices(host: HostSnapshot): SelectableDevice[] {
  const out: SelectableDevice[] = [];
  const sorted = [...host.pci].sort((a, b) => compare(a.address, b.address));
  for (const pci of sorted) {
    out.push({ pci, aux: null });
    for (const aux of pci.auxDevices) out.push({ pci, aux });
  }
  return out;
}

/** Candidate devices of one device type, before selectors. */
export function candidates(host: HostSnapshot, deviceType: DeviceType): SelectableDevice[] {
  return allDevices(host).filter(
    (dev) => deviceTypeOf(dev) === deviceType && exclusionReason(dev, deviceType, host.defaultRouteNetdevs) === null,
  );
}

/** One selector object of one pool that rejected a device, with the first key that did. */
export interface SelectorMiss<P extends PoolSpec> {
  pool: P;
  /** Position of the selector object in the pool's `selectors`. */
  selector: number;
  key: SelectorKey;
}

/** Where one device goes, and why. */
export interface DeviceVerdict<P extends PoolSpec> {
  /** PCI address, or the auxiliary device name. */
  id: string;
  pci: PciFacts;
  aux: AuxFacts | null;
  /** The pool device type that could hold it (null: neither a network nor an accelerator device). */
  deviceType: DeviceType | null;
  /** The pool that takes it, or null. */
  pool: P | null;
  /** Position of the selector object that matched in `pool.selectors`. */
  selector: number | null;
  /** Later pools whose selectors match it too; the device stays in the first (a device is in one pool only). */
  alsoMatched: P[];
  /** The discovery rule that keeps it out of every pool, if one does. */
  excluded: string | null;
  /** When no pool takes a candidate: each selector object of each pool of its type, with the key it failed. */
  misses: SelectorMiss<P>[];
  /** One line for humans: which selector took it, or why nothing does. */
  reason: string;
}

export interface PoolSelection<P extends PoolSpec> {
  pool: P;
  /** Sorted by ID. */
  devices: PoolDevice[];
}

export interface Selection<P extends PoolSpec> {
  /** Every pool in config order, empty ones included. */
  pools: PoolSelection<P>[];
  /** Every device of the host, in `allDevices` order. */
  devices: DeviceVerdict<P>[];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function verdictFor<P extends PoolSpec>(
  dev: SelectableDevice,
  pools: readonly P[],
  defaultRouteNetdevs: ReadonlySet<string>,
): DeviceVerdict<P> {
  const id = dev.aux !== null ? dev.aux.name : dev.pci.address;
  const deviceType = deviceTypeOf(dev);
  const base = { id, pci: dev.pci, aux: dev.aux, deviceType, alsoMatched: [] as P[], misses: [] as SelectorMiss<P>[] };
  if (deviceType === null) {
    const reason = `not a network (0x02) or accelerator (0x12) device (class ${hex2(dev.pci.classBase)})`;
    return { ...base, pool: null, selector: null, excluded: reason, reason };
  }
  const ofType = pools.filter((p) => p.deviceType === deviceType);
  if (ofType.length === 0) {
    return { ...base, pool: null, selector: null, excluded: null, reason: `no ${deviceType} pool in the config` };
  }
  const excluded = exclusionReason(dev, deviceType, defaultRouteNetdevs);
  if (excluded !== null) return { ...base, pool: null, selector: null, excluded, reason: excluded };
  let pool: P | null = null;
  let selector: number | null = null;
  for (const p of ofType) {
    const i = p.selectors.findIndex((s) => selectorMismatch(s, dev, deviceType) === null);
    if (i < 0) continue;
    if (pool === null) {
      pool = p;
      selector = i;
    } else base.alsoMatched.push(p);
  }
  if (pool !== null) {
    const also = base.alsoMatched.length > 0 ? `; also matches ${base.alsoMatched.map(poolName).join(', ')}` : '';
    return { ...base, pool, selector, excluded: null, reason: `selectors[${selector}] of ${poolName(pool)}${also}` };
  }
  // Nothing took it: say which key each selector object failed on (computed only here, off the common path).
  for (const p of ofType) {
    p.selectors.forEach((s, i) => {
      const key = selectorMismatch(s, dev, deviceType);
      if (key !== null) base.misses.push({ pool: p, selector: i, key });
    });
  }
  const detail = base.misses
    .map((m) => `${poolName(m.pool)}${m.pool.selectors.length > 1 ? `[${m.selector}]` : ''}: ${m.key}`)
    .join(', ');
  return { ...base, pool: null, selector: null, excluded: null, reason: `no selector matches (${detail})` };
}

/**
 * Which pool takes each device, with the device plugin's rules: discovery rules first, then pools in config order
 * and each pool's selector objects in order; the first match wins and a device is in one pool only.
 */
export function assignDevicesToPools<P extends PoolSpec>(pools: readonly P[], host: HostSnapshot): Selection<P> {
  const devices = allDevices(host).map((dev) => verdictFor(dev, pools, host.defaultRouteNetdevs));
  const byPool = new Map<P, PoolDevice[]>(pools.map((p) => [p, []]));
  for (const v of devices) {
    if (v.pool === null || v.selector === null) continue;
    const s = v.pool.selectors[v.selector]!;
    byPool.get(v.pool)!.push({
      id: v.id,
      pci: v.pci,
      aux: v.aux,
      isRdma: s.isRdma === true,
      needVhostNet: s.needVhostNet === true,
    });
  }
  return {
    pools: pools.map((pool) => ({ pool, devices: byPool.get(pool)!.sort((a, b) => compare(a.id, b.id)) })),
    devices,
  };
}

export interface DiscoveredPool<P extends PoolSpec> {
  config: P;
  devices: PoolDevice[];
}

/**
 * Builds every pool's device list (the device plugin's discovery). Empty pools are returned too (the caller decides
 * not to advertise them), so a reload can tell "pool went empty" from "pool removed". A device more than one pool
 * matches is logged as the Go plugin does.
 */
export function buildPools<P extends PoolSpec>(
  host: HostSnapshot,
  resources: readonly P[],
  log: Pick<DiagnosticLog, 'warn'>,
): DiscoveredPool<P>[] {
  const selection = assignDevicesToPools(resources, host);
  for (const v of selection.devices) {
    for (const other of v.alsoMatched) {
      log.warn(`Cannot add device [${v.id}]. Already allocated.`, {
        resource: poolName(other),
        owner: v.pool && poolName(v.pool),
      });
    }
  }
  return selection.pools.map((p) => ({ config: p.pool, devices: p.devices }));
}
