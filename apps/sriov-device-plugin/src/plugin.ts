// The device plugin process: config → discovery → one server per non-empty pool → registration, then keeps it
// that way: kubelet restarts (direct mode), link health, config and device changes (hot reload), shutdown.
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPools, type HostSnapshot } from '@sriov-ts/device-selection';
import type { DeviceNodes } from './allocate.js';
import { CdiSpecs, DEFAULT_CDI_DIRS } from './cdi.js';
import { DEFAULT_DEVICE_INFO_DIR, DeviceInfoStore } from './device-info.js';
import { HealthTracker, type LinkEvent, type LinkSource } from './health.js';
import { FolderWatch } from './kubelet-watch.js';
import type { Logger } from './logger.js';
import { type Metrics, noopMetrics } from './metrics.js';
import { ResourcePool } from './pool.js';
import {
  API_VERSION,
  DEFAULT_DEVICE_PLUGIN_DIR,
  DEFAULT_PLUGINS_REGISTRY_DIR,
  KUBELET_SOCKET_NAME,
  registerWithKubelet,
} from './registration.js';
import { ConfigWatch } from './reload.js';
import { PLUGIN_OPTIONS, PoolServer } from './server.js';
import type { ResourceConfig } from './types.js';

/** Where host facts come from (sysfs-pci + netlink-ops in production, fakes in tests). */
export interface HostSource {
  snapshot(): Promise<HostSnapshot>;
  /** Whether a PCI function still exists (lets a netdev removal tell "vanished" from "moved into a pod"). */
  deviceExists?(pciAddress: string): boolean;
  nodes: DeviceNodes;
  links?: LinkSource;
}

/** Parses config file text into pools; throws an error naming the entry and key when invalid. */
export type ConfigLoader = (text: string, defaultPrefix: string) => ResourceConfig[];

export interface PluginOptions {
  configFile: string;
  resourcePrefix: string;
  useCdi: boolean;
  loadConfig: ConfigLoader;
  host: HostSource;
  log: Logger;
  metrics?: Metrics;
  devicePluginDir?: string;
  pluginsRegistryDir?: string;
  deviceInfoDir?: string;
  cdiDirs?: readonly string[];
  /** Safety-net poll for the socket folder (default 5 s). */
  socketPollMs?: number;
  /** Periodic re-discovery for changes no event announces, e.g. DPDK-bound VFs (default 30 s; 0 = off). */
  rescanIntervalMs?: number;
  /** Watch the config file and reload on change (default true). */
  watchConfig?: boolean;
  /** Debounce between a link appearing/vanishing and the re-discovery it triggers (default 500 ms). */
  linkRescanDelayMs?: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

interface Entry {
  pool: ResourcePool;
  server: PoolServer;
  /** Bumped on every (re)start; a registration loop from an older generation gives up. */
  generation: number;
}

export class DevicePlugin {
  readonly devicePluginDir: string;
  readonly pluginsRegistryDir: string;
  readonly watcherMode: boolean;
  private readonly metrics: Metrics;
  private readonly deviceInfo: DeviceInfoStore;
  private readonly cdi: CdiSpecs;
  private readonly health: HealthTracker;
  private entries = new Map<string, Entry>();
  private config: ResourceConfig[] = [];
  private configText = '';
  private folderWatch: FolderWatch | null = null;
  private configWatch: ConfigWatch | null = null;
  private stopped = false;
  private rescanTimer: NodeJS.Timeout | null = null;
  private rescanChain: Promise<void> = Promise.resolve();
  /** Fired on every socket-folder check, so registration retries wake up when kubelet.sock comes back. */
  private readonly folderChanged = new EventEmitter();
  /** Serializes changes to the set of running servers (re-discovery vs kubelet-restart handling). */
  private serverLock: Promise<void> = Promise.resolve();

  private withServerLock<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.serverLock.then(fn);
    this.serverLock = result.then(
      () => {},
      () => {},
    );
    return result;
  }

