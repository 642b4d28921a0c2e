import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CniError } from './errors.js';
import type { Result } from './result.js';
import { type CmdArgs, dispatch, type GcArgs, type PluginHandlers, type PluginInfo, type PluginIO } from './skel.js';

const addEnv = {
  CNI_COMMAND: 'ADD',
  CNI_CONTAINERID: 'c0ffee',
  CNI_NETNS: '/var/run/netns/pod1',
  CNI_IFNAME: 'net1',
  CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAME=p',
  CNI_PATH: '/opt/cni/bin',
};

const sampleResult: Result = {
  interfaces: [
    { name: 'net1', mac: 'ca:fe:c0:ff:ee:00', mtu: 1500, sandbox: '/var/run/netns/pod1', pciID: '0000:af:06.0' },
  ],
  ips: [{ interface: 0, address: '10.1.0.5/16', gateway: '10.1.0.1' }],
  routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }],
  dns: {},
};

function conf(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ cniVersion: '1.0.0', name: 'sriov-net', type: 'sriov', ...extra });
}

function handlers(overrides: Partial<PluginHandlers> = {}): PluginHandlers {
  return { add: () => sampleResult, del: () => {}, ...overrides };
}

async function run(
  env: Record<string, string | undefined>,
  stdin: PluginIO['stdin'],
  h: PluginHandlers = handlers(),
  info: PluginInfo = {},
) {
  let stdout = '';
  let stderr = '';
  const code = await dispatch({ env, stdin, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, h, info);
  return { code, stdout, stderr, json: stdout === '' ? undefined : JSON.parse(stdout) };
}

async function expectError(
  env: Record<string, string | undefined>,
  stdin: PluginIO['stdin'],
  expected: { code: number; msg: string; details?: string; cniVersion?: string },
  h?: PluginHandlers,
  info?: PluginInfo,
) {
  const r = await run(env, stdin, h, info);
  expect(r.code).toBe(1);
  expect(r.json).toStrictEqual({ cniVersion: expected.cniVersion ?? '1.1.0', ...expected });
  return r;
}

describe('VERSION', () => {
  const all = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];
  it('answers with only CNI_COMMAND set and empty stdin', async () => {
    const r = await run({ CNI_COMMAND: 'VERSION' }, '');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`{"cniVersion":"1.1.0","supportedVersions":${JSON.stringify(all)}}\n`);
  });
  it("echoes the runtime version podman sends, with podman's dummy env", async () => {
    const env = {
      CNI_COMMAND: 'VERSION',
      CNI_CONTAINERID: '',
      CNI_NETNS: 'dummy',
      CNI_IFNAME: 'dummy',
      CNI_PATH: 'dummy',
      CNI_ARGS: '',
    };
    const r = await run(env, '{"cniVersion":"1.0.0"}');
    expect(r.json).toStrictEqual({ cniVersion: '1.0.0', supportedVersions: all });
  });
  it.each(['{', 'null', '[]', '{"cniVersion":5}', '{"cniVersion":"1.0"}', '\u0000\u00ff'])(
    'answers %j with the current version',
    async (stdin) => {
      const r = await run({ CNI_COMMAND: 'VERSION' }, stdin);
      expect(r.code).toBe(0);
      expect(r.json.cniVersion).toBe('1.1.0');
    },
  );
  it('answers even when stdin cannot be read, and calls no handler', async () => {
    const h = { add: vi.fn(), del: vi.fn() };
    const r = await run(
      { CNI_COMMAND: 'VERSION' },
      () => {
        throw new Error('EBADF');
      },
      h as unknown as PluginHandlers,
      { versions: ['0.4.0', '1.0.0'] },
    );
    expect(r.json).toStrictEqual({ cniVersion: '1.1.0', supportedVersions: ['0.4.0', '1.0.0'] });
    expect(h.add).not.toHaveBeenCalled();
    expect(r.stderr).toBe('');
  });
});

