// Delegation conformance against small fake IPAM executables (node scripts written into a temp CNI_PATH dir).
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CniError, createLogger } from '@sriov-ts/cni';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeIpamDir, fakeIpamDir, printing, recording } from '../test/fake-ipam.js';
import {
  delegateEnv,
  type IpamDelegation,
  ipamAdd,
  ipamCheck,
  ipamDel,
  ipamDelegationFromStdin,
  ipamGc,
  ipamRunsOutsidePod,
  ipamStatus,
} from './delegate.js';

interface LogLine {
  level: string;
  msg: string;
}
function memoryLogger() {
  const lines: LogLine[] = [];
  const at = (level: string) => (msg: string) => lines.push({ level, msg });
  return {
    lines,
    logger: { error: at('error'), warning: at('warning'), info: at('info'), debug: at('debug') },
  };
}

let fakes: FakeIpamDir;
let baseEnv: Record<string, string>;
beforeAll(() => {
  fakes = fakeIpamDir();
  baseEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    CNI_COMMAND: 'ADD',
    CNI_CONTAINERID: 'ctr-1',
    CNI_NETNS: '/var/run/netns/nowhere',
    CNI_IFNAME: 'net1',
    CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAME=p',
    CNI_PATH: `/nonexistent-first:${fakes.dir}`,
  };
});
afterAll(() => fakes.cleanup());

const stdinOf = (obj: unknown) => Buffer.from(JSON.stringify(obj));
function conf(type: string, cniVersion = '1.0.0', extra: Record<string, unknown> = {}): IpamDelegation {
  return { type, cniVersion, stdin: stdinOf({ cniVersion, name: 'net', type: 'sriov', ipam: { type }, ...extra }) };
}
async function rejection(p: Promise<unknown>): Promise<CniError> {
  const err = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CniError);
  return err as CniError;
}

describe('results of every version come back in the 1.1 model', () => {
  const v4 = { address: '10.1.0.5/16', gateway: '10.1.0.1' };
  const v6 = { address: 'fd00::5/64', gateway: 'fd00::1' };
  it.each([
    [
      '0.3.1',
      {
        cniVersion: '0.3.1',
        ips: [
          { version: '4', ...v4 },
          { version: '6', ...v6 },
        ],
        dns: {},
      },
    ],
    [
      '0.4.0',
      {
        cniVersion: '0.4.0',
        ips: [
          { version: '4', ...v4 },
          { version: '6', ...v6 },
        ],
        dns: {},
      },
    ],
    ['1.0.0', { cniVersion: '1.0.0', ips: [v4, v6] }],
    ['1.1.0', { cniVersion: '1.1.0', ips: [v4, v6] }],
  ])('%s', async (version, output) => {
    fakes.add(`res-${version}`, printing(JSON.stringify({ ...output, routes: [{ dst: '0.0.0.0/0' }] })));
    const result = await ipamAdd(conf(`res-${version}`, version), { env: baseEnv });
    expect(result.cniVersion).toBe(version); // the 1.1 model records the version the result came in
    expect(result.interfaces).toEqual([]);
    expect(result.ips.map((ip) => [ip.address, ip.gateway])).toEqual([
      ['10.1.0.5/16', '10.1.0.1'],
      ['fd00::5/64', 'fd00::1'],
    ]);
    expect(JSON.stringify(result.ips)).not.toContain('"version"');
    expect(result.routes).toEqual([{ dst: '0.0.0.0/0' }]);
  });

  it("assumes the config's cniVersion for a result without one (0.4.0 keeps ips[].version legal)", async () => {
    fakes.add('noversion', printing(JSON.stringify({ ips: [{ version: '4', ...v4 }] })));
    const result = await ipamAdd(conf('noversion', '0.4.0'), { env: baseEnv });
    expect(result.ips[0]!.address).toBe('10.1.0.5/16');
  });
  it('treats a JSON null result as an empty result of the config version', async () => {
    fakes.add('null', printing('null'));
    const result = await ipamAdd(conf('null', '1.0.0'), { env: baseEnv });
    expect(result.ips).toEqual([]);
  });
  it('rejects garbage stdout from a successful ADD with a decoding error quoting it', async () => {
    fakes.add('garbage-ok', printing('this is not json'));
    const err = await rejection(ipamAdd(conf('garbage-ok'), { env: baseEnv }));
    expect(err.msg).toMatch(/^failed to unmarshal raw result: .* result this is not json$/);
  });
  it('rejects a result whose version has no result type', async () => {
    fakes.add('v9', printing(JSON.stringify({ cniVersion: '9.9.9', ips: [] })));
    const err = await rejection(ipamAdd(conf('v9'), { env: baseEnv }));
    expect(err.message).toContain('9.9.9');
  });
});

