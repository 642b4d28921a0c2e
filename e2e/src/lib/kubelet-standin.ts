// A kubelet stand-in for the device manager side of the Device Plugin API v1beta1, over real gRPC on unix
// sockets: it serves Registration on <dir>/kubelet.sock and, as kubelet's devicemanager does on Register, dials
// the plugin back asynchronously (GetDevicePluginOptions, then a long-lived ListAndWatch). Allocation follows
// kubelet's order: GetPreferredAllocation when the plugin advertises it, then Allocate.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import {
  type Client,
  type ClientReadableStream,
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import {
  type ContainerAllocateResponse,
  type Device,
  decodeAllocateResponse,
  decodeDevicePluginOptions,
  decodeListAndWatchResponse,
  decodePreferredAllocationResponse,
  decodeRegisterRequest,
  EMPTY,
  encodeAllocateRequest,
  encodePreferredAllocationRequest,
  type RegisterRequest,
} from './kubelet-wire.js';

const raw = {
  requestSerialize: (b: Uint8Array) => Buffer.from(b),
  requestDeserialize: (b: Buffer) => new Uint8Array(b),
  responseSerialize: (b: Uint8Array) => Buffer.from(b),
  responseDeserialize: (b: Buffer) => new Uint8Array(b),
};

const registrationService: ServiceDefinition = {
  register: {
    path: '/v1beta1.Registration/Register',
    requestStream: false,
    responseStream: false,
    originalName: 'Register',
    ...raw,
  },
};

const devicePluginService: ServiceDefinition = {
  getDevicePluginOptions: {
    path: '/v1beta1.DevicePlugin/GetDevicePluginOptions',
    requestStream: false,
    responseStream: false,
    ...raw,
  },
  listAndWatch: { path: '/v1beta1.DevicePlugin/ListAndWatch', requestStream: false, responseStream: true, ...raw },
  getPreferredAllocation: {
    path: '/v1beta1.DevicePlugin/GetPreferredAllocation',
    requestStream: false,
    responseStream: false,
    ...raw,
  },
  allocate: { path: '/v1beta1.DevicePlugin/Allocate', requestStream: false, responseStream: false, ...raw },
};

type Unary = (req: Uint8Array, cb: (err: ServiceError | null, res?: Uint8Array) => void) => void;
type DevicePluginClient = Client & {
  getDevicePluginOptions: Unary;
  getPreferredAllocation: Unary;
  allocate: Unary;
  listAndWatch: (req: Uint8Array) => ClientReadableStream<Uint8Array>;
};
const DevicePluginClientCtor = makeGenericClientConstructor(devicePluginService, 'DevicePlugin');

function call(fn: Unary, req: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res ?? EMPTY))));
}

export interface PluginEndpoint {
  resource: string;
  socket: string;
  preferredAllocation: boolean;
  devices: Device[];
  updates: number;
  client: DevicePluginClient;
  stream: ClientReadableStream<Uint8Array>;
}

export interface Allocation {
  resource: string;
  /** What GetPreferredAllocation proposed (empty when the plugin does not offer it). */
  preferred: string[];
  ids: string[];
  response: ContainerAllocateResponse;
}

export class KubeletStandIn extends EventEmitter {
  readonly registrations: RegisterRequest[] = [];
  readonly endpoints = new Map<string, PluginEndpoint>();
  /** Device IDs handed out per resource, as kubelet's checkpoint keeps them. */
  readonly allocated = new Map<string, Set<string>>();
  readonly errors: Error[] = [];
  private server: Server | null = null;

  constructor(readonly dir: string) {
    super();
  }

  get socketPath(): string {
    return join(this.dir, 'kubelet.sock');
  }