describe('environment validation (code 4)', () => {
  it("names every missing variable for ADD, in Go's order and format", async () => {
    await expectError({ CNI_COMMAND: 'ADD' }, conf(), {
      code: 4,
      msg: 'required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME,CNI_PATH] missing',
    });
  });
  it('treats empty strings as missing (libcni sets all six)', async () => {
    await expectError({ ...addEnv, CNI_NETNS: '', CNI_PATH: '' }, conf(), {
      code: 4,
      msg: 'required env variables [CNI_NETNS,CNI_PATH] missing',
    });
  });
  it('DEL does not need CNI_NETNS; CHECK does', async () => {
    expect((await run({ ...addEnv, CNI_COMMAND: 'DEL', CNI_NETNS: '' }, conf())).code).toBe(0);
    await expectError({ ...addEnv, CNI_COMMAND: 'CHECK', CNI_NETNS: '' }, conf(), {
      code: 4,
      msg: 'required env variables [CNI_NETNS] missing',
    });
  });
  it.each(['GC', 'STATUS'])('%s needs only CNI_PATH', async (cmd) => {
    const c = conf({ cniVersion: '1.1.0' });
    await expectError({ CNI_COMMAND: cmd }, c, { code: 4, msg: 'required env variables [CNI_PATH] missing' });
    const r = await run(
      { CNI_COMMAND: cmd, CNI_PATH: '/opt/cni/bin', CNI_CONTAINERID: 'bad id!', CNI_IFNAME: 'x/y' },
      c,
    );
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });
  it('no CNI_COMMAND: error code 4, or the about text on stderr when the plugin has one', async () => {
    await expectError({}, '', { code: 4, msg: 'required env variables [CNI_COMMAND] missing' });
    const r = await run({}, '', handlers(), { about: 'CNI sriov plugin v1.2.3', versions: ['1.0.0', '1.1.0'] });
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toBe('CNI sriov plugin v1.2.3\nCNI protocol versions supported: 1.0.0, 1.1.0\n');
  });
  it('unknown CNI_COMMAND', async () => {
    await expectError({ ...addEnv, CNI_COMMAND: 'FOO' }, conf(), { code: 4, msg: 'unknown CNI_COMMAND: FOO' });
    await expectError({ ...addEnv, CNI_COMMAND: 'add' }, conf(), { code: 4, msg: 'unknown CNI_COMMAND: add' });
  });
  it.each([
    ['net1net1net1net1', 'interface name is too long', 'interface name should be less than 16 characters'],
    ['éééééééé', 'interface name is too long', 'interface name should be less than 16 characters'],
    ['.', 'interface name is . or ..', undefined],
    ['..', 'interface name is . or ..', undefined],
    ['a/b', 'interface name contains / or : or whitespace characters', undefined],
    ['a:b', 'interface name contains / or : or whitespace characters', undefined],
    ['a b', 'interface name contains / or : or whitespace characters', undefined],
    ['a\tb', 'interface name contains / or : or whitespace characters', undefined],
    ['a\u00a0b', 'interface name contains / or : or whitespace characters', undefined],
  ])('CNI_IFNAME %j → %s', async (ifname, msg, details) => {
    await expectError({ ...addEnv, CNI_IFNAME: ifname }, conf(), {
      code: 4,
      msg,
      ...(details ? { details } : {}),
      cniVersion: '1.0.0',
    });
  });
  it('accepts a 15-byte interface name', async () => {
    expect((await run({ ...addEnv, CNI_IFNAME: 'net1net1net1net' }, conf())).code).toBe(0);
  });
  it.each(['-bad', 'bad id', 'a/b', '.x', 'ä'])('CNI_CONTAINERID %j → invalid characters', async (id) => {
    await expectError({ ...addEnv, CNI_CONTAINERID: id }, conf(), {
      code: 4,
      msg: 'invalid characters in containerID',
      details: id,
      cniVersion: '1.0.0',
    });
  });
  it('the config is validated before the IDs, as Go skel does (a bad network name wins)', async () => {
    await expectError({ ...addEnv, CNI_CONTAINERID: '-bad', CNI_IFNAME: 'a/b' }, conf({ name: 'bad name' }), {
      code: 7,
      msg: 'invalid characters found in network name',
      details: 'bad name',
      cniVersion: '1.0.0',
    });
    await expectError({ ...addEnv, CNI_CONTAINERID: '-bad', CNI_IFNAME: 'a/b' }, conf(), {
      code: 4,
      msg: 'invalid characters in containerID',
      details: '-bad',
      cniVersion: '1.0.0',
    });
  });
});

