import { describe, expect, it } from 'vitest';
import { CniError } from './errors.js';
import { formatResult, parsePrevResult, parseResult, parseResultText, type Result, resultText } from './result.js';

// One 1.1 result exercising every field, and what it must look like in every spec version (golden JSON).
const full: Result = {
  interfaces: [
    { name: 'net1', mac: 'ca:fe:c0:ff:ee:00', mtu: 1500, sandbox: '/var/run/netns/blue', pciID: '0000:af:06.0' },
    { name: 'host-side', mac: 'ca:fe:c0:ff:ee:01', socketPath: '/run/vhu.sock' },
  ],
  ips: [
    { interface: 0, address: '10.1.0.5/16', gateway: '10.1.0.1' },
    { interface: 0, address: '2001:db8::5/64', gateway: '2001:db8::1' },
    { interface: 0, address: '10.2.0.5/24' },
  ],
  routes: [
    { dst: '0.0.0.0/0', gw: '10.1.0.1', priority: 100, table: 100, scope: 0 },
    { dst: '::/0' },
    { dst: '10.9.0.0/16', mtu: 9000, advmss: 1400 },
  ],
  dns: { nameservers: ['10.1.0.1'], domain: 'example.com', search: ['example.com'], options: ['ndots:2'] },
};

const golden110 = {
  cniVersion: '1.1.0',
  interfaces: [
    { name: 'net1', mac: 'ca:fe:c0:ff:ee:00', mtu: 1500, sandbox: '/var/run/netns/blue', pciID: '0000:af:06.0' },
    { name: 'host-side', mac: 'ca:fe:c0:ff:ee:01', socketPath: '/run/vhu.sock' },
  ],
  ips: [
    { interface: 0, address: '10.1.0.5/16', gateway: '10.1.0.1' },
    { interface: 0, address: '2001:db8::5/64', gateway: '2001:db8::1' },
    { interface: 0, address: '10.2.0.5/24' },
  ],
  routes: [
    { dst: '0.0.0.0/0', gw: '10.1.0.1', priority: 100, table: 100, scope: 0 },
    { dst: '::/0' },
    { dst: '10.9.0.0/16', mtu: 9000, advmss: 1400 },
  ],
  dns: { nameservers: ['10.1.0.1'], domain: 'example.com', search: ['example.com'], options: ['ndots:2'] },
};

const golden100 = { ...golden110, cniVersion: '1.0.0' };

const golden040 = {
  cniVersion: '0.4.0',
  interfaces: [
    { name: 'net1', mac: 'ca:fe:c0:ff:ee:00', sandbox: '/var/run/netns/blue' },
    { name: 'host-side', mac: 'ca:fe:c0:ff:ee:01' },
  ],
  ips: [
    { version: '4', interface: 0, address: '10.1.0.5/16', gateway: '10.1.0.1' },
    { version: '6', interface: 0, address: '2001:db8::5/64', gateway: '2001:db8::1' },
    { version: '4', interface: 0, address: '10.2.0.5/24' },
  ],
  routes: golden110.routes,
  dns: golden110.dns,
};

const golden020 = {
  cniVersion: '0.2.0',
  ip4: {
    ip: '10.1.0.5/16',
    gateway: '10.1.0.1',
    routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }, { dst: '10.9.0.0/16' }],
  },
  ip6: { ip: '2001:db8::5/64', gateway: '2001:db8::1', routes: [{ dst: '::/0' }] },
  dns: golden110.dns,
};

