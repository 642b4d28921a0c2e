// NPWG device-info files (device-info-spec v1.1.0) for netDevice pools: written at Allocate (delete, then write
// 0444), removed for every pool device when the pool's server starts and stops (reference §5).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolDevice } from './types.js';

export const DEFAULT_DEVICE_INFO_DIR = '/var/run/k8s.cni.cncf.io/devinfo/dp';
export const DEVICE_INFO_VERSION = '1.1.0';

/** `<resourceName with / → ->-<deviceID with / → ->-device.json`, resourceName being the full `prefix/name`. */
export function deviceInfoFileName(fullResourceName: string, deviceId: string): string {
  const name = `${fullResourceName.replaceAll('/', '-')}-${deviceId.replaceAll('/', '-')}-device.json`;
  if (name.includes('\0') || name.startsWith('.')) throw new Error(`device-info: unsafe file name ${name}`);
  return name;
}

/** File content; key order follows the Go struct (type, version, pci{pci-address, …, rdma-device}). */
export function deviceInfoContent(dev: PoolDevice): string {
  const pci: Record<string, string> = { 'pci-address': dev.pci.address };
  if (dev.isRdma && dev.pci.rdmaDevices.length > 0) pci['rdma-device'] = dev.pci.rdmaDevices.join(',');
  return JSON.stringify({ type: 'pci', version: DEVICE_INFO_VERSION, pci });
}

export class DeviceInfoStore {
  constructor(readonly dir: string = DEFAULT_DEVICE_INFO_DIR) {}

  path(fullResourceName: string, deviceId: string): string {
    return join(this.dir, deviceInfoFileName(fullResourceName, deviceId));
  }

  write(fullResourceName: string, dev: PoolDevice): void {
    const path = this.path(fullResourceName, dev.id);
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    rmSync(path, { force: true });
    writeFileSync(path, deviceInfoContent(dev), { mode: 0o444, flag: 'wx' });
  }

  /** Removes the files of these devices; a missing file is fine. */
  clean(fullResourceName: string, deviceIds: Iterable<string>): void {
    for (const id of deviceIds) rmSync(this.path(fullResourceName, id), { force: true });
  }
}