describe('stdin validation', () => {
  it('unreadable stdin is code 5', async () => {
    await expectError(
      addEnv,
      () => {
        throw new Error('EIO: i/o error, read');
      },
      { code: 5, msg: 'error reading from stdin: EIO: i/o error, read' },
    );
  });
  it('non-JSON stdin is code 6', async () => {
    const r = await run(addEnv, 'not json');
    expect(r.code).toBe(1);
    expect(r.json.code).toBe(6);
    expect(r.json.msg).toMatch(/^error unmarshall network config: /);
  });
  it('empty stdin is code 6', async () => {
    const r = await run(addEnv, '');
    expect(r.json).toMatchObject({ code: 6 });
  });
  it.each([
    ['[]', 6, 'error unmarshall network config: expected a JSON object, got array'],
    ['"x"', 6, 'error unmarshall network config: expected a JSON object, got string'],
    ['{"name":5}', 6, 'error unmarshall network config: name must be a string, got number'],
    ['{}', 7, 'missing network name'],
    ['null', 7, 'missing network name'],
    ['{"name":""}', 7, 'missing network name'],
  ])('%s → code %d %s', async (stdin, code, msg) => {
    await expectError(addEnv, stdin, { code, msg });
  });
  it('an invalid network name is code 7 with the name as details', async () => {
    await expectError(addEnv, '{"cniVersion":"1.0.0","name":"bad name"}', {
      code: 7,
      msg: 'invalid characters found in network name',
      details: 'bad name',
      cniVersion: '1.0.0',
    });
  });
  it('a non-string cniVersion is code 6', async () => {
    await expectError(addEnv, '{"cniVersion":1,"name":"n"}', {
      code: 6,
      msg: 'decoding version from network config: cniVersion must be a string, got number',
    });
  });
});

describe('version negotiation (code 1)', () => {
  it('unsupported config version', async () => {
    await expectError(addEnv, conf({ cniVersion: '9.9.9' }), {
      code: 1,
      msg: 'incompatible CNI versions',
      details: 'config is "9.9.9", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0" "1.1.0"]',
    });
  });
  it('a missing cniVersion is 0.1.0 (rejected when not advertised, accepted and printed as 0.1.0 when it is)', async () => {
    const noVersion = '{"name":"n"}';
    await expectError(
      addEnv,
      noVersion,
      {
        code: 1,
        msg: 'incompatible CNI versions',
        details: 'config is "0.1.0", plugin supports ["0.4.0" "1.0.0"]',
        cniVersion: '1.0.0',
      },
      handlers(),
      { versions: ['0.4.0', '1.0.0'] },
    );
    const r = await run(addEnv, noVersion);
    expect(r.json).toStrictEqual({
      cniVersion: '0.1.0',
      ip4: { ip: '10.1.0.5/16', gateway: '10.1.0.1', routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }] },
      dns: {},
    });
  });
  it('CHECK on a config below 0.4.0', async () => {
    await expectError({ ...addEnv, CNI_COMMAND: 'CHECK' }, conf({ cniVersion: '0.3.1' }), {
      code: 1,
      msg: 'config version does not allow CHECK',
      cniVersion: '0.3.1',
    });
  });
  it('CHECK on a config newer than every plugin version', async () => {
    await expectError(
      { ...addEnv, CNI_COMMAND: 'CHECK' },
      conf({ cniVersion: '1.1.0' }),
      {
        code: 1,
        msg: 'plugin version does not allow CHECK',
        cniVersion: '1.0.0',
      },
      handlers(),
      { versions: ['0.4.0', '1.0.0'] },
    );
  });
  it("CHECK with an unparsable version is code 6 with Go's message", async () => {
    await expectError({ ...addEnv, CNI_COMMAND: 'CHECK' }, conf({ cniVersion: 'x.1' }), {
      code: 6,
      msg: 'failed to convert major version part "x": strconv.Atoi: parsing "x": invalid syntax',
    });
  });
  it.each(['GC', 'STATUS'])('%s on a config below 1.1.0', async (cmd) => {
    await expectError({ ...addEnv, CNI_COMMAND: cmd }, conf({ cniVersion: '1.0.0' }), {
      code: 1,
      msg: `config version does not allow ${cmd}`,
      cniVersion: '1.0.0',
    });
  });
  it('CHECK at a supported but unlisted patch version is still code 1', async () => {
    await expectError({ ...addEnv, CNI_COMMAND: 'CHECK' }, conf({ cniVersion: '1.0.5' }), {
      code: 1,
      msg: 'incompatible CNI versions',
      details: 'config is "1.0.5", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0" "1.1.0"]',
    });
  });
});

