// Minimal textual IP/CIDR checks for result decoding (no node:net on the start-up path). They accept what Go's
// net.ParseIP / net.ParseCIDR accept for the forms CNI results use and report the address family the way Go's
// `ip.To4() != nil` does (an IPv4-mapped IPv6 address counts as IPv4).

function parseIPv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

/** The 8 16-bit groups of an IPv6 address (optionally ending in a dotted quad), or null. */
function parseIPv6(s: string): number[] | null {
  if (s.length < 2 || s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let text = s;
  let quad: number[] = [];
  if (s.includes('.')) {
    const colon = s.lastIndexOf(':');
    if (colon < 0) return null;
    const v4 = parseIPv4(s.slice(colon + 1));
    if (v4 === null) return null;
    quad = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    text = s.slice(0, colon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
    if (text === '') return null;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = groupsOf(halves[0]!);
  const rest = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (head === null || rest === null) return null;
  const total = head.length + rest.length + quad.length;
  if (halves.length === 2) {
    if (total > 7) return null;
    return [...head, ...new Array<number>(8 - total).fill(0), ...rest, ...quad];
  }
  return total === 8 ? [...head, ...quad] : null;
}

function groupsOf(text: string): number[] | null {
  if (text === '') return [];
  const out: number[] = [];
  for (const g of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    out.push(Number.parseInt(g, 16));
  }
  return out;
}

/** 4 or 6 for a bare IP address (Go rules: IPv4-mapped IPv6 is 4), else null. */
export function ipFamily(s: string): 4 | 6 | null {
  if (parseIPv4(s) !== null) return 4;
  const g = parseIPv6(s);
  if (g === null) return null;
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  return mapped ? 4 : 6;
}

/** Family of `ip/prefix` (prefix bounded by the textual family, as Go's ParseCIDR), else null. */
export function cidrFamily(s: string): 4 | 6 | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const ip = s.slice(0, slash);
  const prefix = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return null;
  const bits = Number(prefix);
  if (parseIPv4(ip) !== null) return bits <= 32 ? 4 : null;
  const fam = ipFamily(ip);
  if (fam === null || bits > 128) return null;
  return fam;
}
