import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AttachmentStateStore,
  attachmentFileName,
  IB_SRIOV_STATE_DIR,
  isStateEntryName,
  readFileIfExists,
  SRIOV_STATE_DIR,
  staleEntries,
  writeFileAtomic,
} from './state-store.js';

const root = mkdtempSync(join(tmpdir(), 'cni-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${n++}`, 'sriov');

describe('names', () => {
  it("uses the Go plugins' <containerID>-<ifname> and default directories", () => {
    expect(attachmentFileName('c0ffee', 'net1')).toBe('c0ffee-net1');
    expect(SRIOV_STATE_DIR).toBe('/var/lib/cni/sriov');
    expect(IB_SRIOV_STATE_DIR).toBe('/var/lib/cni/ib-sriov');
    expect(new AttachmentStateStore('/var/lib/cni/sriov').pathOf('c1', 'net1')).toBe('/var/lib/cni/sriov/c1-net1');
  });
  it.each([
    ['', 'net1', 3],
    ['../etc', 'net1', 4],
    ['a/b', 'net1', 4],
    ['-x', 'net1', 4],
    ['c1', '', 4],
    ['c1', '..', 4],
    ['c1', 'a/b', 4],
    ['c1', 'net1net1net1net1', 4],
    ['x'.repeat(251), 'net1', 4],
  ])('rejects container %j / ifname %j with code %d', (cid, ifname, code) => {
    expect(() => attachmentFileName(cid, ifname)).toThrow(expect.objectContaining({ code }));
    const store = new AttachmentStateStore(freshDir());
    expect(() => store.write(cid, ifname, 'x')).toThrow(expect.objectContaining({ code }));
    expect(() => store.read(cid, ifname)).toThrow(expect.objectContaining({ code }));
    expect(() => store.delete(cid, ifname)).toThrow(expect.objectContaining({ code }));
  });
  it('accepts a file name of exactly NAME_MAX bytes', () => {
    const store = new AttachmentStateStore(freshDir());
    store.write('x'.repeat(250), 'net1', 'ok');
    expect(store.read('x'.repeat(250), 'net1')?.toString()).toBe('ok');
  });
  it('entry names are plain, visible file names', () => {
    expect(isStateEntryName('c1-net1')).toBe(true);
    for (const bad of ['', '.x', '..', 'a/b', 'a\0b', 'x'.repeat(256)]) expect(isStateEntryName(bad)).toBe(false);
    const store = new AttachmentStateStore(freshDir());
    expect(() => store.readEntry('../../etc/passwd')).toThrow('invalid state entry name');
    expect(() => store.deleteEntry('.hidden')).toThrow('invalid state entry name');
  });
});

describe('write / read / delete', () => {
  it('creates the directory 0700 and the file 0600', () => {
    const dir = freshDir();
    const store = new AttachmentStateStore(dir);
    store.writeJson('c1', 'net1', { deviceID: '0000:af:06.0', Master: 'ens1f0', VFID: 3 });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'c1-net1')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'c1-net1'), 'utf8')).toBe('{"deviceID":"0000:af:06.0","Master":"ens1f0","VFID":3}');
    expect(store.readJson('c1', 'net1')).toStrictEqual({ deviceID: '0000:af:06.0', Master: 'ens1f0', VFID: 3 });
  });
  it("keeps an existing directory's mode", () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    new AttachmentStateStore(dir).write('c1', 'net1', 'x');
    expect(statSync(dir).mode & 0o777).toBe(0o755);
  });
  it('replaces by rename (new inode, 0600 even over a looser old file) and leaves no temp file', () => {
    const dir = freshDir();
    const store = new AttachmentStateStore(dir);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'c1-net1'), 'old', { mode: 0o644 });
    const before = statSync(join(dir, 'c1-net1')).ino;
    store.write('c1', 'net1', new Uint8Array([1, 2, 3]));
    const after = statSync(join(dir, 'c1-net1'));
    expect(after.ino).not.toBe(before);
    expect(after.mode & 0o777).toBe(0o600);
    expect([...store.read('c1', 'net1')!]).toStrictEqual([1, 2, 3]);
    expect(readdirSync(dir)).toStrictEqual(['c1-net1']);
  });
  it('a failed rename leaves the target untouched and removes the temp file', () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'c1-net1'), { recursive: true });
    const store = new AttachmentStateStore(dir);
    expect(() => store.write('c1', 'net1', 'x')).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(dir)).toStrictEqual(['c1-net1']);
  });
  it('a concurrent reader in another process only ever sees whole versions', async () => {
    const dir = freshDir();
    const store = new AttachmentStateStore(dir);
    const versions = ['a', 'b'].map((c) => JSON.stringify({ v: c.repeat(64 * 1024) }));
    store.write('c1', 'net1', versions[0]!);
    const file = store.pathOf('c1', 'net1');
    // The child reads the file in a loop until told to stop and reports any read that is not a whole version.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const fs=require('fs');let bad=0,reads=0;const stop=()=>{process.stdout.write(JSON.stringify({bad,reads}));process.exit(0)};
         process.stdin.on('data',stop);process.stdin.on('end',stop);
         (function loop(){for(let i=0;i<50;i++){const s=fs.readFileSync(${JSON.stringify(file)},'utf8');reads++;try{JSON.parse(s)}catch{bad++}}setImmediate(loop)})();`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 200; i++) store.write('c1', 'net1', versions[i % 2]!);
    child.stdin.end('stop');
    await new Promise((r) => child.on('exit', r));
    const { bad, reads } = JSON.parse(out) as { bad: number; reads: number };
    expect(reads).toBeGreaterThan(0);
    expect(bad).toBe(0);
  });
  it('read of a missing file is null; delete of a missing file succeeds with false', () => {
    const store = new AttachmentStateStore(freshDir());
    expect(store.read('c1', 'net1')).toBeNull();
    expect(store.readJson('c1', 'net1')).toBeNull();
    expect(store.delete('c1', 'net1')).toBe(false);
    store.write('c1', 'net1', '{}');
    expect(store.delete('c1', 'net1')).toBe(true);
    expect(store.delete('c1', 'net1')).toBe(false);
    expect(store.read('c1', 'net1')).toBeNull();
  });
  it('readJson of a corrupt file is code 6', () => {
    const store = new AttachmentStateStore(freshDir());
    store.write('c1', 'net1', '{not json');
    expect(() => store.readJson('c1', 'net1')).toThrow(expect.objectContaining({ code: 6 }));
  });
  it('refuses to read through a symlink', () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(root, 'secret'), 'secret');
    symlinkSync(join(root, 'secret'), join(dir, 'c1-net1'));
    expect(() => new AttachmentStateStore(dir).read('c1', 'net1')).toThrow(/ELOOP/);
  });
});

describe('list and GC', () => {
  it('lists regular state files only, sorted', () => {
    const dir = freshDir();
    const store = new AttachmentStateStore(dir);
    expect(store.list()).toStrictEqual([]);
    store.write('c2', 'net1', '{}');
    store.write('c1', 'net2', '{}');
    mkdirSync(join(dir, 'pci', 'vf_lock'), { recursive: true });
    writeFileSync(join(dir, '.c3-net1.tmp-1-abc'), '');
    symlinkSync('/etc/hostname', join(dir, 'link'));
    expect(store.list()).toStrictEqual(['c1-net2', 'c2-net1']);
    expect(store.readEntry('c1-net2')?.toString()).toBe('{}');
    expect(store.deleteEntry('c1-net2')).toBe(true);
    expect(store.deleteEntry('c1-net2')).toBe(false);
  });
  it("staleEntries keeps exactly the valid attachments' files", () => {
    const names = ['a-net1', 'a-net2', 'b-c-net1', 'b-net1'];
    expect(
      staleEntries(names, [
        { containerID: 'a', ifname: 'net1' },
        { containerID: 'b-c', ifname: 'net1' },
        { containerID: '../x', ifname: 'net1' },
      ]),
    ).toStrictEqual(['a-net2', 'b-net1']);
    expect(staleEntries(names, [])).toStrictEqual(names);
  });
});

describe('writeFileAtomic / readFileIfExists (other state files)', () => {
  const base = mkdtempSync(join(tmpdir(), 'cni-files-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('writes 0600 files in a 0700 directory it creates, replaces whole, leaves no temp file', () => {
    const dir = join(base, 'pci');
    writeFileAtomic(dir, '0000:3b:02.0', '/var/run/netns/a');
    writeFileAtomic(dir, '0000:3b:02.0', Buffer.from('/var/run/netns/b'));
    expect(readFileIfExists(join(dir, '0000:3b:02.0'))).toBe('/var/run/netns/b');
    expect(statSync(join(dir, '0000:3b:02.0')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual(['0000:3b:02.0']);
  });

  it('refuses names that are not plain entries; absent is undefined; a symlink is refused', () => {
    for (const bad of ['', '.hidden', 'a/b', '../x'])
      expect(() => writeFileAtomic(base, bad, 'x')).toThrow(/invalid state entry name/);
    expect(readFileIfExists(join(base, 'missing'))).toBeUndefined();
    writeFileSync(join(base, 'target'), 'secret');
    symlinkSync(join(base, 'target'), join(base, 'link'));
    expect(() => readFileIfExists(join(base, 'link'))).toThrow(/ELOOP/);
  });
});