describe('formatResult (1.1 model → every version)', () => {
  it('1.1.0 prints every field', () => {
    expect(formatResult(full, '1.1.0')).toStrictEqual(golden110);
  });
  it('1.0.0 keeps the 1.1 interface fields, as Go types/100 does', () => {
    expect(formatResult(full, '1.0.0')).toStrictEqual(golden100);
  });
  it.each(['0.3.0', '0.3.1', '0.4.0'])('%s adds ips[].version and drops interface mtu/socketPath/pciID', (v) => {
    expect(formatResult(full, v)).toStrictEqual({ ...golden040, cniVersion: v });
  });
  it.each(['0.1.0', '0.2.0'])('%s keeps the first address per family and splits routes by family', (v) => {
    expect(formatResult(full, v)).toStrictEqual({ ...golden020, cniVersion: v });
  });
  it('0.2.0 without any IP is Go\'s "cannot convert" error, code 999', () => {
    const r: Result = { ...full, ips: [] };
    expect(() => formatResult(r, '0.2.0')).toThrow(
      expect.objectContaining({ code: 999, msg: 'cannot convert: no valid IP addresses' }),
    );
  });
  it('0.2.0 with only IPv6 drops IPv4 routes', () => {
    const r: Result = { ...full, ips: [{ address: 'fd00::2/64' }] };
    expect(formatResult(r, '0.2.0')).toStrictEqual({
      cniVersion: '0.2.0',
      ip6: { ip: 'fd00::2/64', routes: [{ dst: '::/0' }] },
      dns: golden110.dns,
    });
  });
  it('empty dns: omitted in 1.x, printed as {} in 0.x (Go parity)', () => {
    const r: Result = {
      interfaces: [{ name: 'net1', sandbox: '/x' }],
      ips: [{ address: '10.0.0.2/24' }],
      routes: [],
      dns: {},
    };
    expect(formatResult(r, '1.0.0')).toStrictEqual({
      cniVersion: '1.0.0',
      interfaces: [{ name: 'net1', sandbox: '/x' }],
      ips: [{ address: '10.0.0.2/24' }],
    });
    expect(formatResult(r, '0.4.0')).toStrictEqual({
      cniVersion: '0.4.0',
      interfaces: [{ name: 'net1', sandbox: '/x' }],
      ips: [{ version: '4', address: '10.0.0.2/24' }],
      dns: {},
    });
    expect(formatResult(r, '0.2.0')).toStrictEqual({ cniVersion: '0.2.0', ip4: { ip: '10.0.0.2/24' }, dns: {} });
  });
  it('emits interface index 0 and omits zero mtu / empty strings', () => {
    const r: Result = {
      interfaces: [{ name: 'net1', mac: '', mtu: 0, sandbox: '' }],
      ips: [{ interface: 0, address: '10.0.0.2/24', gateway: '' }],
      routes: [{ dst: '10.0.0.0/8', gw: '', priority: 0, table: 0, scope: 253 }],
      dns: { nameservers: [], domain: '' },
    };
    expect(JSON.parse(resultText(r, '1.1.0'))).toStrictEqual({
      cniVersion: '1.1.0',
      interfaces: [{ name: 'net1' }],
      ips: [{ interface: 0, address: '10.0.0.2/24' }],
      routes: [{ dst: '10.0.0.0/8', table: 0, scope: 253 }],
    });
  });
  it('unknown output version is code 1', () => {
    expect(() => formatResult(full, '9.9.9')).toThrow(expect.objectContaining({ code: 1 }));
  });
  it('an invalid address in a plugin-built result is a code 999 error when a version needs its family', () => {
    const r: Result = { interfaces: [], ips: [{ address: 'nonsense' }], routes: [], dns: {} };
    expect(() => formatResult(r, '0.4.0')).toThrow(expect.objectContaining({ code: 999 }));
  });
});