  constructor(private readonly opts: PluginOptions) {
    this.devicePluginDir = opts.devicePluginDir ?? DEFAULT_DEVICE_PLUGIN_DIR;
    this.pluginsRegistryDir = opts.pluginsRegistryDir ?? DEFAULT_PLUGINS_REGISTRY_DIR;
    // As the Go plugin: plugin-watcher mode when kubelet's plugins_registry folder exists.
    this.watcherMode = existsSync(this.pluginsRegistryDir);
    // One waiting registration per pool; many pools are normal.
    this.folderChanged.setMaxListeners(0);
    this.metrics = opts.metrics ?? noopMetrics;
    this.deviceInfo = new DeviceInfoStore(opts.deviceInfoDir ?? DEFAULT_DEVICE_INFO_DIR);
    this.cdi = new CdiSpecs(opts.cdiDirs ?? DEFAULT_CDI_DIRS);
    this.health = new HealthTracker((pool, id, health) => {
      this.metrics.healthTransition(pool.fullName, health);
      opts.log.info('device health changed', { resource: pool.fullName, device: id, health });
    });
  }

  /** Resource names currently served. */
  get resources(): string[] {
    return [...this.entries.keys()].sort();
  }

  pool(fullName: string): ResourcePool | undefined {
    return this.entries.get(fullName)?.pool;
  }

  server(fullName: string): PoolServer | undefined {
    return this.entries.get(fullName)?.server;
  }

  private readConfig(): { text: string; resources: ResourceConfig[] } {
    let text: string;
    try {
      text = readFileSync(this.opts.configFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`error reading config file ${this.opts.configFile}: ${(err as Error).message}`);
    }
    try {
      return { text, resources: this.opts.loadConfig(text, this.opts.resourcePrefix) };
    } catch (err) {
      throw new ConfigError(`invalid config file ${this.opts.configFile}: ${(err as Error).message}`);
    }
  }

  /** Reads config, discovers devices, serves and registers every non-empty pool. Throws ConfigError when invalid. */
  async start(): Promise<void> {
    const { log } = this.opts;
    const { text, resources } = this.readConfig();
    if (resources.length === 0) throw new ConfigError('no resource configuration; exiting');
    this.config = resources;
    this.configText = text;
    if (this.opts.useCdi) this.cdi.cleanAll();
    log.info('starting', {
      mode: this.watcherMode ? 'plugin-watcher' : 'direct',
      socketDir: this.socketDir,
      resources: resources.map((r) => `${r.resourcePrefix}/${r.resourceName}`),
    });
    if (this.opts.host.links) {
      try {
        const snapshot = await this.opts.host.links.start((ev) => this.onLinkEvent(ev));
        this.knownLinks = new Set(snapshot.keys());
        this.health.setSnapshot(snapshot);
      } catch (err) {
        // Without link state every device stays Healthy, which is the Go plugin's behaviour.
        log.error('link events unavailable; device health will not follow PF links', { err });
      }
    }
    const first = await this.opts.host.snapshot();
    await this.withServerLock(() => this.apply(first));
    // Direct mode: kubelet restarts wipe the folder. Watcher mode: a removed socket means kubelet de-registered
    // us, and re-creating it makes kubelet find us again.
    this.folderWatch = new FolderWatch({
      dir: this.socketDir,
      pollMs: this.opts.socketPollMs ?? 5000,
      log,
      onCheck: () => {
        this.folderChanged.emit('changed');
        return this.withServerLock(() => this.checkSockets());
      },
    });
    this.folderWatch.start();
    if (this.opts.watchConfig ?? true) {
      this.configWatch = new ConfigWatch(this.opts.configFile, () => void this.rescan('config file changed'), log);
      this.configWatch.start();
    }
    const every = this.opts.rescanIntervalMs ?? 30_000;
    if (every > 0) {
      this.rescanTimer = setInterval(() => void this.rescan('periodic'), every);
      this.rescanTimer.unref();
    }
  }

  get socketDir(): string {
    return this.watcherMode ? this.pluginsRegistryDir : this.devicePluginDir;
  }

  private linkRescanTimer: NodeJS.Timeout | null = null;

  private knownLinks = new Set<string>();

  /** Health first (the latency that matters); links appearing or vanishing also mean VFs may have changed. */
  private onLinkEvent(event: LinkEvent): void {
    this.health.handle(event);
    if (event.deleted) this.checkVanished(event.name);
    const known = this.knownLinks.has(event.name);
    if (event.deleted) this.knownLinks.delete(event.name);
    else this.knownLinks.add(event.name);
    if ((event.deleted || !known) && this.linkRescanTimer === null && !this.stopped) {
      this.linkRescanTimer = setTimeout(() => {
        this.linkRescanTimer = null;
        void this.rescan('links changed');
      }, this.opts.linkRescanDelayMs ?? 500);
      this.linkRescanTimer.unref();
    }
  }

