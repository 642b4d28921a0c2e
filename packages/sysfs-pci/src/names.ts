import { invalidArgument } from './errors.js';

/** IFNAMSIZ is 16 including the terminating NUL. */
export const MAX_NETDEV_NAME_LENGTH = 15;

/**
 * The kernel's own rule for a network interface name (net/core/dev.c dev_valid_name): 1..15 bytes, not `.` or
 * `..`, no `/`, `:` or whitespace. Anything that passes is a single, harmless path component.
 */
export function isValidNetdevName(name: string): boolean {
  if (typeof name !== 'string' || name.length === 0 || name === '.' || name === '..') return false;
  if (Buffer.byteLength(name) > MAX_NETDEV_NAME_LENGTH) return false;
  return !/[/:\s\0]/.test(name);
}

export function assertNetdevName(name: string): string {
  if (!isValidNetdevName(name)) {
    throw invalidArgument('network interface name', name, 'must be 1-15 bytes without "/", ":" or whitespace');
  }
  return name;
}

// Driver names, RDMA device names, uio/iommu group names: one path component of printable non-space characters.
// RDMA names may be up to IB_DEVICE_NAME_MAX-1 = 63 bytes; driver names are short in practice but not limited by
// the kernel, so 255 (NAME_MAX) bounds them.
const COMPONENT = /^[A-Za-z0-9_.+@-]+$/;

function assertComponent(what: string, value: string, maxBytes: number): string {
  if (
    typeof value !== 'string' ||
    value === '.' ||
    value === '..' ||
    !COMPONENT.test(value) ||
    Buffer.byteLength(value) > maxBytes
  ) {
    throw invalidArgument(what, value, `must be one path component of [A-Za-z0-9_.+@-], at most ${maxBytes} bytes`);
  }
  return value;
}

export function assertDriverName(name: string): string {
  return assertComponent('driver name', name, 255);
}

export function assertRdmaDeviceName(name: string): string {
  return assertComponent('RDMA device name', name, 63);
}
