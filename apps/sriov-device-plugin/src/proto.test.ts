// Checks the generated codecs against the field numbers and wire types of the kubelet API (reference
// device-plugin.md §1.2 and §1.5), using protobuf bytes built by hand rather than by the codec under test.
import { describe, expect, it } from 'vitest';
import {
  AllocateRequest,
  ContainerAllocateResponse,
  ContainerPreferredAllocationRequest,
  ContainerPreferredAllocationResponse,
  DevicePluginOptions,
  DevicePluginService,
  ListAndWatchResponse,
  PreStartContainerRequest,
  RegisterRequest,
  RegistrationService,
} from './generated/deviceplugin/v1beta1/api.js';
import {
  PluginInfo,
  RegistrationService as PluginRegistrationService,
  RegistrationStatus,
} from './generated/pluginregistration/v1/api.js';

const VARINT = 0;
const LEN = 2;

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** One protobuf field: key (field number << 3 | wire type) then payload. */
function field(num: number, wireType: number, payload: number[] | string | number | boolean): number[] {
  const key = varint((num << 3) | wireType);
  if (wireType === VARINT) return [...key, ...varint(Number(payload))];
  const bytes = typeof payload === 'string' ? [...Buffer.from(payload, 'utf8')] : (payload as number[]);
  return [...key, ...varint(bytes.length), ...bytes];
}

const bytes = (...fields: number[][]) => Uint8Array.from(fields.flat());