describe('parseResult (every version → 1.1 model)', () => {
  it.each([
    ['1.1.0', golden110],
    ['1.0.0', golden100],
  ])('%s reads losslessly', (v, golden) => {
    expect(parseResult(golden)).toStrictEqual({ ...full, cniVersion: v });
  });
  it.each(['0.3.0', '0.3.1', '0.4.0'])('%s drops ips[].version and reads the 0.4 interface fields only', (v) => {
    const parsed = parseResult({ ...golden040, cniVersion: v });
    expect(parsed).toStrictEqual({
      cniVersion: v,
      interfaces: [
        { name: 'net1', mac: 'ca:fe:c0:ff:ee:00', sandbox: '/var/run/netns/blue' },
        { name: 'host-side', mac: 'ca:fe:c0:ff:ee:01' },
      ],
      ips: full.ips,
      routes: full.routes,
      dns: full.dns,
    });
  });
  it('a 0.4.0 result carrying 1.1 interface fields loses them (Go types/040 has no such fields)', () => {
    const parsed = parseResult({ cniVersion: '0.4.0', interfaces: [{ name: 'a', mtu: 1500, pciID: 'x' }] });
    expect(parsed.interfaces).toStrictEqual([{ name: 'a' }]);
  });
  it.each(['0.1.0', '0.2.0'])('%s turns ip4/ip6 into ips and routes (IPv4 first)', (v) => {
    expect(parseResult({ ...golden020, cniVersion: v })).toStrictEqual({
      cniVersion: v,
      interfaces: [],
      ips: [
        { address: '10.1.0.5/16', gateway: '10.1.0.1' },
        { address: '2001:db8::5/64', gateway: '2001:db8::1' },
      ],
      routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }, { dst: '10.9.0.0/16' }, { dst: '::/0' }],
      dns: full.dns,
    });
  });
  it('no cniVersion: the fallback (config) version decides the shape', () => {
    const ipam = { ips: [{ address: '10.1.0.5/16', gateway: '10.1.0.1' }], routes: [{ dst: '0.0.0.0/0' }] };
    expect(parseResult(ipam, '1.0.0')).toStrictEqual({
      cniVersion: '1.0.0',
      interfaces: [],
      ips: ipam.ips,
      routes: ipam.routes,
      dns: {},
    });
    // Without a fallback Go's decoder reads a missing version as 0.1.0: the ips key means nothing there.
    expect(parseResult(ipam).ips).toStrictEqual([]);
    expect(parseResult({ cniVersion: '', ...ipam }, '0.4.0').cniVersion).toBe('0.4.0');
  });
  it('JSON null is an empty result of the fallback version', () => {
    expect(parseResult(null, '1.1.0')).toStrictEqual({
      cniVersion: '1.1.0',
      interfaces: [],
      ips: [],
      routes: [],
      dns: {},
    });
  });
  it('null fields read as absent (Go zero values)', () => {
    const r = parseResult({
      cniVersion: '1.0.0',
      interfaces: null,
      ips: [{ address: '10.0.0.1/8', gateway: null }],
      dns: null,
    });
    expect(r).toStrictEqual({
      cniVersion: '1.0.0',
      interfaces: [],
      ips: [{ address: '10.0.0.1/8' }],
      routes: [],
      dns: {},
    });
  });
  it.each([
    [[], 'result: expected an object, got array'],
    ['x', 'result: expected an object, got string'],
    [{ cniVersion: 1 }, 'result.cniVersion: expected a string, got number'],
    [{ cniVersion: '2.0.0' }, 'unsupported CNI result version "2.0.0"'],
    [{ cniVersion: '1.0.0', ips: {} }, 'result.ips: expected an array, got object'],
    [{ cniVersion: '1.0.0', ips: [{}] }, 'ips[0].address: missing CIDR address'],
    [{ cniVersion: '1.0.0', ips: [{ address: '10.0.0.1' }] }, 'ips[0].address: invalid CIDR address: 10.0.0.1'],
    [{ cniVersion: '1.0.0', ips: [{ address: '10.0.0.1/33' }] }, 'ips[0].address: invalid CIDR address: 10.0.0.1/33'],
    [
      { cniVersion: '1.0.0', ips: [{ address: '10.0.0.1/8', gateway: 'x' }] },
      'ips[0].gateway: invalid IP address: "x"',
    ],
    [
      { cniVersion: '1.0.0', ips: [{ address: '10.0.0.1/8', interface: 0.5 }] },
      'ips[0].interface: expected an integer, got 0.5',
    ],
    [{ cniVersion: '1.0.0', routes: [{ gw: '10.0.0.1' }] }, 'routes[0].dst: missing CIDR address'],
    [{ cniVersion: '1.0.0', interfaces: [{ name: 5 }] }, 'interfaces[0].name: expected a string, got number'],
    [
      { cniVersion: '1.0.0', interfaces: [{ name: 'a', mtu: '1500' }] },
      'interfaces[0].mtu: expected an integer, got "1500"',
    ],
    [{ cniVersion: '1.0.0', dns: { nameservers: [1] } }, 'dns.nameservers: expected an array of strings'],
    [{ cniVersion: '0.2.0', ip4: { ip: 'fd00::1/64' } }, 'ip4.ip: fd00::1/64 is not an IPv4 address'],
  ])('rejects %j with code 6: %s', (value, msg) => {
    let err: unknown;
    try {
      parseResult(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CniError);
    expect(err).toMatchObject({ code: 6, msg });
  });
  it('parseResultText reads bytes and reports JSON syntax errors as code 6', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(golden040));
    expect(parseResultText(bytes).ips).toHaveLength(3);
    expect(() => parseResultText('{')).toThrow(expect.objectContaining({ code: 6 }));
  });
});

