import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ParseResult,
  parseDevicePluginConfig,
  parseIbSriovNetConf,
  parseIndexedName,
  parseSriovNetConf,
  sriovInputSchema,
} from '../src/index.js';

const RUNS = 400;

/** Either a typed config or a precise error — and never anything thrown. */
function expectWellFormed<T>(r: ParseResult<T>): void {
  expect(Array.isArray(r.warnings)).toBe(true);
  if (r.ok) {
    expect(typeof r.config).toBe('object');
  } else {
    expect([6, 7]).toContain(r.error.code);
    expect(typeof r.error.message).toBe('string');
    expect(r.error.message.length).toBeGreaterThan(0);
    expect(typeof r.error.path).toBe('string');
  }
}

const cniArgs = fc.dictionary(
  fc.oneof(fc.constantFrom('MAC', 'VF', 'IP', 'IgnoreUnknown', 'K8S_POD_NAME'), fc.string()),
  fc.oneof(
    fc.string(),
    fc.constantFrom('0', '1', '-1', '+2', '02:00:00:00:00:01', 'AA-BB-CC-DD-EE-FF', '10.0.0.1,fd00::1'),
  ),
);

const sriovKeys = [
  'cniVersion',
  'name',
  'type',
  'deviceID',
  'vlan',
  'vlanQoS',
  'vlanProto',
  'mac',
  'spoofchk',
  'trust',
  'link_state',
  'min_tx_rate',
  'max_tx_rate',
  'logLevel',
  'logFile',
  'ipam',
  'runtimeConfig',
  'master',
  'pfOnly',
  'vf',
  'args',
  'capabilities',
  'dns',
  'prevResult',
  'OrigVfState',
  'VFID',
  'MTU',
];
const interesting = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.integer({ min: -5, max: 5000 }),
  fc.constantFrom('0000:af:06.0', 'ens1f0', '802.1q', '802.1AD', 'on', 'off', 'auto', 'enable', 'host-local', ''),
  fc.record(
    { type: fc.oneof(fc.string(), fc.integer()), mac: fc.string(), ips: fc.array(fc.string()) },
    { requiredKeys: [] },
  ),
);
/** Objects built from the known keys (random letter case) with values likely to reach every rule. */
const netconfLike = (keys: string[]) =>
  fc.dictionary(fc.constantFrom(...keys), interesting).chain((obj) =>
    fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }).map((flips) => {
      const out: Record<string, unknown> = {};
      let i = 0;
      for (const [k, v] of Object.entries(obj)) {
        out[[...k].map((c) => (flips[i++ % 64] ? c.toUpperCase() : c)).join('')] = v;
      }
      return { canonical: obj, recased: out };
    }),
  );

