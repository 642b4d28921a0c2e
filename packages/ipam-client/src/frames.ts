// Byte-exact builders for the two announcement frames sriov-cni sends after configuring a pod interface:
// a gratuitous ARP request (IPv4) and an unsolicited Neighbor Advertisement (IPv6). Both are full Ethernet
// frames, ready for an AF_PACKET/SOCK_RAW send. Pure functions: no I/O, no Node modules beyond Buffer.

export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
const ETH_P_IP = 0x0800;
const ARPHRD_ETHER = 1;
const ARPOP_REQUEST = 1;
const IPPROTO_ICMPV6 = 58;
const ND_NEIGHBOR_ADVERT = 136;
/** Override flag set, Router and Solicited clear (RFC 4861 §4.4): the flags word sriov-cni sends. */
const NA_FLAGS_OVERRIDE = 0x20000000;
const ND_OPT_TARGET_LINKADDR = 2;

const ETH_HEADER_LEN = 14;
const ARP_LEN = 28;
const IPV6_HEADER_LEN = 40;
const NA_LEN = 24; // type, code, checksum, flags, target
const NA_OPTION_LEN = 8; // type, length (in 8-octet units), 6-byte MAC

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
/** ff02::1, the all-nodes link-local multicast group the unsolicited NA goes to. */
export const ALL_NODES_IPV6 = 'ff02::1';

/** Parses `aa:bb:cc:dd:ee:ff` (either case, `:` or `-`) into 6 bytes. */
export function parseMac(mac: string): Buffer {
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) {
    throw new TypeError(`invalid 6-byte MAC address: ${JSON.stringify(mac)}`);
  }
  return Buffer.from(parts.map((p) => Number.parseInt(p, 16)));
}

/** True for a MAC worth announcing: 6 bytes, not all-zero, not broadcast (sriov-cni's rule). */
export function isAnnounceableMac(mac: string | undefined): boolean {
  if (mac === undefined) return false;
  let bytes: Buffer;
  try {
    bytes = parseMac(mac);
  } catch {
    return false;
  }
  return !bytes.every((b) => b === 0) && !bytes.every((b) => b === 0xff);
}

export function parseIPv4(address: string): Buffer {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) {
    throw new TypeError(`invalid IPv4 address: ${JSON.stringify(address)}`);
  }
  return Buffer.from(parts.map(Number));
}

/** Parses any textual IPv6 form (with `::`, with an embedded dotted IPv4 tail) into 16 bytes. */
export function parseIPv6(address: string): Buffer {
  const invalid = () => new TypeError(`invalid IPv6 address: ${JSON.stringify(address)}`);
  let text = address;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) throw invalid();
  const toGroups = (s: string): number[] => {
    if (s === '') return [];
    return s.split(':').map((g) => {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw invalid();
      return Number.parseInt(g, 16);
    });
  };
  const head = toGroups(halves[0]!);
  const rest = halves.length === 2 ? toGroups(halves[1]!) : [];
  const explicit = head.length + rest.length + tail.length;
  let groups: number[];
  if (halves.length === 2) {
    if (explicit > 7) throw invalid();
    groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail];
  } else {
    groups = [...head, ...tail];
    if (groups.length !== 8) throw invalid();
  }
  const out = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) out.writeUInt16BE(g, i * 2);
  return out;
}

/** The Ethernet multicast address an IPv6 multicast group maps to (RFC 2464 §7): 33:33 + last 4 bytes. */
export function ipv6MulticastMac(group: Buffer): Buffer {
  return Buffer.from([0x33, 0x33, group[12]!, group[13]!, group[14]!, group[15]!]);
}

function ethernetHeader(frame: Buffer, dst: Buffer, src: Buffer, etherType: number): void {
  dst.copy(frame, 0);
  src.copy(frame, 6);
  frame.writeUInt16BE(etherType, 12);
}

/**
 * Gratuitous ARP as sriov-cni sends it: an ARP *request* broadcast to ff:ff:ff:ff:ff:ff whose sender and
 * target protocol addresses are both the announced IPv4 address, sender hardware address the interface MAC,
 * target hardware address broadcast. 42 bytes (the NIC pads to the 60-byte minimum on real wires).
 */
