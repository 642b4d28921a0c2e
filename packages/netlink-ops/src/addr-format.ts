// IP and hardware address text <-> bytes, without pulling in anything heavy.
// node:net is deliberately not imported: it is not loaded at Node start-up and costs milliseconds to load.
import { InvalidArgumentError } from './validate.js';

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const H16 = /^[0-9a-fA-F]{1,4}$/;

export function isIPv4(text: string): boolean {
  return V4.test(text);
}

/** RFC 4291 text forms: up to 8 groups, one '::', an optional dotted-quad tail, an optional %zone. */
export function isIPv6(text: string): boolean {
  if (typeof text !== 'string' || text.length > 64) return false;
  const zone = text.indexOf('%');
  const addr = zone === -1 ? text : text.slice(0, zone);
  if (zone !== -1 && !/^[0-9A-Za-z_.-]+$/.test(text.slice(zone + 1))) return false;
  const halves = addr.split('::');
  if (halves.length > 2) return false;
  const parts = halves.map((h) => (h === '' ? [] : h.split(':')));
  const all = parts.flat();
  let groups = 0;
  for (const [i, g] of all.entries()) {
    if (i === all.length - 1 && g.includes('.')) {
      if (!V4.test(g)) return false;
      groups += 2;
    } else if (H16.test(g)) groups += 1;
    else return false;
  }
  return halves.length === 2 ? groups <= 7 : groups === 8;
}

export type IpFamily = 4 | 6;

export function ipFamily(address: string): IpFamily {
  if (isIPv4(address)) return 4;
  if (isIPv6(address)) return 6;
  throw new InvalidArgumentError(`not an IP address: ${JSON.stringify(address)}`);
}

function v4Bytes(address: string): number[] {
  return address.split('.').map((p) => Number.parseInt(p, 10));
}

export function ipToBytes(address: string): Buffer {
  const family = ipFamily(address);
  if (family === 4) return Buffer.from(v4Bytes(address));
  let text = address;
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail = v4Bytes(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest === undefined ? [] : rest ? rest.split(':') : [];
  const missing = 8 - left.length - right.length;
  const groups = [...left, ...Array(rest === undefined ? 0 : missing).fill('0'), ...right];
  const out = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  if (tail.length) out.set(tail, 12);
  return out;
}

/** Canonical text (RFC 5952 for IPv6: lowercase, longest zero run compressed). */
export function bytesToIp(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length !== 16) throw new InvalidArgumentError(`address of ${b.length} bytes`);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses "addr/len" (or a bare address: full length). */
export function parseCidr(cidr: string): { address: string; prefixLength: number; family: IpFamily } {
  if (typeof cidr !== 'string') throw new InvalidArgumentError(`expected CIDR text, got ${typeof cidr}`);
  const slash = cidr.indexOf('/');
  const address = slash === -1 ? cidr : cidr.slice(0, slash);
  const family = ipFamily(address);
  const max = family === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : cidr.slice(slash + 1);
  const prefixLength = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefixLength >= 0 && prefixLength <= max))
    throw new InvalidArgumentError(`invalid prefix length in ${JSON.stringify(cidr)}`);
  return { address: bytesToIp(ipToBytes(address)), prefixLength, family };
}

/** aa:bb:cc:dd:ee:ff (1..32 octets, ':' or '-' separated) to bytes. */
export function parseMac(mac: string, what = 'MAC address'): Buffer {
  if (typeof mac !== 'string' || !/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){0,31}$/.test(mac))
    throw new InvalidArgumentError(`${what}: invalid hardware address ${JSON.stringify(mac)}`);
  return Buffer.from(mac.split(/[:-]/).map((h) => Number.parseInt(h, 16)));
}

/** An InfiniBand GUID: exactly xx:xx:xx:xx:xx:xx:xx:xx (iproute2's get_guid), first octet most significant. */
export function parseGuid(guid: string | bigint): bigint {
  if (typeof guid === 'bigint') {
    if (guid < 0n || guid > 0xffffffffffffffffn) throw new InvalidArgumentError(`GUID out of range: ${guid}`);
    return guid;
  }
  if (typeof guid !== 'string' || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){7}$/.test(guid))
    throw new InvalidArgumentError(`invalid GUID ${JSON.stringify(guid)} (expected xx:xx:xx:xx:xx:xx:xx:xx)`);
  return BigInt(`0x${guid.replaceAll(':', '')}`);
}

export function formatGuid(guid: bigint): string {
  const hex = guid.toString(16).padStart(16, '0');
  return hex.match(/../g)!.join(':');
}