describe('round trips', () => {
  const versions = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];
  it.each(versions)('1.1 → %s → 1.1 → %s is stable (conversion is idempotent after the first step)', (v) => {
    const once = formatResult(full, v);
    const back = parseResult(once);
    expect(formatResult(back, v)).toStrictEqual(once);
  });
  it.each(versions.flatMap((a) => versions.map((b) => [a, b] as const)))(
    '%s → %s matches the golden of %s',
    (from, to) => {
      const goldens: Record<string, object> = {
        '0.1.0': { ...golden020, cniVersion: '0.1.0' },
        '0.2.0': golden020,
        '0.3.0': { ...golden040, cniVersion: '0.3.0' },
        '0.3.1': { ...golden040, cniVersion: '0.3.1' },
        '0.4.0': golden040,
        '1.0.0': golden100,
        '1.1.0': golden110,
      };
      const converted = formatResult(parseResult(goldens[from]), to);
      const fromLegacy = from.startsWith('0.1') || from.startsWith('0.2');
      const toLegacy = to.startsWith('0.1') || to.startsWith('0.2');
      if (toLegacy) {
        // Down to 0.2 the first address per family and the routes survive from every source version.
        expect(converted).toStrictEqual({ ...golden020, cniVersion: to });
      } else if (fromLegacy) {
        expect(converted).toMatchObject({ cniVersion: to, dns: golden110.dns });
        expect((converted as { interfaces?: unknown }).interfaces).toBeUndefined();
        expect((converted as { ips: unknown[] }).ips).toHaveLength(2);
      } else if (from.startsWith('0.') && !to.startsWith('0.')) {
        // Up from 0.x the 1.1 interface fields are gone (they were never in the 0.x result).
        expect(converted).toStrictEqual({ ...golden110, cniVersion: to, interfaces: golden040.interfaces });
      } else {
        expect(converted).toStrictEqual(goldens[to]);
      }
    },
  );
});

describe('resultText', () => {
  it('prints Go-style 4-space indented JSON with HTML-safe escapes', () => {
    const r: Result = { interfaces: [{ name: 'a<b>&c' }], ips: [], routes: [], dns: {} };
    const text = resultText(r, '1.0.0');
    expect(text).toBe(
      '{\n    "cniVersion": "1.0.0",\n    "interfaces": [\n        {\n            "name": "a\\u003cb\\u003e\\u0026c"\n        }\n    ]\n}',
    );
    expect(JSON.parse(text).interfaces[0].name).toBe('a<b>&c');
  });
});

describe('parsePrevResult', () => {
  it('is null without prevResult', () => {
    expect(parsePrevResult({ cniVersion: '1.0.0' })).toBeNull();
  });
  it('reads a prevResult lacking cniVersion as the config version', () => {
    const conf = { cniVersion: '0.4.0', prevResult: { ips: [{ version: '4', address: '10.0.0.2/24' }] } };
    expect(parsePrevResult(conf)?.ips).toStrictEqual([{ address: '10.0.0.2/24' }]);
  });
  it('reads a prevResult of another version than the config', () => {
    const conf = { cniVersion: '1.1.0', prevResult: golden020 };
    expect(parsePrevResult(conf)?.ips).toHaveLength(2);
  });
  it('wraps failures as Go does', () => {
    expect(() => parsePrevResult({ cniVersion: '1.0.0', prevResult: { ips: 'x' } })).toThrow(
      expect.objectContaining({
        code: 6,
        msg: 'could not parse prevResult: result.ips: expected an array, got string',
      }),
    );
  });
});
