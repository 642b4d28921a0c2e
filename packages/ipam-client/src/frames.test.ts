import { describe, expect, it } from 'vitest';
import {
  buildGratuitousArp,
  buildUnsolicitedNeighborAdvert,
  internetChecksum,
  isAnnounceableMac,
  parseIPv4,
  parseIPv6,
  parseMac,
} from './frames.js';

// Golden frames computed independently (Python struct/ipaddress) for MAC 0a:1b:2c:3d:4e:5f.
const MAC = '0a:1b:2c:3d:4e:5f';
const GARP_10_1_2_3 =
  'ffffffffffff0a1b2c3d4e5f0806' + // eth: broadcast dst, our src, ARP
  '0001080006040001' + // htype 1, ptype IPv4, hlen 6, plen 4, oper 1 (request)
  '0a1b2c3d4e5f0a010203' + // sender MAC + IP
  'ffffffffffff0a010203'; // target MAC broadcast + same IP
const NA_2001_DB8__1_2 =
  '3333000000010a1b2c3d4e5f86dd' + // eth: 33:33:00:00:00:01, our src, IPv6
  '6000000000203aff' + // v6, payload 32, next header 58, hop limit 255
  '20010db8000000000000000000010002' + // src = the announced address
  'ff020000000000000000000000000001' + // dst ff02::1
  '88007670' + // type 136 code 0 checksum 0x7670
  '20000000' + // flags: Override only
  '20010db8000000000000000000010002' + // target
  '02010a1b2c3d4e5f'; // option 2 (target link-layer address), length 1, MAC

describe('buildGratuitousArp', () => {
  it('builds the exact 42-byte frame sriov-cni sends', () => {
    const frame = buildGratuitousArp(MAC, '10.1.2.3');
    expect(frame.toString('hex')).toBe(GARP_10_1_2_3);
  });
  it('accepts upper-case and dash-separated MACs', () => {
    expect(buildGratuitousArp('0A-1B-2C-3D-4E-5F', '10.1.2.3').toString('hex')).toBe(GARP_10_1_2_3);
  });
  it('rejects malformed input', () => {
    expect(() => buildGratuitousArp('0a:1b:2c:3d:4e', '10.1.2.3')).toThrow(/invalid 6-byte MAC/);
    expect(() => buildGratuitousArp(MAC, '10.1.2.256')).toThrow(/invalid IPv4/);
    expect(() => buildGratuitousArp(MAC, '2001:db8::1')).toThrow(/invalid IPv4/);
  });
});

describe('buildUnsolicitedNeighborAdvert', () => {
  it('builds the exact 86-byte frame with a correct ICMPv6 checksum', () => {
    const frame = buildUnsolicitedNeighborAdvert(MAC, '2001:db8::1:2');
    expect(frame.toString('hex')).toBe(NA_2001_DB8__1_2);
  });
  it('is the same for every spelling of the address', () => {
    for (const spelling of ['2001:0db8:0:0:0:0:1:2', '2001:DB8::1:2', '2001:db8:0::0:1:2']) {
      expect(buildUnsolicitedNeighborAdvert(MAC, spelling).toString('hex')).toBe(NA_2001_DB8__1_2);
    }
  });
  it('verifies: the checksum over pseudo-header + message sums to zero', () => {
    const frame = buildUnsolicitedNeighborAdvert(MAC, 'fd00:1::abcd', { source: 'fe80::1' });
    const ip = frame.subarray(14, 54);
    const icmp = frame.subarray(54);
    const pseudo = Buffer.alloc(8);
    pseudo.writeUInt32BE(icmp.length, 0);
    pseudo[7] = 58;
    expect(internetChecksum([ip.subarray(8, 24), ip.subarray(24, 40), pseudo, icmp])).toBe(0);
    expect(ip.subarray(8, 24).toString('hex')).toBe('fe800000000000000000000000000001');
  });
});

describe('address parsers', () => {
  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['fe80::', 'fe800000000000000000000000000000'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['64:ff9b::10.0.0.1', '0064ff9b0000000000000000' + '0a000001'],
    ['1:2:3:4:5:6:1.2.3.4', '0001000200030004000500060102' + '0304'],
  ])('parseIPv6(%s)', (text, hex) => {
    expect(parseIPv6(text).toString('hex')).toBe(hex);
  });
  it.each(['', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'g::1', '12345::', '1.2.3.4', '::1.2.3'])(
    'rejects %j',
    (text) => expect(() => parseIPv6(text)).toThrow(/invalid IPv(6|4) address/),
  );
  it('parseIPv4 rejects leading zeros and out-of-range parts', () => {
    expect(() => parseIPv4('01.2.3.4')).toThrow();
    expect(() => parseIPv4('1.2.3')).toThrow();
    expect(parseIPv4('255.0.10.1').toString('hex')).toBe('ff000a01');
  });
  it('parseMac and isAnnounceableMac', () => {
    expect(parseMac('aa:BB:cc:00:11:22').toString('hex')).toBe('aabbcc001122');
    expect(isAnnounceableMac('00:00:00:00:00:00')).toBe(false);
    expect(isAnnounceableMac('ff:ff:ff:ff:ff:ff')).toBe(false);
    expect(isAnnounceableMac('80:00:02:08:fe:80:00:00:00:00:00:00:00:00:00:00:00:00:00:01')).toBe(false); // IPoIB
    expect(isAnnounceableMac(undefined)).toBe(false);
    expect(isAnnounceableMac('02:00:00:00:00:01')).toBe(true);
  });
});
