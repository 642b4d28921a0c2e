// Differential tests against the real Go implementation: Debian's containernetworking-plugins `static` IPAM plugin
// (Go skel, types 020/040/100 and types.LoadArgs compiled in) needs neither root nor a netns for ADD, so it can be
// asked for the same result in every spec version and for its error objects, and this package must agree.
import { spawnSync } from 'node:child_process';
import { executable, missingPrerequisites } from '@sriov-ts/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadArgs } from '../src/cni-args.js';
import { parseCniErrorJson } from '../src/errors.js';
import { formatResult, parseResult } from '../src/result.js';
import { dispatch } from '../src/skel.js';

const STATIC = '/usr/lib/cni/static';
const skip = missingPrerequisites('cni differential tests against Go (containernetworking-plugins static)', [
  executable(STATIC),
]);

// The versions the Debian build (plugins 1.1.1) supports; 1.1.0 came later.
const GO_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0'];

const baseEnv = {
  CNI_COMMAND: 'ADD',
  CNI_CONTAINERID: 'c0ffee',
  CNI_NETNS: '/var/run/netns/unused',
  CNI_IFNAME: 'net1',
  CNI_PATH: '/usr/lib/cni',
};

function goRun(env: Record<string, string>, stdin: string) {
  const r = spawnSync(STATIC, [], { env, input: stdin, encoding: 'utf8', timeout: 10_000 });
  return { code: r.status, json: r.stdout === '' ? undefined : JSON.parse(r.stdout) };
}

function staticConf(version: string, ipam: Record<string, unknown>): string {
  return JSON.stringify({ cniVersion: version, name: 'oracle', type: 'static', ipam: { type: 'static', ...ipam } });
}

const routes = [{ dst: '0.0.0.0/0' }, { dst: '192.168.0.0/16', gw: '10.10.5.1' }, { dst: '3ffe:ffff:0:1ff::/64' }];
const dns = { nameservers: ['8.8.8.8'], domain: 'example.com', search: ['example.com'], options: ['ndots:2'] };
const v4 = { address: '10.10.0.1/24', gateway: '10.10.0.254' };
const v6 = { address: '3ffe:ffff:0:1ff::1/64', gateway: '3ffe:ffff::1' };
// Go refuses more than one address per family below 0.3.0, so the legacy versions get two addresses.
const twoAddresses = { addresses: [v4, v6], routes, dns };
const threeAddresses = { addresses: [v4, v6, { address: '10.20.0.1/16' }], routes, dns };

function goOutputs(versions: readonly string[], ipamConf: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of versions) {
    const r = goRun(baseEnv, staticConf(v, ipamConf));
    if (r.code !== 0) throw new Error(`static ADD ${v} failed: ${JSON.stringify(r.json)}`);
    out[v] = r.json;
  }
  return out;
}

const allPairs = (versions: readonly string[]) => versions.flatMap((a) => versions.map((b) => [a, b] as const));

describe.skipIf(skip !== null)('result conversion agrees with Go types 020/040/100', () => {
  const legacyOk = skip === null ? goOutputs(GO_VERSIONS, twoAddresses) : {};
  const modern = GO_VERSIONS.filter((v) => !v.startsWith('0.1') && !v.startsWith('0.2'));
  const rich = skip === null ? goOutputs(modern, threeAddresses) : {};

  it.each(allPairs(GO_VERSIONS))("one address per family: Go %s output → %s equals Go's own", (from, to) => {
    expect(formatResult(parseResult(legacyOk[from]), to)).toStrictEqual(legacyOk[to]);
  });
  it.each(allPairs(modern))("three addresses: Go %s output → %s equals Go's own", (from, to) => {
    expect(formatResult(parseResult(rich[from]), to)).toStrictEqual(rich[to]);
  });
  it('three addresses down to 0.2.0 keep the first address per family, as Go does when it converts', () => {
    expect(formatResult(parseResult(rich['1.0.0']), '0.2.0')).toStrictEqual({ ...(legacyOk['0.2.0'] as object) });
  });
});

