// Property: whatever the runtime sends (any CNI_ARGS, any stdin bytes, any command), dispatch() answers with
// exit 0 and a result (or nothing), or exit 1 and exactly one well-formed CNI error object — never an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadArgs } from './cni-args.js';
import { parsePrevResult, type Result } from './result.js';
import { dispatch, type PluginHandlers } from './skel.js';
import { ALL_VERSIONS } from './version.js';

const result: Result = {
  interfaces: [{ name: 'net1', mac: 'ca:fe:c0:ff:ee:00', sandbox: '/var/run/netns/p' }],
  ips: [{ interface: 0, address: '10.1.0.5/16', gateway: '10.1.0.1' }],
  routes: [],
  dns: {},
};

// Handlers that do what real plugins do with untrusted input: strict CNI_ARGS parsing, prevResult parsing.
const handlers: PluginHandlers = {
  add: (a) => {
    const { values } = loadArgs(a.args, ['MAC', 'IP', 'K8S_POD_NAME']);
    const prev = parsePrevResult(a.netConf);
    return {
      ...result,
      interfaces: [...(prev?.interfaces ?? []), { ...result.interfaces[0]!, mac: values.MAC ?? 'ca:fe:c0:ff:ee:00' }],
    };
  },
  del: (a) => {
    loadArgs(a.args, ['MAC']);
    parsePrevResult(a.netConf);
  },
  check: (a) => {
    if (parsePrevResult(a.netConf) === null) throw new Error('Required prevResult missing');
  },
  gc: (a) => {
    if (a.validAttachments.some((x) => x.containerID === '')) throw new TypeError('empty id');
  },
  status: () => {},
};

const command = fc.oneof(
  fc.constantFrom('ADD', 'DEL', 'CHECK', 'GC', 'STATUS', 'VERSION'),
  fc.string({ maxLength: 8 }),
);
const cniArgs = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc
    .array(
      fc.tuple(fc.constantFrom('IgnoreUnknown', 'MAC', 'IP', 'K8S_POD_NAME', 'X', ''), fc.string({ maxLength: 12 })),
    )
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join(';')),
);
const version = fc.oneof(fc.constantFrom(...ALL_VERSIONS, '', '9.9.9', 'x.y', '1.0'), fc.string({ maxLength: 6 }));
const jsonishConfig = fc
  .record(
    {
      cniVersion: fc.oneof(version, fc.jsonValue()),
      name: fc.oneof(fc.constantFrom('sriov-net', 'bad name', ''), fc.string({ maxLength: 10 }), fc.jsonValue()),
      type: fc.constant('sriov'),
      prevResult: fc.oneof(
        fc.jsonValue(),
        fc.record({
          cniVersion: version,
          interfaces: fc.array(fc.record({ name: fc.string(), mac: fc.string() }), { maxLength: 2 }),
          ips: fc.array(
            fc.record({
              address: fc.constantFrom('10.0.0.2/24', 'fd00::2/64', 'x', '10.0.0.2'),
              interface: fc.integer(),
            }),
            { maxLength: 2 },
          ),
        }),
      ),
      logLevel: fc.constantFrom('debug', 'nonsense', ''),
      'cni.dev/valid-attachments': fc.jsonValue(),
    },
    { requiredKeys: [] },
  )
  .map((o) => new TextEncoder().encode(JSON.stringify(o)));
const stdin = fc.oneof(fc.uint8Array({ maxLength: 200 }), jsonishConfig);
const env = fc.record({
  CNI_COMMAND: command,
  CNI_CONTAINERID: fc.oneof(fc.constant('c0ffee'), fc.string({ maxLength: 10 })),
  CNI_NETNS: fc.oneof(fc.constant('/var/run/netns/p'), fc.string({ maxLength: 10 })),
  CNI_IFNAME: fc.oneof(fc.constant('net1'), fc.string({ maxLength: 18 })),
  CNI_ARGS: cniArgs,
  CNI_PATH: fc.oneof(fc.constant('/opt/cni/bin'), fc.constant('')),
});

function checkOutcome(code: number, stdout: string, cmd: string): void {
  expect([0, 1]).toContain(code);
  if (code === 1) {
    const err = JSON.parse(stdout);
    expect(Object.keys(err).every((k) => ['cniVersion', 'code', 'msg', 'details'].includes(k))).toBe(true);
    expect(Number.isInteger(err.code) && err.code >= 0).toBe(true);
    expect(typeof err.msg).toBe('string');
    expect(typeof err.cniVersion).toBe('string');
    expect(err.details === undefined || typeof err.details === 'string').toBe(true);
    return;
  }
  if (cmd === 'ADD') {
    const res = JSON.parse(stdout);
    expect(typeof res.cniVersion).toBe('string');
  } else if (cmd === 'VERSION') {
    expect(JSON.parse(stdout).supportedVersions).toStrictEqual([...ALL_VERSIONS]);
  } else {
    expect(stdout).toBe('');
  }
}

describe('dispatch never throws and always answers well-formed', () => {
  it('for any env, CNI_ARGS and stdin bytes', async () => {
    await fc.assert(
      fc.asyncProperty(env, stdin, async (e, bytes) => {
        let stdout = '';
        let writes = 0;
        const code = await dispatch(
          {
            env: e,
            stdin: bytes,
            stdout: (t) => {
              stdout += t;
              writes++;
            },
            stderr: () => {},
          },
          handlers,
        );
        expect(writes).toBeLessThanOrEqual(1);
        checkOutcome(code, stdout, e.CNI_COMMAND);
      }),
      { numRuns: 3000 },
    );
  });

  it('reaches the handlers often enough to matter (valid env, JSON-ish config)', async () => {
    let reachedAdd = 0;
    await fc.assert(
      fc.asyncProperty(cniArgs, jsonishConfig, async (args, bytes) => {
        let stdout = '';
        const code = await dispatch(
          {
            env: {
              CNI_COMMAND: 'ADD',
              CNI_CONTAINERID: 'c1',
              CNI_NETNS: '/n',
              CNI_IFNAME: 'net1',
              CNI_ARGS: args,
              CNI_PATH: '/p',
            },
            stdin: bytes,
            stdout: (t) => {
              stdout += t;
            },
            stderr: () => {},
          },
          handlers,
        );
        if (code === 0) reachedAdd++;
        checkOutcome(code, stdout, 'ADD');
      }),
      { numRuns: 2000 },
    );
    expect(reachedAdd).toBeGreaterThan(0);
  });
});

describe('parsers fail only with their documented errors', () => {
  it('loadArgs: a result or an "ARGS: ..." Error', () => {
    fc.assert(
      fc.property(cniArgs, (s) => {
        try {
          const r = loadArgs(s, ['MAC', 'IP']);
          expect(typeof r.ignoreUnknown).toBe('boolean');
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message).toMatch(/^ARGS: /);
        }
      }),
      { numRuns: 3000 },
    );
  });
  it('parsePrevResult: a 1.1 result, null, or a code-6 CniError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), version, (prev, v) => {
        try {
          const r = parsePrevResult({ cniVersion: v, prevResult: prev });
          if (r !== null) expect(Array.isArray(r.ips)).toBe(true);
        } catch (e) {
          expect(e).toMatchObject({ name: 'CniError', code: 6 });
        }
      }),
      { numRuns: 3000 },
    );
  });
});
