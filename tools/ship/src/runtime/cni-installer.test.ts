// The CNI installer mode: Go entrypoint flags, atomic verified copy, nothing half-done on failure.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CNI_BIN_DIR,
  InstallerError,
  installAtomically,
  installerMain,
  parseInstallerArgs,
  removeStaleTemps,
  STALE_TEMP_MS,
  verifyCniVersion,
} from './cni-installer.js';

const root = mkdtempSync(join(tmpdir(), 'ship-installer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function fixture(content: string, mode = 0o755) {
  const dir = join(root, `case${n++}`);
  mkdirSync(join(dir, 'host'), { recursive: true });
  const source = join(dir, 'sriov');
  writeFileSync(source, content);
  chmodSync(source, mode);
  return { source, host: join(dir, 'host') };
}
// A stand-in plugin that answers VERSION like a CNI plugin (the real executables are tested in test/).
const fakePlugin = `#!/bin/sh\n[ "$CNI_COMMAND" = VERSION ] && echo '{"cniVersion":"1.1.0","supportedVersions":["1.0.0","1.1.0"]}'\n`;

describe('parseInstallerArgs', () => {
  it('has the Go entrypoint defaults and spellings', () => {
    expect(parseInstallerArgs([], 'sriov', '--sriov-bin-file')).toEqual({
      help: false,
      cniBinDir: DEFAULT_CNI_BIN_DIR,
      binFile: '/usr/bin/sriov',
      noSleep: false,
    });
    expect(
      parseInstallerArgs(
        ['--cni-bin-dir=/out', '--ib-sriov-cni-bin-file=/x/ib-sriov', '--no-sleep'],
        'ib-sriov',
        '--ib-sriov-cni-bin-file',
      ),
    ).toEqual({ help: false, cniBinDir: '/out', binFile: '/x/ib-sriov', noSleep: true });
    expect(parseInstallerArgs(['-h'], 'sriov', '--sriov-bin-file').help).toBe(true);
  });

  it('refuses unknown parameters (the other app flag too), missing values and relative paths', () => {
    expect(() => parseInstallerArgs(['--sriov-bin-file=/x'], 'ib-sriov', '--ib-sriov-cni-bin-file')).toThrow(
      'unknown parameter "--sriov-bin-file=/x"',
    );
    expect(() => parseInstallerArgs(['--cni-bin-dir='], 'sriov', '--sriov-bin-file')).toThrow(/unknown parameter/);
    expect(() => parseInstallerArgs(['--cni-bin-dir', '/x'], 'sriov', '--sriov-bin-file')).toThrow(/unknown parameter/);
    expect(() => parseInstallerArgs(['--cni-bin-dir=opt/cni'], 'sriov', '--sriov-bin-file')).toThrow(/absolute/);
  });
});

describe('installAtomically', () => {
  it('copies with the source mode, verifies the temp file before the rename, and leaves nothing else', () => {
    const { source, host } = fixture(fakePlugin, 0o750);
    const verified: string[] = [];
    const r = installAtomically(source, host, 'sriov', (temp) => {
      verified.push(temp);
      expect(readdirSync(host)).toEqual([temp.slice(host.length + 1)]); // the final name does not exist yet
      verifyCniVersion(temp);
    });
    expect(verified[0]).toMatch(new RegExp(`^${host}/\\.sriov\\.\\d+\\.[0-9a-f]{12}\\.tmp$`));
    expect(r).toEqual({
      path: join(host, 'sriov'),
      size: fakePlugin.length,
      sha256: createHash('sha256').update(fakePlugin).digest('hex'),
    });
    expect(readFileSync(join(host, 'sriov'), 'utf8')).toBe(fakePlugin);
    expect(statSync(join(host, 'sriov')).mode & 0o7777).toBe(0o750);
    expect(readdirSync(host)).toEqual(['sriov']);
  });

  it('replaces an older binary in one step', () => {
    const { source, host } = fixture(fakePlugin);
    writeFileSync(join(host, 'sriov'), 'old');
    installAtomically(source, host, 'sriov');
    expect(readFileSync(join(host, 'sriov'), 'utf8')).toBe(fakePlugin);
  });

  it('a binary that fails VERSION is never put in place and the old one stays', () => {
    const { source, host } = fixture('#!/bin/sh\necho broken >&2\nexit 3\n');
    writeFileSync(join(host, 'sriov'), 'old');
    expect(() => installAtomically(source, host, 'sriov')).toThrow(/VERSION failed \(exit 3\).*broken/s);
    expect(readFileSync(join(host, 'sriov'), 'utf8')).toBe('old');
    expect(readdirSync(host)).toEqual(['sriov']);
  });

  it('a missing source or bin directory is a clear error', () => {
    const { host } = fixture(fakePlugin);
    expect(() => installAtomically(join(root, 'nope'), host, 'sriov')).toThrow(InstallerError);
    expect(() => installAtomically(join(root, 'nope'), host, 'sriov')).toThrow(/cannot find .*nope/);
    const { source } = fixture(fakePlugin);
    expect(() => installAtomically(source, join(root, 'nodir'), 'sriov')).toThrow(/cannot find the CNI bin directory/);
  });
});

describe('installerMain', () => {
  it('--no-sleep installs and exits 0; a bad flag prints usage and exits 1; -h exits 0', () => {
    const { source, host } = fixture(fakePlugin);
    let out = '';
    let err = '';
    const io = { out: (s: string) => (out += s), err: (s: string) => (err += s) };
    expect(
      installerMain(
        [`--cni-bin-dir=${host}`, `--sriov-bin-file=${source}`, '--no-sleep'],
        'sriov',
        '--sriov-bin-file',
        io,
      ),
    ).toBe(0);
    expect(out).toMatch(
      new RegExp(`^installed ${host}/sriov \\(\\d+ bytes, sha256 [0-9a-f]{64}\\); VERSION answered\\n$`),
    );
    expect(
      installerMain([`--cni-bin-dir=${host}`, `--sriov-bin-file=${source}`], 'sriov', '--sriov-bin-file', io),
    ).toBe('sleep');
    expect(installerMain(['--bogus'], 'sriov', '--sriov-bin-file', io)).toBe(1);
    expect(err).toMatch(/^unknown parameter "--bogus"\nUsage: entrypoint/);
    out = '';
    expect(installerMain(['--help'], 'sriov', '--sriov-bin-file', io)).toBe(0);
    expect(out).toContain('--sriov-bin-file=/usr/bin/sriov');
  });
});

describe('removeStaleTemps', () => {
  it("removes only this installer's temp files that are old enough, and installAtomically does it first", () => {
    const { source, host } = fixture(fakePlugin);
    const old = (Date.now() - STALE_TEMP_MS - 60_000) / 1000;
    const files = {
      stale: '.sriov.123.0123456789ab.tmp',
      fresh: '.sriov.124.0123456789ac.tmp', // a copy possibly in progress
      otherPlugin: '.ib-sriov.125.0123456789ad.tmp',
      lookalike: '.sriov.tmp',
      plugin: 'host-local',
    };
    for (const f of Object.values(files)) writeFileSync(join(host, f), 'x');
    for (const f of [files.stale, files.otherPlugin, files.lookalike, files.plugin])
      utimesSync(join(host, f), old, old);
    installAtomically(source, host, 'sriov');
    expect(readdirSync(host).sort()).toEqual(
      [files.fresh, files.otherPlugin, files.lookalike, files.plugin, 'sriov'].sort(),
    );
    expect(removeStaleTemps(host, 'sriov', Date.now() + STALE_TEMP_MS + 1)).toEqual([files.fresh]);
  });
});