describe.skipIf(skip !== null)('skeleton errors agree with Go skel', () => {
  const good = staticConf('1.0.0', { addresses: [{ address: '10.10.0.1/24' }] });
  async function ours(env: Record<string, string>, stdin: string) {
    let out = '';
    const code = await dispatch(
      { env, stdin, stdout: (t) => (out += t), stderr: () => {} },
      {
        add: () => ({ interfaces: [], ips: [{ address: '10.10.0.1/24' }], routes: [], dns: {} }),
        del: () => {},
      },
      { versions: GO_VERSIONS, rejectOwnNetns: false },
    );
    return { code, json: JSON.parse(out) };
  }
  async function expectSame(env: Record<string, string>, stdin: string) {
    const g = goRun(env, stdin);
    const o = await ours(env, stdin);
    expect(g.code).toBe(1);
    expect(o.code).toBe(1);
    const { cniVersion: _, ...ourError } = o.json;
    expect(ourError).toStrictEqual(g.json);
  }
  it.each([
    ['ADD without env', { CNI_COMMAND: 'ADD' }, good],
    ['DEL without env', { CNI_COMMAND: 'DEL' }, good],
    ['CHECK without netns', { ...baseEnv, CNI_COMMAND: 'CHECK', CNI_NETNS: '' }, good],
    ['unknown command', { ...baseEnv, CNI_COMMAND: 'FOO' }, good],
    ['no name', baseEnv, '{"cniVersion":"1.0.0"}'],
    ['bad name', baseEnv, '{"cniVersion":"1.0.0","name":"a b"}'],
    ['unsupported version', baseEnv, '{"cniVersion":"9.9.9","name":"n"}'],
    ['CHECK on 0.3.1', { ...baseEnv, CNI_COMMAND: 'CHECK' }, '{"cniVersion":"0.3.1","name":"n"}'],
    [
      'CHECK on 1.1.0 when the plugin stops at 1.0.0',
      { ...baseEnv, CNI_COMMAND: 'CHECK' },
      '{"cniVersion":"1.1.0","name":"n"}',
    ],
  ] as const)('%s', async (_, env, stdin) => {
    await expectSame({ ...env }, stdin);
  });

  it('interface names: same verdict, code, msg and details as Go for arbitrary names', async () => {
    const names = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'b', '1', '.', '/', ':', ' ', '\t', '-', '_', '@', 'é'), maxLength: 18 }),
      fc.constantFrom('.', '..', '', 'x'.repeat(15), 'x'.repeat(16), 'a\u00a0b', 'a\u2003b', 'a\u0085b'),
    );
    await fc.assert(
      fc.asyncProperty(names, async (ifname) => {
        if (ifname === '') return; // empty is "missing" in both, covered above
        const env = { ...baseEnv, CNI_IFNAME: ifname };
        const g = goRun(env, good);
        const o = await ours(env, good);
        expect(o.code).toBe(g.code);
        if (g.code === 1) {
          const { cniVersion: _, ...ourError } = o.json;
          expect(ourError).toStrictEqual(g.json);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('container IDs and network names: same verdicts and messages as Go', async () => {
    const ids = fc.string({
      unit: fc.constantFrom('a', 'Z', '9', '.', '-', '_', ' ', '/', 'ü', '+'),
      minLength: 1,
      maxLength: 8,
    });
    await fc.assert(
      fc.asyncProperty(ids, ids, async (cid, name) => {
        const env = { ...baseEnv, CNI_CONTAINERID: cid };
        const stdin = staticConf('1.0.0', { addresses: [{ address: '10.10.0.1/24' }] }).replace(
          '"oracle"',
          JSON.stringify(name),
        );
        const g = goRun(env, stdin);
        const o = await ours(env, stdin);
        expect(o.code).toBe(g.code);
        if (g.code === 1) {
          const { cniVersion: _, ...ourError } = o.json;
          expect(ourError).toStrictEqual(g.json);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe.skipIf(skip !== null)('CNI_ARGS agrees with Go types.LoadArgs', () => {
  // static declares IP and GATEWAY (typed values); keys are drawn so that only IgnoreUnknown and unknown keys occur,
  // where loadArgs and Go must agree on verdict and message exactly.
  const key = fc.constantFrom('IgnoreUnknown', 'K8S_POD_NAME', 'MAC', 'ignoreunknown', '', 'X');
  const value = fc.oneof(
    fc.constantFrom('1', 'true', 'True', '0', 'false', 'yes', '', 'a=b', 'x"y', 'x\\y', 'tab\tx'),
    fc.string({ unit: fc.constantFrom('a', '-', '.', ' ', '"'), maxLength: 4 }),
  );
  const pair = fc.oneof(
    fc.tuple(key, value).map(([k, v]) => `${k}=${v}`),
    fc.constantFrom('', 'novalue', 'a=b=c'),
  );
  const cniArgs = fc.array(pair, { minLength: 1, maxLength: 4 }).map((ps) => ps.join(';'));
  const good = staticConf('1.0.0', { addresses: [{ address: '10.10.0.1/24' }] });

  it('same success/failure and the same error text', () => {
    fc.assert(
      fc.property(cniArgs, (args) => {
        const g = goRun({ ...baseEnv, CNI_ARGS: args }, good);
        let ourMessage: string | undefined;
        try {
          loadArgs(args, ['IP', 'GATEWAY']);
        } catch (e) {
          ourMessage = (e as Error).message;
        }
        if (g.code === 0) {
          expect(ourMessage).toBeUndefined();
        } else {
          const goError = parseCniErrorJson(g.json);
          expect(goError?.code).toBe(999);
          expect(ourMessage).toBe(goError?.msg);
        }
      }),
      { numRuns: 200 },
    );
  });
});
