// One gRPC server per resource pool on `<prefix>_<resourceName>.sock`: the DevicePlugin service, plus the
// pluginregistration service in plugin-watcher mode. ListAndWatch streams are tracked so stop() ends them and a
// graceful shutdown never waits on a stream kubelet keeps open.
import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  type handleUnaryCall,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { allocateContainer, type DeviceNodes, deviceOutputs, UnknownDeviceError } from './allocate.js';
import { type CdiSpecs, cdiAnnotations } from './cdi.js';
import type { DeviceInfoStore } from './device-info.js';
import {
  type AllocateRequest,
  type AllocateResponse,
  type ContainerAllocateResponse,
  type DevicePluginOptions,
  type DevicePluginServer,
  DevicePluginService,
  type Empty,
  type ListAndWatchResponse,
  type PreferredAllocationRequest,
  type PreferredAllocationResponse,
  type PreStartContainerRequest,
  type PreStartContainerResponse,
} from './generated/deviceplugin/v1beta1/api.js';
import {
  type InfoRequest,
  type PluginInfo,
  type RegistrationServer as PluginRegistrationServer,
  RegistrationService as PluginRegistrationService,
  type RegistrationStatus,
  type RegistrationStatusResponse,
} from './generated/pluginregistration/v1/api.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { ResourcePool } from './pool.js';
import { preferredAllocation } from './preferred.js';
import { pluginInfo, unixTarget } from './registration.js';

export const PLUGIN_OPTIONS: DevicePluginOptions = {
  preStartRequired: false,
  getPreferredAllocationAvailable: true,
};

export interface PoolServerOptions {
  pool: ResourcePool;
  /** Directory the socket goes into (device-plugins dir, or plugins_registry in watcher mode). */
  socketDir: string;
  watcherMode: boolean;
  useCdi: boolean;
  nodes: DeviceNodes;
  deviceInfo: DeviceInfoStore;
  cdi: CdiSpecs;
  metrics: Metrics;
  log: Logger;
  /** Plugin-watcher mode: kubelet's verdict on our registration. */
  onRegistrationStatus?: (registered: boolean, error: string) => void;
}

type ListAndWatchCall = ServerWritableStream<Empty, ListAndWatchResponse>;

export class PoolServer {
  readonly socketPath: string;
  private server: Server | null = null;
  private streams = new Set<ListAndWatchCall>();
  private unsubscribePool: (() => void) | null = null;
  /** Inode of the socket we bound, to notice it being replaced as well as removed. */
  private inode: number | null = null;

  constructor(private readonly opts: PoolServerOptions) {
    this.socketPath = join(opts.socketDir, opts.pool.socketName);
  }

  get pool(): ResourcePool {
    return this.opts.pool;
  }

