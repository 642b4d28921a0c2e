// Frames announcing an address after it moved: gratuitous ARP (IPv4) and unsolicited neighbour advertisement (IPv6).
import { ipFamily, ipToBytes, parseMac } from './addr-format.js';
import { InvalidArgumentError } from './validate.js';

/** A gratuitous ARP request (RFC 5227 announcement): sender = target = ip, broadcast. 42 bytes (no padding). */
export function gratuitousArpFrame(mac: string, ip: string): Buffer {
  if (ipFamily(ip) !== 4) throw new InvalidArgumentError('gratuitous ARP needs an IPv4 address');
  const hw = parseMac(mac);
  if (hw.length !== 6) throw new InvalidArgumentError('gratuitous ARP needs an Ethernet MAC');
  const addr = ipToBytes(ip);
  const f = Buffer.alloc(42);
  f.fill(0xff, 0, 6);
  hw.copy(f, 6);
  f.writeUInt16BE(0x0806, 12);
  f.writeUInt16BE(1, 14); // Ethernet
  f.writeUInt16BE(0x0800, 16); // IPv4
  f.writeUInt8(6, 18);
  f.writeUInt8(4, 19);
  f.writeUInt16BE(1, 20); // request
  hw.copy(f, 22);
  addr.copy(f, 28);
  // target hardware address stays zero
  addr.copy(f, 38);
  return f;
}

function checksum(buf: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += (buf[buf.length - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An unsolicited neighbour advertisement (override flag, target link-layer option) to ff02::1. 86 bytes. */
export function unsolicitedNaFrame(mac: string, ip: string): Buffer {
  if (ipFamily(ip) !== 6) throw new InvalidArgumentError('unsolicited NA needs an IPv6 address');
  const hw = parseMac(mac);
  if (hw.length !== 6) throw new InvalidArgumentError('unsolicited NA needs an Ethernet MAC');
  const src = ipToBytes(ip);
  const dst = ipToBytes('ff02::1');
  const icmp = Buffer.alloc(32);
  icmp.writeUInt8(136, 0); // neighbour advertisement
  icmp.writeUInt32BE(0x20000000, 4); // O (override)
  src.copy(icmp, 8);
  icmp.writeUInt8(2, 24); // target link-layer address option
  icmp.writeUInt8(1, 25);
  hw.copy(icmp, 26);
  const pseudo = Buffer.alloc(40 + icmp.length);
  src.copy(pseudo, 0);
  dst.copy(pseudo, 16);
  pseudo.writeUInt32BE(icmp.length, 32);
  pseudo.writeUInt8(58, 39);
  icmp.copy(pseudo, 40);
  icmp.writeUInt16BE(checksum(pseudo), 2);
  const f = Buffer.alloc(14 + 40 + icmp.length);
  Buffer.from([0x33, 0x33, 0, 0, 0, 1]).copy(f, 0);
  hw.copy(f, 6);
  f.writeUInt16BE(0x86dd, 12);
  f.writeUInt32BE(0x60000000, 14);
  f.writeUInt16BE(icmp.length, 18);
  f.writeUInt8(58, 20);
  f.writeUInt8(255, 21); // hop limit must be 255 for NDP
  src.copy(f, 22);
  dst.copy(f, 38);
  icmp.copy(f, 54);
  return f;
}