describe('v1beta1 wire format', () => {
  it('RegisterRequest: version=1 endpoint=2 resource_name=3 options=4{pre_start_required=1, get_preferred=2}', () => {
    const wire = bytes(
      field(1, LEN, 'v1beta1'),
      field(2, LEN, 'intel.com_sriov.sock'),
      field(3, LEN, 'intel.com/sriov'),
      field(4, LEN, [...field(1, VARINT, 1), ...field(2, VARINT, 1)]),
    );
    const decoded = RegisterRequest.decode(wire);
    expect(decoded).toEqual({
      version: 'v1beta1',
      endpoint: 'intel.com_sriov.sock',
      resourceName: 'intel.com/sriov',
      options: { preStartRequired: true, getPreferredAllocationAvailable: true },
    });
    expect([...RegisterRequest.encode(decoded).finish()]).toEqual([...wire]);
  });

  it('DevicePluginOptions: get_preferred_allocation_available is field 2', () => {
    const wire = bytes(field(2, VARINT, 1));
    expect(DevicePluginOptions.decode(wire)).toEqual({
      preStartRequired: false,
      getPreferredAllocationAvailable: true,
    });
    expect([
      ...DevicePluginOptions.encode({ preStartRequired: false, getPreferredAllocationAvailable: true }).finish(),
    ]).toEqual([...wire]);
  });

  it('ListAndWatchResponse: devices=1, Device{ID=1, health=2, topology=3{nodes=1{ID=1 int64}}}', () => {
    const topology = field(3, LEN, field(1, LEN, field(1, VARINT, 1)));
    const device = [...field(1, LEN, '0000:3b:02.1'), ...field(2, LEN, 'Healthy'), ...topology];
    const wire = bytes(
      field(1, LEN, device),
      field(1, LEN, [...field(1, LEN, '0000:3b:02.2'), ...field(2, LEN, 'Unhealthy')]),
    );
    const decoded = ListAndWatchResponse.decode(wire);
    expect(decoded.devices).toEqual([
      { ID: '0000:3b:02.1', health: 'Healthy', topology: { nodes: [{ ID: 1 }] } },
      { ID: '0000:3b:02.2', health: 'Unhealthy', topology: undefined },
    ]);
    expect([...ListAndWatchResponse.encode(decoded).finish()]).toEqual([...wire]);
  });

  it('ContainerPreferredAllocationRequest: available=1 must_include=2 allocation_size=3; response deviceIDs=1', () => {
    const wire = bytes(field(1, LEN, 'a'), field(1, LEN, 'b'), field(2, LEN, 'b'), field(3, VARINT, 2));
    expect(ContainerPreferredAllocationRequest.decode(wire)).toEqual({
      availableDeviceIDs: ['a', 'b'],
      mustIncludeDeviceIDs: ['b'],
      allocationSize: 2,
    });
    expect([...ContainerPreferredAllocationResponse.encode({ deviceIDs: ['x'] }).finish()]).toEqual([
      ...bytes(field(1, LEN, 'x')),
    ]);
  });

  it('AllocateRequest: container_requests=1 {devices_ids=1}; PreStartContainerRequest devices_ids=1', () => {
    const wire = bytes(field(1, LEN, [...field(1, LEN, '0000:03:02.1'), ...field(1, LEN, '0000:03:04.3')]));
    expect(AllocateRequest.decode(wire)).toEqual({
      containerRequests: [{ devicesIds: ['0000:03:02.1', '0000:03:04.3'] }],
    });
    expect(PreStartContainerRequest.decode(bytes(field(1, LEN, 'x')))).toEqual({ devicesIds: ['x'] });
  });

  it('ContainerAllocateResponse: envs=1 mounts=2 devices=3 annotations=4 cdi_devices=5 with map entries key=1 value=2', () => {
    const wire = bytes(
      field(1, LEN, [...field(1, LEN, 'K'), ...field(2, LEN, 'V')]),
      field(2, LEN, [...field(1, LEN, '/c'), ...field(2, LEN, '/h'), ...field(3, VARINT, 1)]),
      field(3, LEN, [...field(1, LEN, '/dev/vfio/7'), ...field(2, LEN, '/dev/vfio/7'), ...field(3, LEN, 'rw')]),
      field(4, LEN, [...field(1, LEN, 'cdi.k8s.io/intel.com_net-pci'), ...field(2, LEN, 'intel.com/net-pci=x')]),
      field(5, LEN, field(1, LEN, 'intel.com/net-pci=x')),
    );
    const decoded = ContainerAllocateResponse.decode(wire);
    expect(decoded).toEqual({
      envs: { K: 'V' },
      mounts: [{ containerPath: '/c', hostPath: '/h', readOnly: true }],
      devices: [{ containerPath: '/dev/vfio/7', hostPath: '/dev/vfio/7', permissions: 'rw' }],
      annotations: { 'cdi.k8s.io/intel.com_net-pci': 'intel.com/net-pci=x' },
      cdiDevices: [{ name: 'intel.com/net-pci=x' }],
    });
    expect([...ContainerAllocateResponse.encode(decoded).finish()]).toEqual([...wire]);
  });

  it('serves the exact gRPC method paths kubelet calls', () => {
    expect(Object.values(RegistrationService).map((m) => m.path)).toEqual(['/v1beta1.Registration/Register']);
    expect(Object.values(DevicePluginService).map((m) => m.path)).toEqual([
      '/v1beta1.DevicePlugin/GetDevicePluginOptions',
      '/v1beta1.DevicePlugin/ListAndWatch',
      '/v1beta1.DevicePlugin/GetPreferredAllocation',
      '/v1beta1.DevicePlugin/Allocate',
      '/v1beta1.DevicePlugin/PreStartContainer',
    ]);
    expect(DevicePluginService.listAndWatch.responseStream).toBe(true);
    expect(Object.values(PluginRegistrationService).map((m) => m.path)).toEqual([
      '/pluginregistration.Registration/GetInfo',
      '/pluginregistration.Registration/NotifyRegistrationStatus',
    ]);
  });
});

describe('pluginregistration wire format', () => {
  it('PluginInfo: type=1 name=2 endpoint=3 supported_versions=4; RegistrationStatus plugin_registered=1 error=2', () => {
    const wire = bytes(
      field(1, LEN, 'DevicePlugin'),
      field(2, LEN, 'intel.com/x'),
      field(3, LEN, '/p.sock'),
      field(4, LEN, 'v1alpha1'),
      field(4, LEN, 'v1beta1'),
    );
    const info = {
      type: 'DevicePlugin',
      name: 'intel.com/x',
      endpoint: '/p.sock',
      supportedVersions: ['v1alpha1', 'v1beta1'],
    };
    expect(PluginInfo.decode(wire)).toEqual(info);
    expect([...PluginInfo.encode(info).finish()]).toEqual([...wire]);
    expect(RegistrationStatus.decode(bytes(field(1, VARINT, 0), field(2, LEN, 'bad name')))).toEqual({
      pluginRegistered: false,
      error: 'bad name',
    });
  });
});