  get running(): boolean {
    return this.server !== null;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** True when our socket file is still the one we bound. */
  socketIntact(): boolean {
    if (this.inode === null) return false;
    try {
      return lstatSync(this.socketPath).ino === this.inode;
    } catch {
      return false;
    }
  }

  async start(): Promise<void> {
    if (this.server !== null) return;
    const { pool, log } = this.opts;
    mkdirSync(this.opts.socketDir, { recursive: true });
    rmSync(this.socketPath, { force: true });
    this.cleanDeviceInfo();
    const server = new Server();
    server.addService(DevicePluginService, this.devicePluginImpl());
    if (this.opts.watcherMode) server.addService(PluginRegistrationService, this.pluginRegistrationImpl());
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(unixTarget(this.socketPath), ServerCredentials.createInsecure(), (err) =>
        err ? reject(err) : resolve(),
      );
    });
    this.server = server;
    this.inode = lstatSync(this.socketPath).ino;
    this.unsubscribePool = pool.subscribe((devices) => {
      this.publishMetrics();
      this.writeCdiSpec();
      for (const call of this.streams) call.write({ devices });
    });
    this.writeCdiSpec();
    this.publishMetrics();
    log.info('serving device plugin', { resource: pool.fullName, socket: this.socketPath, devices: pool.size });
  }

  /** Ends ListAndWatch streams, stops gRPC, removes the socket and the pool's device-info files. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.inode = null;
    this.unsubscribePool?.();
    this.unsubscribePool = null;
    for (const call of this.streams) call.end();
    this.streams.clear();
    if (server !== null) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    }
    rmSync(this.socketPath, { force: true });
    this.cleanDeviceInfo();
  }

  private cleanDeviceInfo(): void {
    const { pool } = this.opts;
    if (pool.config.deviceType !== 'netDevice') return;
    try {
      this.opts.deviceInfo.clean(pool.fullName, pool.deviceMap.keys());
    } catch (err) {
      this.opts.log.warn('cannot clean device-info files', { resource: pool.fullName, err });
    }
  }

  private publishMetrics(): void {
    const { healthy, unhealthy } = this.opts.pool.counts();
    this.opts.metrics.pool(this.opts.pool.fullName, healthy, unhealthy);
  }

  private writeCdiSpec(): void {
    if (!this.opts.useCdi) return;
    const { pool, nodes } = this.opts;
    const devices = [...pool.deviceMap.values()].map((d) => ({
      id: d.id,
      specs: deviceOutputs(d, pool.config, nodes).specs,
    }));
    try {
      this.opts.cdi.write(pool.config.resourcePrefix, pool.config.deviceType, pool.config.resourceName, devices);
    } catch (err) {
      this.opts.log.error('cannot write CDI spec', { resource: pool.fullName, err });
    }
  }

  /** Wraps a unary handler with metrics and error mapping. */
  private unary<Req, Res>(method: string, fn: (req: Req) => Res): handleUnaryCall<Req, Res> {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      try {
        const res = fn(call.request);
        this.opts.metrics.rpc(this.opts.pool.fullName, method, 'OK', seconds());
        callback(null, res);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.opts.metrics.rpc(this.opts.pool.fullName, method, 'ERROR', seconds());
        this.opts.log.error(`${method} failed`, { resource: this.opts.pool.fullName, err: message });
        const code = err instanceof UnknownDeviceError ? status.INVALID_ARGUMENT : status.INTERNAL;
        callback({ code, details: message, message, name: 'Error' }, null);
      }
    };
  }

  private devicePluginImpl(): DevicePluginServer {
    const { pool, log } = this.opts;
    return {
      getDevicePluginOptions: this.unary<Empty, DevicePluginOptions>('GetDevicePluginOptions', () => PLUGIN_OPTIONS),
      listAndWatch: (call: ListAndWatchCall) => {
        this.opts.metrics.rpc(pool.fullName, 'ListAndWatch', 'OK', 0);
        if (this.server === null) {
          call.end();
          return;
        }
        this.streams.add(call);
        const forget = () => this.streams.delete(call);
        call.on('cancelled', forget);
        call.on('close', forget);
        call.on('error', (err) => {
          forget();
          log.warn('ListAndWatch stream error', { resource: pool.fullName, err });
        });
        log.debug('ListAndWatch stream opened', { resource: pool.fullName });
        call.write({ devices: pool.list() });
      },
      getPreferredAllocation: this.unary<PreferredAllocationRequest, PreferredAllocationResponse>(
        'GetPreferredAllocation',
        (req) => ({
          containerResponses: req.containerRequests.map((c) => ({
            deviceIDs: preferredAllocation(
              c.availableDeviceIDs,
              c.mustIncludeDeviceIDs,
              c.allocationSize,
              pool.deviceMap,
            ),
          })),
        }),
      ),
      allocate: this.unary<AllocateRequest, AllocateResponse>('Allocate', (req) => this.allocate(req)),
      preStartContainer: this.unary<PreStartContainerRequest, PreStartContainerResponse>(
        'PreStartContainer',
        () => ({}),
      ),
    };
  }

  private allocate(req: AllocateRequest): AllocateResponse {
    const { pool, nodes, useCdi, log } = this.opts;
    const config = pool.config;
    const containerResponses: ContainerAllocateResponse[] = [];
    for (const creq of req.containerRequests) {
      const ids = creq.devicesIds;
      const { envs, specs } = allocateContainer(ids, pool.deviceMap, config, nodes);
      const response: ContainerAllocateResponse = { envs, mounts: [], devices: [], annotations: {}, cdiDevices: [] };
      if (useCdi) response.annotations = cdiAnnotations(config.resourcePrefix, config.deviceType, ids);
      else response.devices = specs;
      if (config.deviceType === 'netDevice') {
        for (const id of ids) this.opts.deviceInfo.write(pool.fullName, pool.deviceMap.get(id)!);
      }
      log.info('allocated', { resource: pool.fullName, devices: ids });
      containerResponses.push(response);
    }
    return { containerResponses };
  }

  private pluginRegistrationImpl(): PluginRegistrationServer {
    const { pool, log } = this.opts;
    return {
      getInfo: this.unary<InfoRequest, PluginInfo>('GetInfo', () => pluginInfo(pool.fullName, this.socketPath)),
      notifyRegistrationStatus: this.unary<RegistrationStatus, RegistrationStatusResponse>(
        'NotifyRegistrationStatus',
        (req) => {
          if (req.pluginRegistered) log.info('registered with kubelet (plugin watcher)', { resource: pool.fullName });
          else log.error('kubelet rejected the plugin', { resource: pool.fullName, error: req.error });
          this.opts.metrics.registration(pool.fullName, req.pluginRegistered);
          this.opts.onRegistrationStatus?.(req.pluginRegistered, req.error);
          return {};
        },
      ),
    };
  }
}