export function buildGratuitousArp(mac: string, ipv4: string): Buffer {
  const src = parseMac(mac);
  const ip = parseIPv4(ipv4);
  const broadcast = parseMac(BROADCAST_MAC);
  const frame = Buffer.alloc(ETH_HEADER_LEN + ARP_LEN);
  ethernetHeader(frame, broadcast, src, ETH_P_ARP);
  let o = ETH_HEADER_LEN;
  o = frame.writeUInt16BE(ARPHRD_ETHER, o);
  o = frame.writeUInt16BE(ETH_P_IP, o);
  o = frame.writeUInt8(6, o);
  o = frame.writeUInt8(4, o);
  o = frame.writeUInt16BE(ARPOP_REQUEST, o);
  o += src.copy(frame, o);
  o += ip.copy(frame, o);
  o += broadcast.copy(frame, o);
  ip.copy(frame, o);
  return frame;
}

/** RFC 1071 one's-complement sum over `chunks`, folded and inverted. */
export function internetChecksum(chunks: readonly Buffer[]): number {
  let sum = 0;
  let odd: number | null = null;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      if (odd === null) {
        odd = chunk[i]!;
      } else {
        sum += (odd << 8) | chunk[i]!;
        odd = null;
      }
    }
  }
  if (odd !== null) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface NeighborAdvertOptions {
  /** IPv6 source address; defaults to the announced address itself (it is assigned to the interface). */
  source?: string;
}

/**
 * Unsolicited Neighbor Advertisement as sriov-cni sends it (RFC 4861 §7.2.6): to ff02::1 (Ethernet
 * 33:33:00:00:00:01), hop limit 255, ICMPv6 type 136 code 0, flags Override only, target = the announced
 * address, one Target Link-Layer Address option carrying the interface MAC, checksum over the IPv6
 * pseudo-header. 86 bytes. (sriov-cni lets the kernel fill the IPv6 header and checksum through a raw ICMPv6
 * socket; here the whole frame is built so it can go out through AF_PACKET.)
 */
export function buildUnsolicitedNeighborAdvert(mac: string, ipv6: string, options: NeighborAdvertOptions = {}): Buffer {
  const src = parseMac(mac);
  const target = parseIPv6(ipv6);
  const source = options.source === undefined ? target : parseIPv6(options.source);
  const dst = parseIPv6(ALL_NODES_IPV6);
  const payloadLen = NA_LEN + NA_OPTION_LEN;
  const frame = Buffer.alloc(ETH_HEADER_LEN + IPV6_HEADER_LEN + payloadLen);
  ethernetHeader(frame, ipv6MulticastMac(dst), src, ETH_P_IPV6);

  let o = ETH_HEADER_LEN;
  o = frame.writeUInt32BE(0x60000000, o); // version 6, traffic class 0, flow label 0
  o = frame.writeUInt16BE(payloadLen, o);
  o = frame.writeUInt8(IPPROTO_ICMPV6, o);
  o = frame.writeUInt8(255, o); // hop limit: receivers drop ND messages with any other value
  o += source.copy(frame, o);
  o += dst.copy(frame, o);

  const icmpStart = o;
  o = frame.writeUInt8(ND_NEIGHBOR_ADVERT, o);
  o = frame.writeUInt8(0, o); // code
  o = frame.writeUInt16BE(0, o); // checksum placeholder
  o = frame.writeUInt32BE(NA_FLAGS_OVERRIDE, o);
  o += target.copy(frame, o);
  o = frame.writeUInt8(ND_OPT_TARGET_LINKADDR, o);
  o = frame.writeUInt8(1, o); // option length in units of 8 octets
  src.copy(frame, o);

  const icmp = frame.subarray(icmpStart);
  const pseudoTail = Buffer.alloc(8);
  pseudoTail.writeUInt32BE(payloadLen, 0);
  pseudoTail.writeUInt8(IPPROTO_ICMPV6, 7);
  frame.writeUInt16BE(internetChecksum([source, dst, pseudoTail, icmp]), icmpStart + 2);
  return frame;
}