describe('ADD', () => {
  it('gives the handler typed CmdArgs with the exact stdin bytes', async () => {
    const stdin = new TextEncoder().encode(conf({ deviceID: '0000:af:06.0', ipam: { type: 'host-local' } }));
    let seen: CmdArgs | undefined;
    const r = await run(
      addEnv,
      stdin,
      handlers({
        add: (a) => {
          seen = a;
          return sampleResult;
        },
      }),
    );
    expect(r.code).toBe(0);
    expect(seen).toMatchObject({
      command: 'ADD',
      containerId: 'c0ffee',
      netns: '/var/run/netns/pod1',
      ifName: 'net1',
      args: 'IgnoreUnknown=1;K8S_POD_NAME=p',
      path: '/opt/cni/bin',
      cniVersion: '1.0.0',
      netConf: { name: 'sriov-net', deviceID: '0000:af:06.0', ipam: { type: 'host-local' } },
    });
    expect(seen?.stdinData).toBe(stdin);
    expect(seen?.env).toStrictEqual(addEnv);
  });
  it.each([
    [
      '1.1.0',
      { cniVersion: '1.1.0', interfaces: sampleResult.interfaces, ips: sampleResult.ips, routes: sampleResult.routes },
    ],
    [
      '1.0.0',
      { cniVersion: '1.0.0', interfaces: sampleResult.interfaces, ips: sampleResult.ips, routes: sampleResult.routes },
    ],
    [
      '0.4.0',
      {
        cniVersion: '0.4.0',
        interfaces: [{ name: 'net1', mac: 'ca:fe:c0:ff:ee:00', sandbox: '/var/run/netns/pod1' }],
        ips: [{ version: '4', interface: 0, address: '10.1.0.5/16', gateway: '10.1.0.1' }],
        routes: sampleResult.routes,
        dns: {},
      },
    ],
    [
      '0.2.0',
      {
        cniVersion: '0.2.0',
        ip4: { ip: '10.1.0.5/16', gateway: '10.1.0.1', routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }] },
        dns: {},
      },
    ],
  ])('prints the result in the config version %s, Go-indented', async (v, expected) => {
    const r = await run(addEnv, conf({ cniVersion: v }));
    expect(r.code).toBe(0);
    expect(r.json).toStrictEqual(expected);
    expect(r.stdout.startsWith('{\n    "cniVersion"')).toBe(true);
  });
  it('a handler CniError is printed unchanged with the config version', async () => {
    await expectError(
      addEnv,
      conf(),
      { code: 11, msg: 'try later', details: 'lock busy', cniVersion: '1.0.0' },
      handlers({
        add: () => {
          throw new CniError(11, 'try later', 'lock busy');
        },
      }),
    );
  });
  it('an unexpected exception is code 999 with its message; the stack goes to the log only', async () => {
    const r = await expectError(
      addEnv,
      conf(),
      { code: 999, msg: 'kaboom', cniVersion: '1.0.0' },
      handlers({
        add: async () => {
          throw new TypeError('kaboom');
        },
      }),
    );
    expect(r.stdout).not.toContain('at ');
    expect(r.stderr).toContain('level="error" msg="unexpected error: kaboom"');
    expect(r.stderr).toContain('TypeError: kaboom');
  });
  it('a thrown non-Error is code 999 too', async () => {
    await expectError(
      addEnv,
      conf(),
      { code: 999, msg: 'just a string', cniVersion: '1.0.0' },
      handlers({
        add: () => {
          throw 'just a string';
        },
      }),
    );
  });
  it('no result from the handler is code 999', async () => {
    await expectError(
      addEnv,
      conf(),
      { code: 999, msg: 'ADD handler returned no result', cniVersion: '1.0.0' },
      handlers({
        add: () => undefined as unknown as Result,
      }),
    );
  });
  it("a result that cannot be expressed in 0.2.0 is Go's conversion error", async () => {
    await expectError(
      addEnv,
      conf({ cniVersion: '0.2.0' }),
      {
        code: 999,
        msg: 'cannot convert: no valid IP addresses',
        cniVersion: '0.2.0',
      },
      handlers({ add: () => ({ ...sampleResult, ips: [] }) }),
    );
  });
});

