// A resource pool: its config, its current devices and their health. Changes notify subscribers (the gRPC
// server's ListAndWatch streams), each notification carrying the full device list as kubelet expects.
import type { Device } from './generated/deviceplugin/v1beta1/api.js';
import type { Health, PoolDevice, ResourceConfig } from './types.js';

export type PoolListener = (devices: Device[]) => void;

export class ResourcePool {
  private devices = new Map<string, PoolDevice>();
  private health = new Map<string, Health>();
  private listeners = new Set<PoolListener>();

  constructor(
    public config: ResourceConfig,
    devices: PoolDevice[],
  ) {
    this.setDevices(devices, false);
  }

  get fullName(): string {
    return `${this.config.resourcePrefix}/${this.config.resourceName}`;
  }

  /** `<prefix>_<resourceName>.sock`, the socket file name kubelet is told about. */
  get socketName(): string {
    return `${this.config.resourcePrefix}_${this.config.resourceName}.sock`;
  }

  get deviceMap(): ReadonlyMap<string, PoolDevice> {
    return this.devices;
  }

  get size(): number {
    return this.devices.size;
  }

  healthOf(id: string): Health | undefined {
    return this.health.get(id);
  }

  counts(): { healthy: number; unhealthy: number } {
    let unhealthy = 0;
    for (const h of this.health.values()) if (h === 'Unhealthy') unhealthy++;
    return { healthy: this.health.size - unhealthy, unhealthy };
  }

  /** Replaces the device set (keeping known devices' health); returns true when anything changed. */
  setDevices(devices: PoolDevice[], notify = true): boolean {
    const next = new Map(devices.map((d) => [d.id, d]));
    const changed =
      next.size !== this.devices.size ||
      [...next].some(([id, d]) => {
        const old = this.devices.get(id);
        return old === undefined || JSON.stringify(old) !== JSON.stringify(d);
      });
    const health = new Map<string, Health>();
    for (const id of next.keys()) health.set(id, this.health.get(id) ?? 'Healthy');
    this.devices = next;
    this.health = health;
    if (changed && notify) this.notify();
    return changed;
  }

  /** Sets a device's health; returns true (and notifies) only on a real change. */
  setHealth(id: string, health: Health, notify = true): boolean {
    const old = this.health.get(id);
    if (old === undefined || old === health) return false;
    this.health.set(id, health);
    if (notify) this.notify();
    return true;
  }

  /** The ListAndWatch device list: ID, health and NUMA topology (unless excludeTopology). */
  list(): Device[] {
    const out: Device[] = [];
    for (const dev of this.devices.values()) {
      const numa = dev.pci.numaNode;
      out.push({
        ID: dev.id,
        health: this.health.get(dev.id) ?? 'Healthy',
        topology: this.config.excludeTopology || numa === null || numa < 0 ? undefined : { nodes: [{ ID: numa }] },
      });
    }
    return out;
  }

  subscribe(listener: PoolListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    const list = this.list();
    for (const l of this.listeners) l(list);
  }
}
