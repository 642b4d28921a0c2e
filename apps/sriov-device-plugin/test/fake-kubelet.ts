// A fake kubelet for tests: serves v1beta1.Registration on <dir>/kubelet.sock and, like kubelet, dials the plugin
// back on Register (GetDevicePluginOptions before answering, then ListAndWatch in the background). It can also
// play the plugin watcher (GetInfo + NotifyRegistrationStatus) and simulate a restart by wiping the folder.
import { EventEmitter } from 'node:events';
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ClientReadableStream,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import {
  type AllocateResponse,
  type Device,
  DevicePluginClient,
  type DevicePluginOptions,
  type Empty,
  type ListAndWatchResponse,
  type PreferredAllocationResponse,
  type RegisterRequest,
  RegistrationService,
} from '../src/generated/deviceplugin/v1beta1/api.js';
import {
  type PluginInfo,
  RegistrationClient as PluginRegistrationClient,
} from '../src/generated/pluginregistration/v1/api.js';

export interface PluginConn {
  resource: string;
  endpoint: string;
  client: InstanceType<typeof DevicePluginClient>;
  options: DevicePluginOptions;
  stream: ClientReadableStream<ListAndWatchResponse> | null;
  updates: Device[][];
  ended: boolean;
}

function unary<T>(fn: (cb: (err: ServiceError | null, res: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));
}

export class FakeKubelet extends EventEmitter {
  readonly registrations: RegisterRequest[] = [];
  readonly plugins = new Map<string, PluginConn>();
  private server: Server | null = null;
  failRegister: string | null = null;

  constructor(readonly dir: string) {
    super();
  }

  get socketPath(): string {
    return join(this.dir, 'kubelet.sock');
  }

  async start(): Promise<void> {
    const server = new Server();
    server.addService(RegistrationService, {
      register: (call: ServerUnaryCall<RegisterRequest, Empty>, callback: sendUnaryData<Empty>) => {
        const req = call.request;
        this.registrations.push(req);
        this.emit('change');
        if (this.failRegister !== null) {
          callback(
            { code: status.UNKNOWN, details: this.failRegister, name: 'Error', message: this.failRegister },
            null,
          );
          return;
        }
        if (req.version !== 'v1beta1') {
          callback({ code: status.UNKNOWN, details: 'unsupported version', name: 'Error', message: 'version' }, null);
          return;
        }
        this.connect(req.resourceName, join(this.dir, req.endpoint)).then(
          () => callback(null, {}),
          (err: Error) =>
            callback({ code: status.UNKNOWN, details: err.message, name: 'Error', message: err.message }, null),
        );
      },
    });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix:${this.socketPath}`, ServerCredentials.createInsecure(), (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    this.server = server;
  }

  /** As kubelet's RegisterPlugin: dial, GetDevicePluginOptions (synchronously), then ListAndWatch in the background. */
  async connect(resource: string, endpoint: string): Promise<PluginConn> {
    this.plugins.get(resource)?.client.close();
    const client = new DevicePluginClient(`unix:${endpoint}`, credentials.createInsecure());
    const options = await unary<DevicePluginOptions>((cb) => client.getDevicePluginOptions({}, cb));
    const conn: PluginConn = { resource, endpoint, client, options, stream: null, updates: [], ended: false };
    this.plugins.set(resource, conn);
    const stream = client.listAndWatch({});
    conn.stream = stream;
    stream.on('data', (res: ListAndWatchResponse) => {
      conn.updates.push(res.devices);
      this.emit('change');
    });
    const end = () => {
      conn.ended = true;
      this.emit('change');
    };
    stream.on('end', end);
    stream.on('error', end);
    this.emit('change');
    return conn;
  }

  /** Plays kubelet's plugin watcher for one socket: GetInfo, connect, NotifyRegistrationStatus. */
  async watcherRegister(socket: string): Promise<PluginInfo> {
    const reg = new PluginRegistrationClient(`unix:${socket}`, credentials.createInsecure());
    try {
      const info = await unary<PluginInfo>((cb) => reg.getInfo({}, cb));
      await this.connect(info.name, info.endpoint === '' ? socket : info.endpoint);
      await unary((cb) => reg.notifyRegistrationStatus({ pluginRegistered: true, error: '' }, cb));
      return info;
    } finally {
      reg.close();
    }
  }

  latest(resource: string): Device[] | undefined {
    const updates = this.plugins.get(resource)?.updates;
    return updates?.[updates.length - 1];
  }

  /** Resolves when the predicate holds (re-checked on every kubelet-side event), rejects after timeoutMs. */
  waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onChange = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.off('change', onChange);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('change', onChange);
        reject(new Error(`fake kubelet: timed out waiting for ${what}`));
      }, timeoutMs);
      this.on('change', onChange);
    });
  }

  allocate(resource: string, ids: string[]): Promise<AllocateResponse> {
    const conn = this.plugins.get(resource);
    if (!conn) throw new Error(`no plugin for ${resource}`);
    return unary<AllocateResponse>((cb) => conn.client.allocate({ containerRequests: [{ devicesIds: ids }] }, cb));
  }

  preferred(resource: string, available: string[], mustInclude: string[], size: number) {
    const conn = this.plugins.get(resource)!;
    return unary<PreferredAllocationResponse>((cb) =>
      conn.client.getPreferredAllocation(
        {
          containerRequests: [
            { availableDeviceIDs: available, mustIncludeDeviceIDs: mustInclude, allocationSize: size },
          ],
        },
        new Metadata(),
        cb,
      ),
    );
  }

  private async closeServer(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const conn of this.plugins.values()) {
      conn.stream?.cancel();
      conn.client.close();
    }
    this.plugins.clear();
    if (server) await new Promise<void>((r) => server.tryShutdown(() => r()));
  }

  /** kubelet restart: stop, delete every socket in the folder but the checkpoint, serve kubelet.sock again. */
  async restart(): Promise<void> {
    await this.closeServer();
    for (const name of readdirSync(this.dir)) {
      if (name === 'kubelet_internal_checkpoint') continue;
      const path = join(this.dir, name);
      if (lstatSync(path).isSocket()) rmSync(path, { force: true });
    }
    await this.start();
  }

  async stop(): Promise<void> {
    await this.closeServer();
    rmSync(this.socketPath, { force: true });
  }
}