  async start(): Promise<void> {
    const server = new Server();
    server.addService(registrationService, {
      register: (rpc: { request: Uint8Array }, cb: (err: Partial<ServiceError> | null, res?: Uint8Array) => void) => {
        const req = decodeRegisterRequest(rpc.request);
        this.registrations.push(req);
        if (req.version !== 'v1beta1') {
          cb({ code: status.INVALID_ARGUMENT, details: `unsupported API version ${req.version}` });
          return;
        }
        cb(null, EMPTY);
        // kubelet connects back after answering Register (devicemanager's `go s.connectClient`).
        this.connect(req).catch((e: Error) => {
          this.errors.push(e);
          this.emit('change');
        });
      },
    });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix:${this.socketPath}`, ServerCredentials.createInsecure(), (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    this.server = server;
  }

  private async connect(req: RegisterRequest): Promise<void> {
    this.endpoints.get(req.resourceName)?.client.close();
    const socket = join(this.dir, req.endpoint);
    const client = new DevicePluginClientCtor(
      `unix:${socket}`,
      credentials.createInsecure(),
    ) as unknown as DevicePluginClient;
    const options = decodeDevicePluginOptions(await call(client.getDevicePluginOptions.bind(client), EMPTY));
    const stream = client.listAndWatch(EMPTY);
    const ep: PluginEndpoint = {
      resource: req.resourceName,
      socket,
      preferredAllocation: options.preferredAllocationAvailable,
      devices: [],
      updates: 0,
      client,
      stream,
    };
    this.endpoints.set(req.resourceName, ep);
    stream.on('data', (bytes: Uint8Array) => {
      ep.devices = decodeListAndWatchResponse(bytes);
      ep.updates++;
      this.emit('change');
    });
    stream.on('error', () => this.emit('change'));
    this.emit('change');
  }

  /** Resolves when the predicate holds (re-checked on every event), rejects after timeoutMs. */
  waitFor(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
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
        const errors = this.errors.map((e) => e.message).join('; ');
        reject(new Error(`kubelet stand-in: timed out waiting for ${what}${errors ? ` (errors: ${errors})` : ''}`));
      }, timeoutMs);
      this.on('change', onChange);
    });
  }

  /** Healthy devices not yet allocated, as kubelet computes the available set. */
  available(resource: string): string[] {
    const taken = this.allocated.get(resource) ?? new Set();
    return (this.endpoints.get(resource)?.devices ?? [])
      .filter((d) => d.health === 'Healthy' && !taken.has(d.id))
      .map((d) => d.id);
  }

  /** One container asking for `count` devices of `resource`. */
  async allocate(resource: string, count = 1): Promise<Allocation> {
    const ep = this.endpoints.get(resource);
    if (!ep) throw new Error(`kubelet stand-in: no plugin registered for ${resource}`);
    const available = this.available(resource);
    if (available.length < count) {
      throw new Error(`kubelet stand-in: ${resource}: ${count} requested, ${available.length} available`);
    }
    let preferred: string[] = [];
    if (ep.preferredAllocation) {
      const res = await call(
        ep.client.getPreferredAllocation.bind(ep.client),
        encodePreferredAllocationRequest(available, count),
      );
      preferred = decodePreferredAllocationResponse(res);
    }
    // kubelet takes the preferred set when it is valid, else the first available devices.
    const ids =
      preferred.length === count && preferred.every((id) => available.includes(id))
        ? preferred
        : available.slice(0, count);
    const response = decodeAllocateResponse(
      await call(ep.client.allocate.bind(ep.client), encodeAllocateRequest(ids)),
    )[0];
    if (!response) throw new Error(`kubelet stand-in: ${resource}: Allocate returned no container response`);
    const taken = this.allocated.get(resource) ?? new Set<string>();
    for (const id of ids) taken.add(id);
    this.allocated.set(resource, taken);
    return { resource, preferred, ids, response };
  }

  /** A pod deleted: kubelet forgets its devices (there is no plugin RPC for that). */
  release(resource: string, ids: string[]): void {
    for (const id of ids) this.allocated.get(resource)?.delete(id);
  }

  async stop(): Promise<void> {
    for (const ep of this.endpoints.values()) {
      ep.stream.cancel();
      ep.client.close();
    }
    this.endpoints.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.tryShutdown(() => r()));
  }
}

/**
 * The env name the device plugin sets for a resource, as Multus and the pod read it:
 * PCIDEVICE_ + the resource name with `.` and `/` turned into `_`, upper-cased.
 */
export function pciDeviceEnvName(resource: string): string {
  return `PCIDEVICE_${resource.replace(/[./]/g, '_').toUpperCase()}`;
}

/**
 * What Multus does for a delegate whose network asks for a device plugin resource: read the allocated IDs for the
 * resource and put the (first) one into the netconf as `deviceID`.
 */
export function deviceIdFromEnv(envs: Record<string, string>, resource: string): string {
  const name = pciDeviceEnvName(resource);
  const value = envs[name];
  if (!value) throw new Error(`allocation carries no ${name} (envs: ${Object.keys(envs).join(', ') || 'none'})`);
  const first = value.split(',')[0]!.trim();
  return first;
}