  /**
   * A netdev went away: either the CNI moved it into a pod (the device is fine) or its PCI function vanished (VFs
   * removed, device unplugged). sysfs tells which; a vanished device turns Unhealthy now, and the re-discovery the
   * same event schedules removes it from its pool.
   */
  private checkVanished(netdev: string): void {
    const host = this.opts.host;
    if (host.deviceExists === undefined) return;
    for (const entry of this.entries.values()) {
      for (const dev of entry.pool.deviceMap.values()) {
        const netdevs = dev.aux !== null ? dev.aux.netdevs : dev.pci.netdevs;
        if (!netdevs.includes(netdev)) continue;
        let present = true;
        try {
          present = host.deviceExists(dev.pci.address);
        } catch {
          present = true;
        }
        if (!present) {
          this.opts.log.warn('device vanished', { resource: entry.pool.fullName, device: dev.id, netdev });
          this.health.markVanished(dev.id);
        }
      }
    }
  }

  /** Applies a discovery result: start new pools, update changed ones, stop removed or emptied ones. */
  private async apply(host: HostSnapshot): Promise<void> {
    const { log } = this.opts;
    const discovered = buildPools(host, this.config, log);
    this.health.forgetVanished(discovered.flatMap((p) => p.devices.map((d) => d.id)));
    const wanted = new Map(discovered.map((p) => [`${p.config.resourcePrefix}/${p.config.resourceName}`, p]));
    for (const [name, entry] of [...this.entries]) {
      const next = wanted.get(name);
      if (next === undefined || next.devices.length === 0 || next.config.deviceType !== entry.pool.config.deviceType) {
        log.info('resource pool removed', {
          resource: name,
          reason: next === undefined ? 'not in config' : 'no devices',
        });
        await this.stopEntry(name, entry);
      }
    }
    for (const [name, p] of wanted) {
      if (p.devices.length === 0) {
        if (!this.entries.has(name))
          log.info(`no devices in device pool, skipping creating resource server for ${name}`);
        continue;
      }
      const entry = this.entries.get(name);
      if (entry !== undefined) {
        const configChanged = JSON.stringify(entry.pool.config) !== JSON.stringify(p.config);
        entry.pool.config = p.config;
        const changed = entry.pool.setDevices(p.devices, false) || configChanged;
        this.health.evaluate(entry.pool);
        if (changed) {
          log.info('resource pool devices changed', { resource: name, devices: p.devices.length });
          entry.pool.notify();
        }
        continue;
      }
      const pool = new ResourcePool(p.config, p.devices);
      this.health.track(pool);
      const server = new PoolServer({
        pool,
        socketDir: this.socketDir,
        watcherMode: this.watcherMode,
        useCdi: this.opts.useCdi,
        nodes: this.opts.host.nodes,
        deviceInfo: this.deviceInfo,
        cdi: this.cdi,
        metrics: this.metrics,
        log: log.child({ resource: name }),
      });
      const created: Entry = { pool, server, generation: 0 };
      this.entries.set(name, created);
      try {
        await this.startEntry(created);
      } catch (err) {
        // One pool that cannot serve (e.g. its socket cannot be bound) must not take the others down; the next
        // rescan tries it again.
        log.error('cannot start resource server', { resource: name, err });
        await this.stopEntry(name, created).catch(() => {});
      }
    }
  }

  private async startEntry(entry: Entry): Promise<void> {
    entry.generation++;
    await entry.server.start();
    if (!this.watcherMode) void this.registerLoop(entry, entry.generation);
  }

  private async stopEntry(name: string, entry: Entry): Promise<void> {
    entry.generation++;
    this.registered.delete(name);
    this.entries.delete(name);
    this.health.untrack(entry.pool);
    await entry.server.stop();
    if (this.opts.useCdi) {
      this.cdi.remove(entry.pool.config.resourcePrefix, entry.pool.config.deviceType, entry.pool.config.resourceName);
    }
    this.metrics.poolRemoved(name);
  }

