import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyscallError } from './errors.js';
import { runProgram, startProgram } from './program.js';
import { InvalidArgumentError } from './validate.js';

// Test programs are small /bin/sh scripts (the product never runs a shell; these only stand in for IPAM plugins).
describe('runProgram', () => {
  let dir: string;
  const script = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nlops-program-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('feeds stdin, captures stdout and stderr apart, and reports the exit status', () => {
    const path = script('echo', 'cat; echo "to stderr" >&2; exit 3');
    const input = Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.from([0xff, 0x00, 0x7f])]);
    const run = runProgram(path, { env: {}, input, timeoutMs: 10_000 });
    expect(run.stdout.equals(input)).toBe(true);
    expect(run.stderr.toString()).toBe('to stderr\n');
    expect(run).toMatchObject({ status: 3, signal: 0, timedOut: false, overflow: false });
  });

  it('passes exactly the given environment and argv [path]', () => {
    const path = script('env', 'printf "%s|%s|%s|" "$#" "$0" "$FOO"; env | sort | tr "\\n" ","');
    const run = runProgram(path, { env: { FOO: 'bar baz', CNI_COMMAND: 'ADD' }, timeoutMs: 10_000 });
    const [args, argv0, foo, env] = run.stdout.toString().split('|');
    expect([args, argv0, foo]).toEqual(['0', path, 'bar baz']);
    // dash adds PWD (and nothing the caller had: no PATH, no HOME)
    expect(env?.split(',').filter((e) => e !== '' && !e.startsWith('PWD='))).toEqual([
      'CNI_COMMAND=ADD',
      'FOO=bar baz',
    ]);
  });

  it('starts the program with every signal at its default and none blocked (Node ignores SIGPIPE)', () => {
    const path = script('sigs', 'grep -E "^Sig(Blk|Ign)" /proc/self/status');
    const run = runProgram(path, { env: {}, timeoutMs: 10_000 });
    expect(run.stdout.toString()).toBe('SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n');
  });

  it('reports the signal that killed the program', () => {
    const run = runProgram(script('segv', 'kill -SEGV $$'), { env: {}, timeoutMs: 10_000 });
    expect(run).toMatchObject({ status: -1, signal: 11 });
  });

  it('a program that exits without reading a large stdin is not an error of ours', () => {
    const run = runProgram(script('deaf', 'exit 0'), { env: {}, input: Buffer.alloc(4 << 20), timeoutMs: 10_000 });
    expect(run.status).toBe(0);
  });

  it('kills at the timeout and does not wait for a grandchild holding the pipes', () => {
    const pidFile = join(dir, 'grandchild.pid');
    const path = script('daemon', `sleep 600 &\necho $! > ${pidFile}\necho started`);
    try {
      const run = runProgram(path, { env: {}, timeoutMs: 500 });
      expect(run.timedOut).toBe(true);
      expect(run.stdout.toString()).toBe('started\n');
    } finally {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    }
  });

  it('the deadline holds for a program that closes its outputs and goes on running', () => {
    const run = runProgram(script('quiet', 'exec >&- 2>&-\nexec sleep 600'), { env: {}, timeoutMs: 500 });
    expect(run).toMatchObject({ timedOut: true, signal: 9 });
  });

  it('kills a program whose output passes the limit', () => {
    const run = runProgram(script('loud', 'while :; do echo xxxxxxxxxxxxxxxxxxxxxxxx; done'), {
      env: {},
      timeoutMs: 10_000,
      maxOutputBytes: 100_000,
    });
    expect(run.overflow).toBe(true);
    expect([9, 13]).toContain(run.signal); // SIGKILL, or SIGPIPE when its write lands after we closed the pipe
  });

  it('throws the exec errno when the program cannot start', () => {
    const missing = () => runProgram(join(dir, 'missing'), { env: {}, timeoutMs: 1000 });
    expect(missing).toThrow(SyscallError);
    expect(missing).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'posix_spawn' }));
    const notExec = join(dir, 'not-exec');
    writeFileSync(notExec, '#!/bin/sh\n');
    chmodSync(notExec, 0o644);
    expect(() => runProgram(notExec, { env: {}, timeoutMs: 1000 })).toThrow(
      expect.objectContaining({ code: 'EACCES' }),
    );
  });

  it('startProgram: the program has its stdin and runs before wait() is called', async () => {
    const fed = join(dir, 'fed');
    const path = script('early', `cat > ${fed}.tmp && mv ${fed}.tmp ${fed}; echo done`);
    const input = Buffer.from('{"cniVersion":"1.0.0"}');
    const running = startProgram(path, { env: {}, input, timeoutMs: 10_000 });
    for (let i = 0; i < 500 && !existsSync(fed); i++) await new Promise((r) => setTimeout(r, 10));
    expect(readFileSync(fed).equals(input)).toBe(true); // written and consumed with no wait() yet
    expect(running.wait()).toMatchObject({ status: 0, timedOut: false });
    expect(() => running.wait()).toThrow(InvalidArgumentError);
  });

  it('startProgram: a stdin larger than the pipe is finished by wait()', () => {
    const input = Buffer.alloc(1 << 20, 0x61);
    const run = startProgram(script('count', 'wc -c'), { env: {}, input, timeoutMs: 10_000 }).wait();
    expect(run.stdout.toString().trim()).toBe(String(1 << 20));
  });

  it('startProgram: the deadline counts from the start, not from wait()', async () => {
    const running = startProgram(script('slow', 'exec sleep 600'), { env: {}, timeoutMs: 1000 });
    await new Promise((r) => setTimeout(r, 1100));
    const started = Date.now();
    expect(running.wait()).toMatchObject({ timedOut: true, signal: 9 });
    expect(Date.now() - started).toBeLessThan(900); // killed at once: the deadline passed before wait() was called
  });

  it('startProgram: a program that cannot start is reported by wait(), with its path', () => {
    const running = startProgram(join(dir, 'missing'), { env: {}, timeoutMs: 1000 }); // the spawn is on its own thread
    expect(() => running.wait()).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'posix_spawn', path: join(dir, 'missing') }),
    );
  });

  it('refuses a relative path, a bad timeout and an environment entry it cannot pass', () => {
    expect(() => runProgram('sh', { env: {}, timeoutMs: 1000 })).toThrow(InvalidArgumentError);
    expect(() => runProgram('/bin/true', { env: {}, timeoutMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => runProgram('/bin/true', { env: { 'A=B': 'x' }, timeoutMs: 1000 })).toThrow(InvalidArgumentError);
    expect(() => runProgram('/bin/true', { env: { A: 'x\0y' }, timeoutMs: 1000 })).toThrow(InvalidArgumentError);
  });
});
