/** Small validators shared by the netconf parsers. */

/** Full PCI address `DDDD:BB:DD.F`, as a JSON Schema `pattern` and for the runtime check. */
export const PCI_PATTERN = '^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]$';

/** Full sysfs PCI address `DDDD:BB:DD.F` (what the plugins join into /sys paths). */
export function isPciAddress(s: string): boolean {
  return new RegExp(PCI_PATTERN).test(s);
}

/** Kernel/CNI rule for interface names: 1–15 bytes, not `.`/`..`, no `/`, `:` or whitespace. */
export function isInterfaceName(s: string): boolean {
  if (s === '' || s === '.' || s === '..') return false;
  if (new TextEncoder().encode(s).length > 15) return false;
  return !/[/:\s]/.test(s);
}

/** An array whose every element is a string, else undefined. */
export function readStringArray(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

/** CNI_ARGS `IP=<ip>[,<ip>…]` (Multus, CRI-O and podman send it; the IPAM plugin reads it). */
export function readCniArgsIps(cniArgs: Readonly<Record<string, string>>): string[] | undefined {
  const raw = cniArg(cniArgs, 'IP');
  if (raw === undefined || raw === '') return undefined;
  const ips = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return ips.length > 0 ? ips : undefined;
}

/** An own, string-valued CNI_ARGS entry (prototype keys and non-strings never count). */
export function cniArg(cniArgs: Readonly<Record<string, string>>, key: string): string | undefined {
  if (!Object.hasOwn(cniArgs, key)) return undefined;
  const v: unknown = cniArgs[key];
  return typeof v === 'string' ? v : undefined;
}
