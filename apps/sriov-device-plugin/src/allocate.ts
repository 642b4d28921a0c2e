// Allocate contents (reference §4.2–4.4): the PCIDEVICE_<PREFIX>_<NAME> env, its _INFO JSON, and device specs.
// Unlike the Go plugin, the _INFO `mount` keys are computed together with the specs, so they are present on the
// first allocation too (the Go plugin's env-before-specs bug).
import { goMarshalSorted, type JsonTree } from './go-json.js';
import type { PoolDevice, ResourceConfig } from './types.js';

export interface DeviceSpecOut {
  containerPath: string;
  hostPath: string;
  permissions: string;
}

/** What Allocate looks at on the host at allocation time (device nodes come and go). */
export interface DeviceNodes {
  /** True when the host device node exists (path under /dev, resolved against the injectable dev root). */
  exists(devPath: string): boolean;
  /** Host paths of the RDMA char devices of an RDMA device (`/dev/infiniband/uverbs3`, `umad3`, `issm3`, `ucm3`). */
  rdmaCharDevices(rdmaDevice: string): string[];
}

export const VFIO_CONTAINER = '/dev/vfio/vfio';
export const VHOST_NET = '/dev/vhost-net';
export const TUN = '/dev/net/tun';
export const RDMA_CM = '/dev/infiniband/rdma_cm';

/** `PCIDEVICE_` + prefix + `_` + name with `.` and `/` turned into `_`, upper-cased (hyphens kept, as Go does). */
export function resourceEnvName(prefix: string, resourceName: string): string {
  return `PCIDEVICE_${prefix}_${resourceName}`.replace(/[./]/g, '_').toUpperCase();
}

/** The driver that decides vfio/uio providers: the device's own, or for aux devices the parent PCI driver. */
function driverOf(dev: PoolDevice): string | null {
  return dev.pci.driver;
}

interface DeviceOutputs {
  info: Record<string, Record<string, string>>;
  specs: DeviceSpecOut[];
}

const rw = (hostPath: string, containerPath = hostPath): DeviceSpecOut => ({
  containerPath,
  hostPath,
  permissions: 'rw',
});

/** Info providers and specs for one device (reference §4.2 provider table and §4.3 specs). */
export function deviceOutputs(dev: PoolDevice, config: ResourceConfig, nodes: DeviceNodes): DeviceOutputs {
  const info: Record<string, Record<string, string>> = { generic: { deviceID: dev.id } };
  const specs: DeviceSpecOut[] = [];
  const driver = driverOf(dev);
  if (driver === 'vfio-pci' && dev.pci.iommuGroup !== null) {
    const group = String(dev.pci.iommuGroup);
    const containerGroup = `/dev/vfio/${group}`;
    const hostGroup = dev.pci.vfioNoIommu ? `/dev/vfio/noiommu-${group}` : containerGroup;
    specs.push(rw(VFIO_CONTAINER), rw(hostGroup, containerGroup));
    info.vfio = { mount: VFIO_CONTAINER, 'dev-mount': containerGroup };
  } else if ((driver === 'uio' || driver === 'igb_uio') && dev.pci.uioDevice !== null) {
    const uio = `/dev/${dev.pci.uioDevice}`;
    specs.push(rw(uio));
    info.uio = { mount: uio };
  }
  if (dev.isRdma) {
    const rdmaDevs = dev.aux !== null ? dev.aux.rdmaDevices : dev.pci.rdmaDevices;
    const rdmaInfo: Record<string, string> = {};
    for (const rdmaDev of rdmaDevs) {
      for (const path of nodes.rdmaCharDevices(rdmaDev)) {
        specs.push(rw(path));
        const base = path.slice(path.lastIndexOf('/') + 1);
        for (const kind of ['uverbs', 'umad', 'issm'] as const) {
          if (base.startsWith(kind) && rdmaInfo[kind] === undefined) rdmaInfo[kind] = path;
        }
      }
    }
    if (rdmaDevs.length > 0) {
      if (nodes.exists(RDMA_CM)) {
        specs.push(rw(RDMA_CM));
        rdmaInfo.rdma_cm = RDMA_CM;
      }
      rdmaInfo.rdma_dev = rdmaDevs.join(',');
      info.rdma = rdmaInfo;
    }
  }
  if (dev.needVhostNet && nodes.exists(VHOST_NET) && nodes.exists(TUN)) {
    specs.push(rw(VHOST_NET), rw(TUN));
    info.vhost = { 'net-mount': VHOST_NET, 'tun-mount': TUN };
  }
  const star = config.additionalInfo['*'];
  const own = config.additionalInfo[dev.pci.address];
  if (star !== undefined || own !== undefined) info.extra = { ...star, ...own };
  return { info, specs };
}

export class UnknownDeviceError extends Error {
  override readonly name = 'UnknownDeviceError';
}

export interface ContainerAllocation {
  envs: Record<string, string>;
  specs: DeviceSpecOut[];
}

/**
 * Envs and de-duplicated specs for one container request. Every ID must belong to the pool; otherwise this throws
 * (the Go plugin fails for netDevice pools and silently ignores for others; failing is the safe choice for all).
 */
export function allocateContainer(
  ids: string[],
  devices: ReadonlyMap<string, PoolDevice>,
  config: ResourceConfig,
  nodes: DeviceNodes,
): ContainerAllocation {
  const fullName = `${config.resourcePrefix}/${config.resourceName}`;
  const unknown = ids.filter((id) => !devices.has(id));
  if (unknown.length > 0) {
    throw new UnknownDeviceError(`allocate: device(s) ${unknown.join(', ')} not in resource pool ${fullName}`);
  }
  const info: Record<string, JsonTree> = {};
  const specs: DeviceSpecOut[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    const out = deviceOutputs(devices.get(id)!, config, nodes);
    info[id] = out.info;
    for (const spec of out.specs) {
      if (seen.has(spec.hostPath)) continue;
      seen.add(spec.hostPath);
      specs.push(spec);
    }
  }
  const envName = resourceEnvName(config.resourcePrefix, config.resourceName);
  return {
    envs: { [envName]: ids.join(','), [`${envName}_INFO`]: goMarshalSorted(info) },
    specs,
  };
}