describe('property: any input gives a typed config or a precise error, never an exception', () => {
  it('sriov: any JSON value, any CNI_ARGS map', () => {
    fc.assert(
      fc.property(fc.jsonValue(), cniArgs, (value, args) => {
        expectWellFormed(parseSriovNetConf(value, { cniArgs: args }));
      }),
      { numRuns: RUNS },
    );
  });

  it('sriov: netconf-shaped objects; letter case of keys does not matter; text and value agree', () => {
    fc.assert(
      fc.property(netconfLike(sriovKeys), cniArgs, ({ canonical, recased }, args) => {
        const a = parseSriovNetConf(canonical, { cniArgs: args });
        expectWellFormed(a);
        expect(parseSriovNetConf(recased, { cniArgs: args })).toEqual(a);
        expect(parseSriovNetConf(JSON.stringify(canonical), { cniArgs: args })).toEqual(a);
      }),
      { numRuns: RUNS },
    );
  });

  it('sriov: any text or bytes on stdin', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array()), (stdin) => {
        expectWellFormed(parseSriovNetConf(stdin));
      }),
      { numRuns: RUNS },
    );
  });

  it('ib-sriov: any JSON value and netconf-shaped objects', () => {
    const ibKeys = [
      'cniVersion',
      'name',
      'deviceID',
      'guid',
      'pkey',
      'link_state',
      'rdmaIsolation',
      'ibKubernetesEnabled',
      'vfioPciMode',
      'runtimeConfig',
      'ipam',
      'Master',
    ]; // `args` is added separately below (a second, differently-cased `args` key would change Go's document order)
    fc.assert(
      fc.property(fc.jsonValue(), (value) => expectWellFormed(parseIbSriovNetConf(value))),
      { numRuns: RUNS },
    );
    const argsCni = fc.record({
      cni: fc.dictionary(
        fc.constantFrom('guid', 'mellanox.infiniband.app', 'x'),
        fc.oneof(fc.string(), fc.constantFrom('configured', 'c2:11:22:33:44:55:66:77'), fc.jsonValue({ maxDepth: 1 })),
      ),
    });
    fc.assert(
      fc.property(netconfLike(ibKeys), argsCni, ({ canonical, recased }, args) => {
        const a = parseIbSriovNetConf({ ...canonical, args });
        expectWellFormed(a);
        expect(parseIbSriovNetConf({ ...recased, args })).toEqual(a);
      }),
      { numRuns: RUNS },
    );
  });

  it('device plugin: any JSON value and config-shaped objects', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => expectWellFormed(parseDevicePluginConfig(value))),
      { numRuns: RUNS },
    );
    const selector = fc.dictionary(
      fc.constantFrom(
        'vendors',
        'devices',
        'drivers',
        'pciAddresses',
        'pfNames',
        'rootDevices',
        'linkTypes',
        'isRdma',
        'IsRdma',
        'needVhostNet',
        'vdpaType',
        'auxTypes',
        'pKeys',
      ),
      fc.oneof(
        fc.array(fc.oneof(fc.string(), fc.constantFrom('sf', 'p0#0-3,5', '8086'))),
        fc.boolean(),
        fc.string(),
        fc.jsonValue({ maxDepth: 1 }),
      ),
    );
    const entry = fc.record(
      {
        resourceName: fc.oneof(fc.string(), fc.constantFrom('a', 'b', 'sriov_net')),
        resourcePrefix: fc.string(),
        deviceType: fc.constantFrom('', 'netDevice', 'accelerator', 'auxNetDevice', 'netdevice', 'vfio', 'uio', 'gpu'),
        selectors: fc.oneof(selector, fc.array(selector, { maxLength: 3 }), fc.constant(null)),
        rootDevices: fc.array(fc.oneof(fc.string(), fc.constantFrom('02:00.0', '0000:03:00.1'))),
        sriovMode: fc.boolean(),
        additionalInfo: fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.string())),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 4 }), (list) => {
        expectWellFormed(parseDevicePluginConfig({ resourceList: list }));
      }),
      { numRuns: RUNS },
    );
  });

  it('# ranges: any string parses; generated lists round-trip', () => {
    fc.assert(
      fc.property(fc.string(), (s) => void parseIndexedName(s)),
      { numRuns: RUNS },
    );
    const item = fc.oneof(
      fc.nat(64).map((n) => ({ text: String(n), range: { first: n, last: n } })),
      fc.tuple(fc.nat(64), fc.nat(64)).map(([a, b]) => {
        const [first, last] = a <= b ? [a, b] : [b, a];
        return { text: `${first}-${last}`, range: { first, last } };
      }),
    );
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/),
        fc.array(item, { minLength: 1, maxLength: 6 }),
        (name, items) => {
          const parsed = parseIndexedName(`${name}#${items.map((i) => i.text).join(',')}`);
          expect(parsed.name).toBe(name);
          expect(parsed.problems).toEqual([]);
          expect(parsed.ranges).toEqual(items.map((i) => i.range));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('the sriov decode schema built for the keys a config has', () => {
  const keys = Object.keys(sriovInputSchema().shape);
  const value = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -5, max: 5000 }),
    fc.double(),
    fc.string({ maxLength: 4 }),
    fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.constant(null), fc.integer()), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom('type', 'mac', 'ips', 'nameservers', 'x'),
      fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      {
        maxKeys: 3,
      },
    ),
  );
  const config = fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 5 })), value, { maxKeys: 8 });

  it('answers every config as the whole object does: same data, same issues', () => {
    fc.assert(
      fc.property(config, (c) => {
        const whole = sriovInputSchema().safeParse(c, { jitless: true });
        const picked = sriovInputSchema(Object.keys(c)).safeParse(c, { jitless: true });
        expect(picked.success).toBe(whole.success);
        expect(picked.data).toEqual(whole.data);
        expect(picked.error?.issues).toEqual(whole.error?.issues);
      }),
      { numRuns: RUNS },
    );
  });
});
