import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SysfsError } from './errors.js';
import { assertDriverName, assertNetdevName, assertRdmaDeviceName, isValidNetdevName } from './names.js';
import {
  formatPciAddress,
  isCanonicalPciAddress,
  isPciAddress,
  normalizePciAddress,
  parsePciAddress,
  pciAddressPlus,
} from './pci-address.js';

describe('PCI addresses', () => {
  it('parses the long and the short form', () => {
    expect(parsePciAddress('0000:3b:02.1')).toEqual({ domain: 0, bus: 0x3b, device: 2, function: 1 });
    expect(parsePciAddress('3b:02.1')).toEqual({ domain: 0, bus: 0x3b, device: 2, function: 1 });
    expect(parsePciAddress('10000:e1:1f.7')).toEqual({ domain: 0x10000, bus: 0xe1, device: 0x1f, function: 7 });
  });

  it('normalises to the kernel form', () => {
    expect(normalizePciAddress('3b:02.1')).toBe('0000:3b:02.1');
    expect(normalizePciAddress('0000:3B:0A.1')).toBe('0000:3b:0a.1');
    expect(normalizePciAddress('000a:00:00.0')).toBe('000a:00:00.0');
    expect(formatPciAddress({ domain: 0x10000, bus: 1, device: 2, function: 3 })).toBe('10000:01:02.3');
  });

  it.each([
    '',
    ' 0000:00:00.0',
    '0000:00:00.0 ',
    '0000:00:00.0\n',
    '0000:00:00.8',
    '0000:00:20.0',
    '000:00:00.0',
    '0000:0:00.0',
    '0000:00:0.0',
    '0000:00:00',
    '0000-00-00.0',
    '0000:00:00.0/../../..',
    '../../../etc',
    '..',
    '0000:00:00.0/',
    '123456789:00:00.0',
    'g000:00:00.0',
    '0000:00:00.0\0',
  ])('rejects %j with a typed error', (text) => {
    expect(isPciAddress(text)).toBe(false);
    const error = (() => {
      try {
        normalizePciAddress(text);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SysfsError);
    expect((error as SysfsError).code).toBe('INVALID_ARGUMENT');
    expect((error as SysfsError).message).toContain(JSON.stringify(text));
  });

  it('rejects non-strings', () => {
    expect(() => parsePciAddress(42 as unknown as string)).toThrow(SysfsError);
  });

  it('round-trips every valid address, and canonical text is exactly what format produces', () => {
    const parts = fc.record({
      domain: fc.integer({ min: 0, max: 0xffffffff }),
      bus: fc.integer({ min: 0, max: 0xff }),
      device: fc.integer({ min: 0, max: 0x1f }),
      function: fc.integer({ min: 0, max: 7 }),
    });
    fc.assert(
      fc.property(parts, (p) => {
        const text = formatPciAddress(p);
        expect(parsePciAddress(text)).toEqual(p);
        expect(isCanonicalPciAddress(text)).toBe(true);
        expect(isCanonicalPciAddress(text.toUpperCase())).toBe(!/[a-f]/.test(text));
      }),
    );
  });

  it('never lets an arbitrary string through with a path separator or dot-dot', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        if (!isPciAddress(text)) return;
        const canonical = normalizePciAddress(text);
        expect(canonical).not.toMatch(/[/\0\s]|\.\./);
        expect(isCanonicalPciAddress(canonical)).toBe(true);
      }),
    );
  });

  it('rejects out-of-range parts', () => {
    expect(() => formatPciAddress({ domain: 0, bus: 256, device: 0, function: 0 })).toThrow(SysfsError);
    expect(() => formatPciAddress({ domain: -1, bus: 0, device: 0, function: 0 })).toThrow(SysfsError);
    expect(() => formatPciAddress({ domain: 0, bus: 0, device: 0, function: 0.5 })).toThrow(SysfsError);
  });

  it('adds routing-ID offsets across device and bus boundaries like SR-IOV VF numbering', () => {
    expect(pciAddressPlus('0000:3b:00.0', 2)).toBe('0000:3b:00.2');
    expect(pciAddressPlus('0000:3b:00.0', 8)).toBe('0000:3b:01.0');
    expect(pciAddressPlus('0000:3b:1f.7', 1)).toBe('0000:3c:00.0');
    expect(() => pciAddressPlus('0000:ff:1f.7', 1)).toThrow(SysfsError);
  });
});

describe('names', () => {
  it.each(['eth0', 'enp59s0f0v12', 'a', 'x'.repeat(15), 'ib0.8001', 'net-1_2'])('accepts netdev %j', (name) => {
    expect(isValidNetdevName(name)).toBe(true);
    expect(assertNetdevName(name)).toBe(name);
  });

  it.each(['', '.', '..', 'x'.repeat(16), 'a/b', '../eth0', 'eth0:1', 'eth 0', 'eth0\n', 'a\0b', 'é'.repeat(8)])(
    'rejects netdev %j',
    (name) => {
      expect(isValidNetdevName(name)).toBe(false);
      expect(() => assertNetdevName(name)).toThrow(SysfsError);
    },
  );

  it('validates driver and RDMA device names as single path components', () => {
    expect(assertDriverName('vfio-pci')).toBe('vfio-pci');
    expect(assertDriverName('mlx5_core')).toBe('mlx5_core');
    expect(assertRdmaDeviceName('mlx5_3')).toBe('mlx5_3');
    for (const bad of ['', '.', '..', 'a/b', '../x', 'a b', 'x\n']) {
      expect(() => assertDriverName(bad)).toThrow(SysfsError);
      expect(() => assertRdmaDeviceName(bad)).toThrow(SysfsError);
    }
    expect(() => assertRdmaDeviceName('x'.repeat(64))).toThrow(SysfsError);
  });
});