describe('DEL, CHECK, STATUS, GC', () => {
  it('DEL prints nothing and passes an empty netns through', async () => {
    const del = vi.fn();
    const r = await run({ ...addEnv, CNI_COMMAND: 'DEL', CNI_NETNS: '' }, conf(), handlers({ del }));
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(del.mock.calls[0]![0]).toMatchObject({ command: 'DEL', netns: '' });
  });
  it('CHECK calls the handler, or succeeds without one', async () => {
    const check = vi.fn();
    expect((await run({ ...addEnv, CNI_COMMAND: 'CHECK' }, conf(), handlers({ check }))).code).toBe(0);
    expect(check).toHaveBeenCalledOnce();
    expect(await run({ ...addEnv, CNI_COMMAND: 'CHECK' }, conf())).toMatchObject({ code: 0, stdout: '' });
  });
  it("STATUS reports the handler's code 50", async () => {
    await expectError(
      { CNI_COMMAND: 'STATUS', CNI_PATH: '/opt/cni/bin' },
      conf({ cniVersion: '1.1.0' }),
      {
        code: 50,
        msg: 'not available',
        cniVersion: '1.1.0',
      },
      handlers({
        status: () => {
          throw new CniError(50, 'not available');
        },
      }),
    );
  });
  const gcEnv = { CNI_COMMAND: 'GC', CNI_PATH: '/opt/cni/bin', CNI_CONTAINERID: '', CNI_IFNAME: '', CNI_NETNS: '' };
  const live = [{ containerID: 'c1', ifname: 'net1' }];
  it.each([
    ['cni.dev/valid-attachments', { 'cni.dev/valid-attachments': live }, live, true],
    ['cni.dev/attachments', { 'cni.dev/attachments': live }, live, true],
    ['both (libcni ≥ 1.2.3)', { 'cni.dev/valid-attachments': live, 'cni.dev/attachments': live }, live, true],
    ['valid-attachments preferred', { 'cni.dev/valid-attachments': [], 'cni.dev/attachments': live }, [], true],
    ['neither (cnitool gc)', {}, [], false],
    ['null', { 'cni.dev/valid-attachments': null }, [], true],
  ])('GC reads %s', async (_, extra, attachments, present) => {
    let seen: GcArgs | undefined;
    const r = await run(
      gcEnv,
      conf({ cniVersion: '1.1.0', ...extra }),
      handlers({
        gc: (a) => {
          seen = a;
        },
      }),
    );
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(seen?.validAttachments).toStrictEqual(attachments);
    expect(seen?.validAttachmentsPresent).toBe(present);
  });
  it('GC with a malformed attachment list is code 6', async () => {
    await expectError(
      gcEnv,
      conf({ cniVersion: '1.1.0', 'cni.dev/valid-attachments': [{ containerID: 1 }] }),
      {
        code: 6,
        msg: 'failed to decode cni.dev/valid-attachments: entry 0 must be an object with string containerID and ifname',
        cniVersion: '1.1.0',
      },
      handlers({ gc: () => {} }),
    );
    await expectError(
      gcEnv,
      conf({ cniVersion: '1.1.0', 'cni.dev/attachments': 'x' }),
      {
        code: 6,
        msg: 'failed to decode cni.dev/attachments: expected an array, got string',
        cniVersion: '1.1.0',
      },
      handlers({ gc: () => {} }),
    );
  });
  it('GC without a handler succeeds after the version check (Go skel with no GC func)', async () => {
    expect(await run(gcEnv, conf({ cniVersion: '1.1.0' }))).toMatchObject({ code: 0, stdout: '' });
  });
});

describe('logging', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cni-skel-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is configured from logLevel with the Go labels, on stderr, never on stdout', async () => {
    const r = await run(
      addEnv,
      conf({ logLevel: 'debug' }),
      handlers({
        add: (a) => {
          a.log.info('configuring', { deviceID: '0000:af:06.0' });
          return sampleResult;
        },
      }),
      { cniName: 'sriov-cni' },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^time="[^"]+" level="debug" msg="ADD called" cniName="sriov-cni" containerID="c0ffee" netns="\/var\/run\/netns\/pod1" ifname="net1" cniVersion="1.0.0"\n/,
    );
    expect(r.stderr).toContain('level="info" msg="configuring" cniName="sriov-cni" containerID="c0ffee"');
    expect(JSON.parse(r.stdout)).toMatchObject({ cniVersion: '1.0.0' });
  });
  it('default level info hides debug', async () => {
    const r = await run(addEnv, conf());
    expect(r.stderr).toBe('');
  });
  it('logFile takes the lines away from stderr', async () => {
    const file = join(dir, 'sub', 'sriov.log');
    const r = await run(addEnv, conf({ logLevel: 'debug', logFile: file }));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(readFileSync(file, 'utf8')).toContain('msg="ADD called"');
  });
});
