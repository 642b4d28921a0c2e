// Device health beyond the Go plugin (which reports Healthy forever): a VF (or SF) is Unhealthy while its PF's
// link is down or the PF netdev is gone, and Healthy again when the link returns; a device whose PCI function
// vanished is Unhealthy until re-discovery drops it from its pool. Link state comes from netlink
// link events (netlink-ops), so a change reaches ListAndWatch as soon as the event is read.
// A device's own netdev is deliberately NOT watched: the CNI moves it into a pod's netns, which looks like a
// deletion from the host and must not make an allocated device Unhealthy.
import type { ResourcePool } from './pool.js';
import type { Health, PoolDevice } from './types.js';

export interface LinkEvent {
  name: string;
  /** Operationally up (admin up and carrier). */
  up: boolean;
  /** The link was deleted (or left this netns). */
  deleted: boolean;
}

/** A live view of host links. */
export interface LinkSource {
  /** Starts delivering events; resolves with the current state of every link (name → up). */
  start(onEvent: (event: LinkEvent) => void): Promise<Map<string, boolean>>;
  stop(): void | Promise<void>;
}

/** The netdev whose state decides a device's health, or null when nothing is watched. */
export function watchedLink(dev: PoolDevice): string | null {
  if (dev.aux !== null) return dev.pci.netdevs[0] ?? null;
  if (dev.pci.pfAddress !== null) return dev.pci.pfNetdev;
  return null;
}

export class HealthTracker {
  private state: Map<string, boolean> | null = null;
  private pools = new Set<ResourcePool>();
  /** Devices whose PCI function disappeared; Unhealthy until a re-discovery drops them or finds them again. */
  private vanished = new Set<string>();

  constructor(private readonly onTransition: (pool: ResourcePool, id: string, health: Health) => void = () => {}) {}

  /** Applies a link snapshot (from LinkSource.start). */
  setSnapshot(state: Map<string, boolean>): void {
    this.state = new Map(state);
    for (const pool of this.pools) this.evaluate(pool);
  }

  track(pool: ResourcePool): void {
    this.pools.add(pool);
    this.evaluate(pool);
  }

  untrack(pool: ResourcePool): void {
    this.pools.delete(pool);
  }

  handle(event: LinkEvent): void {
    if (this.state === null) this.state = new Map();
    if (event.deleted) this.state.delete(event.name);
    else this.state.set(event.name, event.up);
    for (const pool of this.pools) this.evaluate(pool, event.name);
  }

  /** Marks a device as gone (its PCI function vanished) and reports it Unhealthy at once. */
  markVanished(id: string): void {
    this.vanished.add(id);
    for (const pool of this.pools) {
      if (!pool.deviceMap.has(id)) continue;
      if (pool.setHealth(id, 'Unhealthy')) this.onTransition(pool, id, 'Unhealthy');
    }
  }

  /** Re-discovery saw these devices, so they exist (again). */
  forgetVanished(ids: Iterable<string>): void {
    for (const id of ids) this.vanished.delete(id);
  }

  healthFor(dev: PoolDevice): Health {
    if (this.vanished.has(dev.id)) return 'Unhealthy';
    const link = watchedLink(dev);
    if (link === null || this.state === null) return 'Healthy';
    return this.state.get(link) === true ? 'Healthy' : 'Unhealthy';
  }

  /** Re-evaluates a pool (all devices, or only those watching `link`). */
  evaluate(pool: ResourcePool, link?: string): void {
    let changed = false;
    for (const dev of pool.deviceMap.values()) {
      if (link !== undefined && watchedLink(dev) !== link) continue;
      const health = this.healthFor(dev);
      if (pool.setHealth(dev.id, health, false)) {
        changed = true;
        this.onTransition(pool, dev.id, health);
      }
    }
    // One ListAndWatch update per link event, however many VFs hang off the PF.
    if (changed) pool.notify();
  }
}
