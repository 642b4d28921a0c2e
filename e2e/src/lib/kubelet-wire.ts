// Protobuf wire encoding of the few kubelet Device Plugin API v1beta1 messages the kubelet stand-in exchanges
// (field numbers from k8s.io/kubelet/pkg/apis/deviceplugin/v1beta1/api.proto). Written here rather than imported
// from the device plugin app: the stand-in plays kubelet and must not share the plugin's own generated code,
// or a wrong field number on both sides would go unnoticed.
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

export interface RegisterRequest {
  version: string;
  endpoint: string;
  resourceName: string;
  preferredAllocationAvailable: boolean;
}

export interface Device {
  id: string;
  health: string;
  numaNodes: number[];
}

export interface DeviceSpec {
  containerPath: string;
  hostPath: string;
  permissions: string;
}

export interface ContainerAllocateResponse {
  envs: Record<string, string>;
  annotations: Record<string, string>;
  devices: DeviceSpec[];
  mounts: { containerPath: string; hostPath: string; readOnly: boolean }[];
}

export const EMPTY = new Uint8Array(0);

function forEachField(bytes: Uint8Array, fn: (field: number, r: BinaryReader, wire: WireType) => boolean): void {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (!fn(field, r, wire)) r.skip(wire, field);
  }
}

function decodeOptions(bytes: Uint8Array): { preStartRequired: boolean; preferredAllocationAvailable: boolean } {
  const o = { preStartRequired: false, preferredAllocationAvailable: false };
  forEachField(bytes, (f, r) => {
    if (f === 1) o.preStartRequired = r.bool();
    else if (f === 2) o.preferredAllocationAvailable = r.bool();
    else return false;
    return true;
  });
  return o;
}

export function decodeRegisterRequest(bytes: Uint8Array): RegisterRequest {
  const req: RegisterRequest = { version: '', endpoint: '', resourceName: '', preferredAllocationAvailable: false };
  forEachField(bytes, (f, r) => {
    if (f === 1) req.version = r.string();
    else if (f === 2) req.endpoint = r.string();
    else if (f === 3) req.resourceName = r.string();
    else if (f === 4) req.preferredAllocationAvailable = decodeOptions(r.bytes()).preferredAllocationAvailable;
    else return false;
    return true;
  });
  return req;
}

export const decodeDevicePluginOptions = decodeOptions;

function decodeDevice(bytes: Uint8Array): Device {
  const d: Device = { id: '', health: '', numaNodes: [] };
  forEachField(bytes, (f, r) => {
    if (f === 1) d.id = r.string();
    else if (f === 2) d.health = r.string();
    else if (f === 3) {
      // TopologyInfo { repeated NUMANode nodes = 1 }, NUMANode { int64 ID = 1 }
      forEachField(r.bytes(), (tf, tr) => {
        if (tf !== 1) return false;
        // proto3 omits a zero ID: an empty NUMANode is node 0.
        let id = 0;
        forEachField(tr.bytes(), (nf, nr) => {
          if (nf !== 1) return false;
          id = Number(nr.int64());
          return true;
        });
        d.numaNodes.push(id);
        return true;
      });
    } else return false;
    return true;
  });
  return d;
}

/** ListAndWatchResponse { repeated Device devices = 1 } */
export function decodeListAndWatchResponse(bytes: Uint8Array): Device[] {
  const devices: Device[] = [];
  forEachField(bytes, (f, r) => {
    if (f !== 1) return false;
    devices.push(decodeDevice(r.bytes()));
    return true;
  });
  return devices;
}

/** AllocateRequest { repeated ContainerAllocateRequest container_requests = 1 { repeated string devices_ids = 1 } } */
export function encodeAllocateRequest(ids: string[]): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.LengthDelimited).fork();
  for (const id of ids) w.tag(1, WireType.LengthDelimited).string(id);
  w.join();
  return w.finish();
}

/**
 * PreferredAllocationRequest { repeated ContainerPreferredAllocationRequest container_requests = 1 {
 * available_deviceIDs = 1, must_include_deviceIDs = 2, int32 allocation_size = 3 } }
 */
export function encodePreferredAllocationRequest(available: string[], size: number): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.LengthDelimited).fork();
  for (const id of available) w.tag(1, WireType.LengthDelimited).string(id);
  w.tag(3, WireType.Varint).int32(size);
  w.join();
  return w.finish();
}

/** PreferredAllocationResponse { container_responses = 1 { repeated string deviceIDs = 1 } } → first container's IDs */
export function decodePreferredAllocationResponse(bytes: Uint8Array): string[] {
  const ids: string[] = [];
  let first = true;
  forEachField(bytes, (f, r) => {
    if (f !== 1) return false;
    const inner = r.bytes();
    if (first) {
      forEachField(inner, (cf, cr) => {
        if (cf !== 1) return false;
        ids.push(cr.string());
        return true;
      });
    }
    first = false;
    return true;
  });
  return ids;
}

function decodeMapEntry(bytes: Uint8Array): [string, string] {
  let key = '';
  let value = '';
  forEachField(bytes, (f, r) => {
    if (f === 1) key = r.string();
    else if (f === 2) value = r.string();
    else return false;
    return true;
  });
  return [key, value];
}

/** AllocateResponse { repeated ContainerAllocateResponse container_responses = 1 } */
export function decodeAllocateResponse(bytes: Uint8Array): ContainerAllocateResponse[] {
  const out: ContainerAllocateResponse[] = [];
  forEachField(bytes, (f, r) => {
    if (f !== 1) return false;
    const c: ContainerAllocateResponse = { envs: {}, annotations: {}, devices: [], mounts: [] };
    forEachField(r.bytes(), (cf, cr) => {
      if (cf === 1) {
        const [k, v] = decodeMapEntry(cr.bytes());
        c.envs[k] = v;
      } else if (cf === 2) {
        const m = { containerPath: '', hostPath: '', readOnly: false };
        forEachField(cr.bytes(), (mf, mr) => {
          if (mf === 1) m.containerPath = mr.string();
          else if (mf === 2) m.hostPath = mr.string();
          else if (mf === 3) m.readOnly = mr.bool();
          else return false;
          return true;
        });
        c.mounts.push(m);
      } else if (cf === 3) {
        const d: DeviceSpec = { containerPath: '', hostPath: '', permissions: '' };
        forEachField(cr.bytes(), (df, dr) => {
          if (df === 1) d.containerPath = dr.string();
          else if (df === 2) d.hostPath = dr.string();
          else if (df === 3) d.permissions = dr.string();
          else return false;
          return true;
        });
        c.devices.push(d);
      } else if (cf === 4) {
        const [k, v] = decodeMapEntry(cr.bytes());
        c.annotations[k] = v;
      } else return false;
      return true;
    });
    out.push(c);
    return true;
  });
  return out;
}
