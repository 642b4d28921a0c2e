import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertForeignNetns, isOwnNetns, netnsOverride, netnsState, sameFile } from './netns-check.js';
import { dispatch } from './skel.js';

const dir = mkdtempSync(join(tmpdir(), 'cni-netns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('own netns detection', () => {
  it("recognises this process's netns under its other names", () => {
    expect(isOwnNetns('/proc/self/ns/net')).toBe(true);
    expect(isOwnNetns(`/proc/${process.pid}/ns/net`)).toBe(true);
  });
  it('anything else is not the own netns', () => {
    const f = join(dir, 'plain');
    writeFileSync(f, '');
    expect(isOwnNetns(f)).toBe(false);
    expect(isOwnNetns(join(dir, 'missing'))).toBe(false);
    expect(isOwnNetns('/proc/self/ns/mnt')).toBe(false);
    expect(() => assertForeignNetns('')).not.toThrow();
  });
  it("code 8 with Go's message", () => {
    expect(() => assertForeignNetns('/proc/self/ns/net')).toThrow(
      expect.objectContaining({ code: 8, msg: "plugin's netns and netns from CNI_NETNS should not be the same" }),
    );
  });
  it('CNI_NETNS_OVERRIDE', () => {
    expect(netnsOverride({ CNI_NETNS_OVERRIDE: '1' })).toBe(true);
    expect(netnsOverride({ CNI_NETNS_OVERRIDE: 'True' })).toBe(true);
    expect(netnsOverride({ CNI_NETNS_OVERRIDE: '0' })).toBe(false);
    expect(netnsOverride({})).toBe(false);
  });
});

describe("dispatch refuses the plugin's own netns before running the handler", () => {
  const env = {
    CNI_COMMAND: 'ADD',
    CNI_CONTAINERID: 'c1',
    CNI_NETNS: '/proc/self/ns/net',
    CNI_IFNAME: 'net1',
    CNI_PATH: '/opt/cni/bin',
  };
  const stdin = '{"cniVersion":"1.0.0","name":"n"}';
  const run = async (e: Record<string, string>, rejectOwnNetns?: boolean) => {
    let out = '';
    let called = 0;
    const code = await dispatch(
      { env: e, stdin, stdout: (t) => (out += t), stderr: () => {} },
      {
        add: () => {
          called++;
          return { interfaces: [], ips: [], routes: [], dns: {} };
        },
        del: () => {
          called++;
        },
        check: () => {
          called++;
        },
      },
      rejectOwnNetns === undefined ? {} : { rejectOwnNetns },
    );
    return { code, out, called };
  };
  it.each(['ADD', 'CHECK', 'DEL'])('%s', async (cmd) => {
    const r = await run({ ...env, CNI_COMMAND: cmd });
    expect(r.called).toBe(0);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ code: 8 });
  });
  it('not with CNI_NETNS_OVERRIDE=1 or rejectOwnNetns: false', async () => {
    expect((await run({ ...env, CNI_NETNS_OVERRIDE: '1' })).called).toBe(1);
    expect((await run(env, false)).called).toBe(1);
  });
});

describe('netnsState', () => {
  it('a namespace, a missing path, a plain file', () => {
    expect(netnsState('/proc/self/ns/net')).toBe('ok');
    expect(netnsState(join(dir, 'gone'))).toBe('missing');
    const f = join(dir, 'not-a-netns');
    writeFileSync(f, '');
    expect(netnsState(f)).toBe('not-netns');
  });
});

describe('sameFile', () => {
  it('is true for one file under two paths, false for two files or a missing one', () => {
    const f = join(dir, 'same-a');
    const g = join(dir, 'same-b');
    writeFileSync(f, 'x');
    writeFileSync(g, 'x');
    symlinkSync(f, join(dir, 'same-link'));
    expect(sameFile(f, join(dir, 'same-link'))).toBe(true);
    expect(sameFile(f, `${dir}/./same-a`)).toBe(true);
    expect(sameFile('/proc/self/ns/net', `/proc/${process.pid}/ns/net`)).toBe(true);
    expect(sameFile(f, g)).toBe(false);
    expect(sameFile(f, join(dir, 'nope'))).toBe(false);
  });
});