describe('errors', () => {
  it('propagates a Go-style error (no cniVersion) with its code, msg and details', async () => {
    fakes.add(
      'go-error',
      printing(JSON.stringify({ code: 11, msg: 'no IP addresses available', details: 'range set 0' }), { code: 1 }),
    );
    const err = await rejection(ipamAdd(conf('go-error'), { env: baseEnv }));
    expect([err.code, err.msg, err.details]).toEqual([11, 'no IP addresses available', 'range set 0']);
    expect(err.message).toBe('no IP addresses available; range set 0');
  });
  it('propagates STATUS codes 50/51 from the IPAM plugin', async () => {
    fakes.add('status-51', printing(JSON.stringify({ cniVersion: '1.1.0', code: 51, msg: 'degraded' }), { code: 1 }));
    const err = await rejection(ipamStatus(conf('status-51', '1.1.0'), { env: baseEnv }));
    expect([err.code, err.msg]).toEqual([51, 'degraded']);
  });
  it('reports garbage stdout of a failed plugin verbatim', async () => {
    fakes.add('garbage-fail', printing('panic: boom\n', { code: 2 }));
    const err = await rejection(ipamDel(conf('garbage-fail'), { env: baseEnv }));
    expect(err.code).toBe(999);
    expect(err.msg).toMatch(/^netplugin failed but error parsing its diagnostic message "panic: boom\\n": /);
  });
  it('uses stderr text when a failed plugin printed nothing on stdout', async () => {
    fakes.add('stderr-only', printing('', { stderr: 'cannot open lock\n', code: 1 }));
    const { logger } = memoryLogger();
    const err = await rejection(ipamDel(conf('stderr-only'), { env: baseEnv, logger }));
    expect(err.msg).toBe('netplugin failed: "cannot open lock\\n": exit status 1');
  });
  it('says so when a failed plugin printed nothing at all', async () => {
    fakes.add('silent', printing('', { code: 3 }));
    const err = await rejection(ipamCheck(conf('silent'), { env: baseEnv }));
    expect(err.msg).toBe('netplugin failed with no error message: exit status 3');
  });
  it('names a plugin killed by a signal like Go does', async () => {
    fakes.add('segv', "process.kill(process.pid, 'SIGSEGV');");
    const err = await rejection(ipamDel(conf('segv'), { env: baseEnv }));
    expect(err.msg).toBe('netplugin failed with no error message: signal: segmentation fault');
  });
  it("reports a missing binary with libcni's message and code 999", async () => {
    const err = await rejection(ipamAdd(conf('no-such-ipam'), { env: baseEnv }));
    expect(err.code).toBe(999);
    expect(err.msg).toBe(`failed to find plugin "no-such-ipam" in path [/nonexistent-first ${fakes.dir}]`);
  });
  it('refuses a type that is a path, before running anything', async () => {
    const err = await rejection(ipamAdd(conf(`../${fakes.dir.split('/').pop()}/res-1.0.0`), { env: baseEnv }));
    expect(err.msg).toMatch(/^invalid plugin name: /);
  });
  it('refuses to let a shell run a script without #! (Go: exec format error)', async () => {
    const path = fakes.add('no-shebang', '');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, 'echo {} > /dev/null\n');
    const err = await rejection(ipamAdd(conf('no-shebang'), { env: baseEnv }));
    expect(err.msg).toBe(`netplugin failed with no error message: fork/exec ${path}: exec format error`);
  });
  it('reports a non-executable file as permission denied', async () => {
    const path = fakes.add('not-exec', printing('{}'));
    const { chmodSync } = await import('node:fs');
    chmodSync(path, 0o644);
    const err = await rejection(ipamAdd(conf('not-exec'), { env: baseEnv }));
    // root bypasses the mode check only when some execute bit is set
    expect(err.msg).toBe(`netplugin failed with no error message: fork/exec ${path}: permission denied`);
  });
});

