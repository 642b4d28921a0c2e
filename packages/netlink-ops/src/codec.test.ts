import * as net from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToIp, formatGuid, ipToBytes, isIPv4, isIPv6, parseCidr, parseGuid, parseMac } from './addr-format.js';
import {
  AttributeIndex,
  AttrWriter,
  attributeMap,
  decodeAttributes,
  decodeMessages,
  encodeMessage,
  readI32,
  readString,
  readU8,
  readU32,
} from './codec.js';
import { errnoName } from './errors.js';
import { InvalidArgumentError } from './validate.js';

describe('attribute codec', () => {
  it('pads attributes to 4 bytes and nests with the nest length', () => {
    const w = new AttrWriter(4);
    w.u8(1, 7);
    w.nest(2, () => {
      w.string(3, 'eth0');
      w.u32(4, 0xdeadbeef);
    });
    w.u64(5, 0x0102030405060708n);
    expect(w.finish().toString('hex')).toBe(
      [
        '0500 0100 07 000000',
        '1800 0200',
        '0900 0300 65746830 00 000000',
        '0800 0400 efbeadde',
        '0c00 0500 0807060504030201',
      ]
        .join('')
        .replace(/ /g, ''),
    );
    const top = decodeAttributes(w.finish());
    expect(top.map((a) => a.type)).toEqual([1, 2, 5]);
    const nested = attributeMap(top[1]!.data);
    expect(readString(nested.get(3))).toBe('eth0');
    expect(readU32(nested.get(4))).toBe(0xdeadbeef);
  });

  it('round-trips messages in one datagram and masks the NESTED flag', () => {
    const a = encodeMessage(16, 2, Buffer.from([1, 2, 3]), 9, 77);
    const b = encodeMessage(3, 2, Buffer.alloc(4), 9, 77);
    const datagram = Buffer.concat([a, Buffer.alloc(1), b]);
    const msgs = decodeMessages(datagram);
    expect(msgs.map((m) => [m.type, m.flags, m.seq, m.pid, m.payload.length])).toEqual([
      [16, 2, 9, 77, 3],
      [3, 2, 9, 77, 4],
    ]);
    const nested = Buffer.from('08000180aabbccdd', 'hex'); // type 1 | NLA_F_NESTED
    expect(decodeAttributes(nested)[0]!.type).toBe(1);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        decodeMessages(bytes);
        decodeAttributes(Buffer.from(bytes));
      }),
    );
  });
});

describe('AttributeIndex', () => {
  // Attribute runs of random types (some repeated, some with the NESTED flag), payloads of any length, and random
  // trailing bytes: every lookup must answer as attributeMap + the read* helpers do.
  const run = fc
    .tuple(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.boolean(), fc.uint8Array({ maxLength: 9 })), {
        maxLength: 12,
      }),
      fc.uint8Array({ maxLength: 7 }),
    )
    .map(([attrs, tail]) => {
      const w = new AttrWriter(8);
      for (const [type, nested, data] of attrs) w.bytes(nested ? type | 0x8000 : type, data);
      return Buffer.concat([w.finish(), Buffer.from(tail)]);
    });

  it('answers every lookup as attributeMap and the read helpers do', () => {
    fc.assert(
      fc.property(run, fc.integer({ min: 0, max: 8 }), (buf, offset) => {
        const start = Math.min(offset, buf.length);
        const map = attributeMap(buf, start);
        const index = new AttributeIndex(buf, start);
        for (let type = 0; type <= 13; type++) {
          const data = map.get(type);
          expect(index.get(type)?.toString('hex')).toBe(data?.toString('hex'));
          expect(index.length(type)).toBe(data?.length);
          expect(index.u8(type)).toBe(readU8(data));
          expect(index.u32(type)).toBe(readU32(data));
          expect(index.i32(type)).toBe(readI32(data));
          expect(index.string(type)).toBe(readString(data));
        }
      }),
    );
  });

  it('reads unsigned 32-bit values above 2^31 and strings with and without their NUL', () => {
    const w = new AttrWriter();
    w.u32(1, 0xfffffffe);
    w.string(2, 'eth0');
    w.bytes(3, Buffer.from('abc'));
    w.bytes(4, Buffer.alloc(0));
    const index = new AttributeIndex(w.finish());
    expect([index.u32(1), index.i32(1)]).toEqual([0xfffffffe, -2]);
    expect([index.string(2), index.string(3), index.string(4), index.u8(4), index.length(4)]).toEqual([
      'eth0',
      'abc',
      '',
      undefined,
      0,
    ]);
  });
});

