import { invalidArgument } from './errors.js';

/**
 * A PCI address in the kernel's canonical form `dddd:bb:dd.f` (lower-case hex; the domain has at least four digits,
 * more only for domains above 0xffff such as Intel VMD's `10000`). The brand means it went through validation, so
 * it is safe to use as one path component.
 */
export type PciAddress = string & { readonly __brand: 'PciAddress' };

export interface PciAddressParts {
  domain: number;
  bus: number;
  device: number;
  function: number;
}

// Domain optional (short form `bb:dd.f` means domain 0). The domain may be wider than 4 digits because the
// kernel prints it with %04x (VMD domains are 0x10000 and up); a 32-bit domain has at most 8 digits.
const PCI_ADDRESS = /^(?:([0-9a-fA-F]{4,8}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/;

/** Parses `dddd:bb:dd.f` or `bb:dd.f`; anything else (including any `/`, `..` or whitespace) throws. */
export function parsePciAddress(text: string): PciAddressParts {
  if (typeof text !== 'string') throw invalidArgument('PCI address', text, 'not a string');
  const match = PCI_ADDRESS.exec(text);
  if (match === null) throw invalidArgument('PCI address', text, 'expected dddd:bb:dd.f or bb:dd.f');
  const [, domainText, busText, deviceText, functionText] = match;
  const device = Number.parseInt(deviceText!, 16);
  if (device > 0x1f) throw invalidArgument('PCI address', text, 'device number above 1f');
  return {
    domain: domainText === undefined ? 0 : Number.parseInt(domainText, 16),
    bus: Number.parseInt(busText!, 16),
    device,
    function: Number.parseInt(functionText!, 10),
  };
}

/** Formats parts the way the kernel names devices (`%04x:%02x:%02x.%d`). */
export function formatPciAddress(parts: PciAddressParts): PciAddress {
  const { domain, bus, device, function: fn } = parts;
  const ok =
    Number.isInteger(domain) &&
    domain >= 0 &&
    domain <= 0xffffffff &&
    Number.isInteger(bus) &&
    bus >= 0 &&
    bus <= 0xff &&
    Number.isInteger(device) &&
    device >= 0 &&
    device <= 0x1f &&
    Number.isInteger(fn) &&
    fn >= 0 &&
    fn <= 7;
  if (!ok) throw invalidArgument('PCI address parts', JSON.stringify(parts), 'out of range');
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  return `${hex(domain, 4)}:${hex(bus, 2)}:${hex(device, 2)}.${fn}` as PciAddress;
}

/** Validates and returns the canonical form: `3b:02.1` → `0000:3b:02.1`, `0000:3B:02.1` → `0000:3b:02.1`. */
export function normalizePciAddress(text: string): PciAddress {
  return formatPciAddress(parsePciAddress(text));
}

/** True when the text is exactly a canonical kernel PCI device name (what sysfs directory entries look like). */
export function isCanonicalPciAddress(text: string): text is PciAddress {
  if (!PCI_ADDRESS.test(text) || !text.includes(':', 5)) return false;
  try {
    return formatPciAddress(parsePciAddress(text)) === text;
  } catch {
    return false;
  }
}

/** True when parsePciAddress would accept the text (short or long, any case). */
export function isPciAddress(text: string): boolean {
  try {
    parsePciAddress(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The address `offset` routing IDs after `base` (bus/device/function counted together, as SR-IOV computes VF
 * routing IDs from First VF Offset and VF Stride). Crossing a bus boundary moves to the next bus, as the kernel does.
 */
export function pciAddressPlus(base: PciAddress | string, offset: number): PciAddress {
  const parts = parsePciAddress(base);
  const rid = (parts.bus << 8) | (parts.device << 3) | parts.function;
  const next = rid + offset;
  if (!Number.isInteger(offset) || next < 0 || next > 0xffff) {
    throw invalidArgument('PCI routing ID offset', offset, `out of range from ${base}`);
  }
  return formatPciAddress({ domain: parts.domain, bus: next >> 8, device: (next >> 3) & 0x1f, function: next & 7 });
}
