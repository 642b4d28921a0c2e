import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, type LogLevel, parseLogLevel, rfc3339 } from './logger.js';

const fixed = new Date(Date.UTC(2026, 11, 2, 3, 4, 5));

function capture(level?: string, extra: Parameters<typeof createLogger>[0] = {}) {
  let err = '';
  const log = createLogger({ level, stderr: (t) => (err += t), now: () => fixed, ...extra });
  return { log, text: () => err };
}

const ALL: LogLevel[] = ['panic', 'error', 'warning', 'info', 'debug', 'verbose'];

describe('levels', () => {
  it.each([
    ['panic', ['panic']],
    ['error', ['panic', 'error']],
    ['warning', ['panic', 'error', 'warning']],
    ['info', ['panic', 'error', 'warning', 'info']],
    ['debug', ['panic', 'error', 'warning', 'info', 'debug']],
    ['verbose', ALL],
    ['DEBUG', ['panic', 'error', 'warning', 'info', 'debug']],
  ])('logLevel %s prints %j', (level, printed) => {
    const { log, text } = capture(level);
    for (const l of ALL) log[l](`m-${l}`);
    const levels = text()
      .trim()
      .split('\n')
      .map((line) => /level="(\w+)"/.exec(line)?.[1]);
    expect(levels).toStrictEqual(printed);
  });
  it('defaults to info', () => {
    expect(capture().log.level).toBe('info');
    expect(capture('').log.level).toBe('info');
  });
  it("an unknown level falls back to info with cni-log's complaint", () => {
    const { log, text } = capture('loud');
    expect(log.level).toBe('info');
    expect(text()).toBe("cni-log: cannot set logging level to 'loud'\n");
  });
  it('parseLogLevel', () => {
    expect(parseLogLevel('Warning')).toBe('warning');
    expect(parseLogLevel('warn')).toBeNull();
    expect(parseLogLevel('toString')).toBeNull();
  });
});

describe('format', () => {
  it('prints the cni-log structured line with labels then fields, Go-quoted', () => {
    const { log, text } = capture('info', {
      labels: { cniName: 'sriov-cni', containerID: 'c1', netns: '', ifname: 'net1' },
    });
    log.info('moving "VF"\n', { deviceID: '0000:af:06.0', vf: 3, err: new Error('EBUSY'), obj: { a: 1 } });
    expect(text()).toBe(
      `time="${rfc3339(fixed)}" level="info" msg="moving \\"VF\\"\\n" cniName="sriov-cni" containerID="c1" ifname="net1" deviceID="0000:af:06.0" vf="3" err="EBUSY" obj="{\\"a\\":1}"\n`,
    );
  });
  it('child loggers add labels and share the output', () => {
    const { log, text } = capture('info', { labels: { cniName: 'x' } });
    log.child({ pf: 'ens1f0' }).warning('w');
    expect(text()).toContain('msg="w" cniName="x" pf="ens1f0"\n');
  });
  it('rfc3339 uses Z or a numeric offset', () => {
    expect(rfc3339(fixed)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
  });
});

describe('logFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cni-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes only to the file (appending, 0600, parents created)', () => {
    const file = join(dir, 'a', 'b', 'plugin.log');
    const first = capture('info', { file });
    first.log.info('one');
    first.log.close();
    const second = capture('info', { file });
    second.log.info('two');
    second.log.debug('hidden');
    second.log.close();
    expect(first.text() + second.text()).toBe('');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => /msg="(\w+)"/.exec(l)?.[1])).toStrictEqual(['one', 'two']);
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
    expect(second.log.file).toBe(file);
  });
  it('refuses a symlink (as cni-log does) and falls back to stderr', () => {
    const target = join(dir, 'target.log');
    writeFileSync(target, '');
    const link = join(dir, 'link.log');
    symlinkSync(target, link);
    const { log, text } = capture('info', { file: link });
    log.info('x');
    expect(log.file).toBeUndefined();
    expect(text()).toMatch(/^cni-log: failed to set log file '.*link\.log' \(ELOOP\), logging to stderr\n.*msg="x"/s);
    expect(readFileSync(target, 'utf8')).toBe('');
  });
  it('an unwritable location falls back to stderr', () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, '');
    const { log, text } = capture('info', { file: join(blocker, 'x.log') });
    log.error('still logged');
    expect(text()).toContain('msg="still logged"');
  });
});