describe('address text', () => {
  it('round-trips IPv4 and IPv6 addresses through bytes', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(bytesToIp(ipToBytes(ip))).toBe(ip);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const text = bytesToIp(bytes);
        expect(net.isIPv6(text)).toBe(true);
        expect([...ipToBytes(text)]).toEqual([...bytes]);
      }),
    );
  });

  it('validates address text exactly like node:net (which is not imported at run time)', () => {
    const candidates = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4Extended(),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.%'.split('')), maxLength: 45 }),
    );
    fc.assert(
      fc.property(candidates, (text) => isIPv4(text) === net.isIPv4(text) && isIPv6(text) === net.isIPv6(text)),
      { numRuns: 3000 },
    );
    for (const t of ['::', '1::', '::1', '1:2:3:4:5:6:7::', '::ffff:1.2.3.4', 'fe80::1%eth0', '1:2:3:4:5:6:7:8'])
      expect([t, isIPv6(t)]).toEqual([t, net.isIPv6(t)]);
    for (const t of ['1:2:3:4:5:6:7:8:9', ':1:2', '1:::2', '01.2.3.4', '1.2.3.256', '::1.2.3', 'g::1'])
      expect([t, isIPv4(t) || isIPv6(t)]).toEqual([t, net.isIP(t) !== 0]);
  });

  it('formats IPv6 canonically (RFC 5952)', () => {
    expect(bytesToIp(ipToBytes('2001:DB8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(bytesToIp(ipToBytes('::'))).toBe('::');
    expect(bytesToIp(ipToBytes('fe80::1'))).toBe('fe80::1');
    expect(bytesToIp(ipToBytes('1:0:2:3:4:5:6:7'))).toBe('1:0:2:3:4:5:6:7');
    expect(ipToBytes('::ffff:10.1.2.3').toString('hex')).toBe('00000000000000000000ffff0a010203');
  });

  it('parses CIDRs and rejects bad ones', () => {
    expect(parseCidr('10.1.2.3/24')).toEqual({ address: '10.1.2.3', prefixLength: 24, family: 4 });
    expect(parseCidr('fd00::1')).toEqual({ address: 'fd00::1', prefixLength: 128, family: 6 });
    for (const bad of ['10.1.2.3/33', '10.1.2.3/', 'fd00::/129', '10.1.2/24', 'x/1', '10.0.0.1/2a'])
      expect(() => parseCidr(bad)).toThrow(InvalidArgumentError);
  });

  it('parses MACs and GUIDs strictly', () => {
    expect([...parseMac('AA:bb:cc:dd:ee:0f')]).toEqual([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x0f]);
    expect(() => parseMac('aa:bb:cc:dd:ee')).not.toThrow(); // any length up to 32 octets
    expect(() => parseMac('aa:bb:cc:dd:ee:fg')).toThrow(InvalidArgumentError);
    expect(parseGuid('00:11:22:33:44:55:66:77')).toBe(0x0011223344556677n);
    expect(formatGuid(0x0011223344556677n)).toBe('00:11:22:33:44:55:66:77');
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (g) => parseGuid(formatGuid(g)) === g));
    expect(() => parseGuid('00:11:22:33:44:55:66')).toThrow(InvalidArgumentError);
    expect(() => parseGuid(-1n)).toThrow(InvalidArgumentError);
  });
});

describe('errno names', () => {
  it('maps 95 to EOPNOTSUPP (not ENOTSUP) and the rest from the OS table', () => {
    expect(errnoName(95)).toBe('EOPNOTSUPP');
    expect(errnoName(19)).toBe('ENODEV');
    expect(errnoName(34)).toBe('ERANGE');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(99999)).toBe('E99999');
  });
});
