// The kubelet stand-in's protobuf bytes, checked against hand-encoded v1beta1 messages (field numbers from
// api.proto), and the Multus-side env name rule. No root needed.
import { describe, expect, it } from 'vitest';
import { deviceIdFromEnv, pciDeviceEnvName } from './lib/kubelet-standin.js';
import {
  decodeAllocateResponse,
  decodeListAndWatchResponse,
  decodePreferredAllocationResponse,
  decodeRegisterRequest,
  encodeAllocateRequest,
  encodePreferredAllocationRequest,
} from './lib/kubelet-wire.js';

const ascii = (s: string) => [...Buffer.from(s)];
const lengthVarint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...lengthVarint(n >> 7)]);
/** A length-delimited field: tag (field << 3 | 2), varint length, bytes. */
const ld = (field: number, bytes: number[]) => [(field << 3) | 2, ...lengthVarint(bytes.length), ...bytes];
const varint = (field: number, v: number) => [field << 3, v];

describe('kubelet wire encoding', () => {
  it('AllocateRequest{container_requests:[{devices_ids:[a, b]}]}', () => {
    const bytes = [...encodeAllocateRequest(['0000:3b:02.0', '0000:3b:02.1'])];
    expect(bytes).toEqual(ld(1, [...ld(1, ascii('0000:3b:02.0')), ...ld(1, ascii('0000:3b:02.1'))]));
  });

  it('PreferredAllocationRequest carries available IDs (1) and allocation_size (3)', () => {
    expect([...encodePreferredAllocationRequest(['a', 'b'], 1)]).toEqual(
      ld(1, [...ld(1, ascii('a')), ...ld(1, ascii('b')), ...varint(3, 1)]),
    );
    expect(decodePreferredAllocationResponse(new Uint8Array(ld(1, [...ld(1, ascii('b'))])))).toEqual(['b']);
  });

  it('RegisterRequest with options{get_preferred_allocation_available}', () => {
    const bytes = [
      ...ld(1, ascii('v1beta1')),
      ...ld(2, ascii('x.sock')),
      ...ld(3, ascii('intel.com/net')),
      ...ld(4, varint(2, 1)),
    ];
    expect(decodeRegisterRequest(new Uint8Array(bytes))).toEqual({
      version: 'v1beta1',
      endpoint: 'x.sock',
      resourceName: 'intel.com/net',
      preferredAllocationAvailable: true,
    });
  });

  it('ListAndWatchResponse: NUMA node 0 is an empty NUMANode (proto3 omits zero), node 1 is explicit', () => {
    const dev = (id: string, health: string, numa: number[]) => [
      ...ld(1, ascii(id)),
      ...ld(2, ascii(health)),
      ...ld(3, ld(1, numa.length ? varint(1, numa[0]!) : [])),
    ];
    const bytes = [...ld(1, dev('a', 'Healthy', [])), ...ld(1, dev('b', 'Unhealthy', [1]))];
    expect(decodeListAndWatchResponse(new Uint8Array(bytes))).toEqual([
      { id: 'a', health: 'Healthy', numaNodes: [0] },
      { id: 'b', health: 'Unhealthy', numaNodes: [1] },
    ]);
  });

  it('AllocateResponse: envs map, mounts, device specs, annotations; unknown fields skipped', () => {
    const entry = (k: string, v: string) => [...ld(1, ascii(k)), ...ld(2, ascii(v))];
    const container = [
      ...ld(1, entry('PCIDEVICE_INTEL_COM_NET', '0000:3b:02.0')),
      ...ld(2, [...ld(1, ascii('/c')), ...ld(2, ascii('/h')), ...varint(3, 1)]),
      ...ld(3, [...ld(1, ascii('/dev/vfio/7')), ...ld(2, ascii('/dev/vfio/7')), ...ld(3, ascii('rw'))]),
      ...ld(4, entry('k8s.v1.cni.cncf.io/x', 'y')),
      ...ld(5, ascii('cdi-device-ignored')),
    ];
    expect(decodeAllocateResponse(new Uint8Array(ld(1, container)))).toEqual([
      {
        envs: { PCIDEVICE_INTEL_COM_NET: '0000:3b:02.0' },
        mounts: [{ containerPath: '/c', hostPath: '/h', readOnly: true }],
        devices: [{ containerPath: '/dev/vfio/7', hostPath: '/dev/vfio/7', permissions: 'rw' }],
        annotations: { 'k8s.v1.cni.cncf.io/x': 'y' },
      },
    ]);
  });
});

describe('Multus side', () => {
  it('PCIDEVICE_ name: . and / become _, upper case, hyphens kept', () => {
    expect(pciDeviceEnvName('intel.com/intel_sriov_netdevice')).toBe('PCIDEVICE_INTEL_COM_INTEL_SRIOV_NETDEVICE');
    expect(pciDeviceEnvName('example.org/mlx-rdma')).toBe('PCIDEVICE_EXAMPLE_ORG_MLX-RDMA');
  });

  it('deviceID is the first of the comma-separated IDs; a missing env is a clear error', () => {
    expect(deviceIdFromEnv({ PCIDEVICE_A_B: '0000:3b:02.1,0000:3b:02.2' }, 'a/b')).toBe('0000:3b:02.1');
    expect(() => deviceIdFromEnv({ OTHER: 'x' }, 'a/b')).toThrow('allocation carries no PCIDEVICE_A_B (envs: OTHER)');
  });
});