describe('timeouts and aborts', () => {
  it('kills a hung plugin after the timeout with a clear error and keeps its stderr', async () => {
    fakes.addShell('hang', 'echo "waiting for lock" >&2\nexec sleep 600');
    const { lines, logger } = memoryLogger();
    const err = await rejection(ipamAdd(conf('hang'), { env: baseEnv, timeoutMs: 1500, logger }));
    expect(err.code).toBe(999);
    expect(err.msg).toBe('IPAM plugin "hang" (CNI_COMMAND=ADD) timed out after 1500 ms, killed (SIGKILL)');
    expect(err.details).toContain('waiting for lock');
    expect(lines.some((l) => l.msg.includes('waiting for lock'))).toBe(true);
  });
  it('does not wait for a grandchild that keeps the pipes open after the plugin exited', async () => {
    const pidFile = join(fakes.dir, 'daemon.pid');
    // the background sleep inherits stdout and stderr, so they stay open after the plugin itself exits 0
    fakes.addShell('daemonizes', `sleep 600 &\necho $! > ${pidFile}\necho '{"cniVersion":"1.0.0","ips":[]}'`);
    try {
      const err = await rejection(ipamAdd(conf('daemonizes'), { env: baseEnv, timeoutMs: 1500 }));
      expect(err.msg).toContain('timed out after 1500 ms');
    } finally {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    }
  });
  it('rejects a nonsensical timeout before running anything', async () => {
    for (const timeoutMs of [0, -1, Number.NaN, 2 ** 31]) {
      await expect(ipamAdd(conf('res-1.0.0'), { env: baseEnv, timeoutMs })).rejects.toThrow(TypeError);
    }
  });
  it('honours an AbortSignal', async () => {
    fakes.addShell('hang2', 'exec sleep 600');
    const ac = new AbortController();
    const p = ipamDel(conf('hang2'), { env: baseEnv, signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    const err = await rejection(p);
    expect(err.msg).toBe('IPAM plugin "hang2" (CNI_COMMAND=DEL) aborted, killed (SIGKILL)');
  });
  it('runs to completion with a signal that never fires (the asynchronous runner), like without one', async () => {
    fakes.add('res-signal', printing('{"cniVersion":"1.0.0","ips":[{"address":"10.1.2.3/24"}]}'));
    fakes.add('fail-signal', printing('', { stderr: 'no lease\n', code: 4 }));
    const signal = new AbortController().signal;
    expect((await ipamAdd(conf('res-signal'), { env: baseEnv, signal })).ips[0]?.address).toBe('10.1.2.3/24');
    const err = await rejection(ipamDel(conf('fail-signal'), { env: baseEnv, signal }));
    expect(err.msg).toBe('netplugin failed: "no lease\\n": exit status 4');
  });
  it('retries a "text file busy" binary like libcni (plugin being written)', async () => {
    const path = fakes.add('busy', printing('{"cniVersion":"1.0.0","ips":[]}'));
    const writer = openSync(path, 'r+'); // an open writer makes execve fail with ETXTBSY
    setTimeout(() => closeSync(writer), 250);
    const result = await ipamAdd(conf('busy'), { env: baseEnv, retryDelayMs: 100 });
    expect(result.ips).toEqual([]);
  });
});

describe('what the IPAM plugin receives', () => {
  it('gets the exact stdin bytes and the whole environment with only CNI_COMMAND changed', async () => {
    const record = join(fakes.dir, 'record-env.json');
    fakes.add('recorder', recording(record, '{}'));
    // odd spacing, key order, unicode and a non-UTF-8 byte: re-serialising would change every one of them
    const stdin = Buffer.concat([
      Buffer.from('{ "cniVersion":"1.0.0" ,\n\t"name":"net","ipam":{"type":"recorder"},"z":"é\u2028", "bin":"'),
      Buffer.from([0xff]),
      Buffer.from('"}\r\n'),
    ]);
    const env = { ...baseEnv, CNI_COMMAND: 'DEL', EXTRA_VAR: 'x=y;z', UNSET_VAR: undefined };
    for (const [fn, command] of [
      [ipamDel, 'DEL'],
      [ipamCheck, 'CHECK'],
      [ipamGc, 'GC'],
      [ipamStatus, 'STATUS'],
    ] as const) {
      await fn({ stdin, type: 'recorder', cniVersion: '1.0.0' }, { env });
      const seen = JSON.parse(readFileSync(record, 'utf8')) as { stdin: string; env: Record<string, string> };
      expect(Buffer.from(seen.stdin, 'base64').equals(stdin)).toBe(true);
      const { CNI_COMMAND, ...rest } = seen.env;
      expect(CNI_COMMAND).toBe(command);
      const { CNI_COMMAND: _ignored, UNSET_VAR: _unset, ...expected } = env;
      expect(rest).toEqual(expected);
    }
  });
  it('is already running when ipamAdd returns: work before the await overlaps it', async () => {
    const started = join(fakes.dir, 'early-started');
    const go = join(fakes.dir, 'early-go');
    // The fake finishes only once the caller, between ipamAdd() and its await, has seen it start and said go: a
    // delegation that ran the plugin to completion inside ipamAdd() would time out here.
    fakes.addShell(
      'early',
      `cat > /dev/null; : > ${started}\nwhile [ ! -e ${go} ]; do sleep 0.01; done\necho '{"cniVersion":"1.0.0","ips":[]}'`,
    );
    const pending = ipamAdd(conf('early'), { env: baseEnv, timeoutMs: 10_000 });
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 500 && !existsSync(started); i++) Atomics.wait(pause, 0, 0, 10); // the caller's sync work
    expect(existsSync(started)).toBe(true);
    writeFileSync(go, '');
    expect(await pending).toMatchObject({ cniVersion: '1.0.0', ips: [] });
  });
  it('defaults to process.env', () => {
    expect(delegateEnv(process.env, 'ADD').PATH).toBe(process.env.PATH);
  });
});

describe('stderr of the IPAM plugin is never lost', () => {
  it('is logged on success', async () => {
    fakes.add('chatty', printing('{"cniVersion":"1.0.0","ips":[]}', { stderr: 'allocated 10.1.0.5\n' }));
    const { lines, logger } = memoryLogger();
    await ipamAdd(conf('chatty'), { env: baseEnv, logger });
    expect(lines).toContainEqual({ level: 'info', msg: 'IPAM plugin chatty ADD stderr: allocated 10.1.0.5' });
  });
  it('goes through the @sriov-ts/cni logger as an info line', async () => {
    fakes.add('chatty2', printing('{"cniVersion":"1.0.0","ips":[]}', { stderr: 'lease "x" kept\n' }));
    let text = '';
    const logger = createLogger({ level: 'info', stderr: (t) => (text += t) });
    await ipamAdd(conf('chatty2'), { env: baseEnv, logger });
    expect(text).toMatch(/level="info" msg="IPAM plugin chatty2 ADD stderr: lease \\"x\\" kept"/);
  });
  it('is logged on failure even when stdout carried the error', async () => {
    fakes.add('chatty-fail', printing('{"code":7,"msg":"bad"}', { stderr: 'trace line\n', code: 1 }));
    const { lines, logger } = memoryLogger();
    const err = await rejection(ipamAdd(conf('chatty-fail'), { env: baseEnv, logger }));
    expect(err.code).toBe(7);
    expect(lines.some((l) => l.msg.includes('trace line'))).toBe(true);
  });
});

describe('ipamRunsOutsidePod', () => {
  it('is true for host-local and static only: dhcp needs the pod interface, other plugins are not assumed', () => {
    expect(['host-local', 'static'].map(ipamRunsOutsidePod)).toEqual([true, true]);
    expect(['dhcp', 'whereabouts', 'Host-Local', ''].map(ipamRunsOutsidePod)).toEqual([false, false, false, false]);
  });
});

describe('ipamDelegationFromStdin', () => {
  it('takes ipam.type and cniVersion, keeps the bytes', () => {
    const stdin = stdinOf({ cniVersion: '0.4.0', name: 'n', ipam: { type: 'static' } });
    expect(ipamDelegationFromStdin(stdin)).toEqual({ stdin, type: 'static', cniVersion: '0.4.0' });
  });
  it('treats a missing cniVersion as 0.1.0 like Go', () => {
    expect(ipamDelegationFromStdin(stdinOf({ ipam: { type: 'x' } })).cniVersion).toBe('0.1.0');
  });
  it('rejects non-JSON with code 6', () => {
    expect(() => ipamDelegationFromStdin(Buffer.from('{'))).toThrow(CniError);
  });
});