  /** Registers until kubelet accepts, the entry is restarted/stopped, or the plugin stops. */
  private async registerLoop(entry: Entry, generation: number): Promise<void> {
    const { log } = this.opts;
    const kubeletSocket = join(this.devicePluginDir, KUBELET_SOCKET_NAME);
    let delay = 50;
    for (let attempt = 1; !this.stopped && entry.generation === generation; attempt++) {
      if (existsSync(kubeletSocket)) {
        try {
          await registerWithKubelet(kubeletSocket, {
            version: API_VERSION,
            endpoint: entry.pool.socketName,
            resourceName: entry.pool.fullName,
            options: PLUGIN_OPTIONS,
          });
          this.metrics.registration(entry.pool.fullName, true);
          log.info('registered with kubelet', { resource: entry.pool.fullName, endpoint: entry.pool.socketName });
          this.registered.add(entry.pool.fullName);
          return;
        } catch (err) {
          this.metrics.registration(entry.pool.fullName, false);
          if (attempt === 1 || attempt % 20 === 0) log.warn('registration failed; retrying', { err, attempt });
        }
      }
      // Back off, but wake up as soon as the folder changes (kubelet.sock re-created after a kubelet restart).
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.folderChanged.off('changed', done);
          resolve();
        };
        const timer = setTimeout(done, delay);
        this.folderChanged.once('changed', done);
      });
      delay = Math.min(delay * 2, 1000);
    }
  }

  /** Pool names whose last registration succeeded (for readiness). */
  readonly registered = new Set<string>();

  /** Ready: at least one pool, and (direct mode) every pool registered with kubelet. */
  get ready(): boolean {
    if (this.entries.size === 0) return false;
    return this.watcherMode || [...this.entries.keys()].every((n) => this.registered.has(n));
  }

  /** Re-creates and re-registers every pool whose socket vanished (kubelet restart) or was replaced. */
  private async checkSockets(): Promise<void> {
    let restarted = false;
    for (const [name, entry] of this.entries) {
      if (this.stopped || !entry.server.running || entry.server.socketIntact()) continue;
      if (!restarted) {
        restarted = true;
        this.metrics.kubeletRestart();
      }
      this.opts.log.warn('device plugin socket removed (kubelet restarted?); re-creating and re-registering', {
        resource: name,
      });
      this.registered.delete(name);
      await entry.server.stop();
      if (this.entries.get(name) === entry && !this.stopped) await this.startEntry(entry);
    }
  }

  /**
   * Re-reads the config and re-discovers devices, applying the difference. An invalid new config is rejected with a
   * log line and the running pools stay as they are. Calls are serialized.
   */
  rescan(reason: string): Promise<void> {
    const run = async () => {
      if (this.stopped) return;
      const { log } = this.opts;
      let configChanged = false;
      try {
        const { text, resources } = this.readConfig();
        if (text !== this.configText) {
          if (resources.length === 0) throw new ConfigError('no resource configuration');
          configChanged = true;
          this.config = resources;
          this.configText = text;
        }
      } catch (err) {
        this.metrics.configReload('rejected');
        log.error('new configuration rejected; keeping the running pools', { reason, err });
        // Still re-discover devices under the old config.
      }
      try {
        // Discovery outside the lock; only applying it excludes kubelet-restart handling.
        const snapshot = await this.opts.host.snapshot();
        if (this.stopped) return;
        await this.withServerLock(() => this.apply(snapshot));
        if (configChanged) {
          this.metrics.configReload('applied');
          log.info('configuration reloaded', { reason, resources: this.resources });
        }
      } catch (err) {
        log.error('re-discovery failed', { reason, err });
      }
    };
    this.rescanChain = this.rescanChain.then(run, run);
    return this.rescanChain;
  }

  /** Ends streams, stops every server, removes sockets, device-info files and (CDI mode) spec files. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.rescanTimer !== null) clearInterval(this.rescanTimer);
    if (this.linkRescanTimer !== null) clearTimeout(this.linkRescanTimer);
    this.configWatch?.stop();
    await this.folderWatch?.stop();
    await this.opts.host.links?.stop();
    await this.rescanChain.catch(() => {});
    await this.withServerLock(async () => {
      for (const [name, entry] of [...this.entries]) await this.stopEntry(name, entry);
    });
    if (this.opts.useCdi) this.cdi.cleanAll();
    this.opts.log.info('stopped');
  }
}
