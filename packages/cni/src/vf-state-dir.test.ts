import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VfStateDir } from './vf-state-dir.js';

const root = mkdtempSync(join(tmpdir(), 'cni-vfstate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => new VfStateDir(join(root, `d${n++}`, 'sriov'));
const PCI = '0000:3b:02.1';

describe('VfStateDir', () => {
  it("keeps allocation records at the Go plugin's pci/<address>, 0600, trimmed on read, gone after delete", () => {
    const s = fresh();
    expect(s.readAllocation(PCI)).toBeUndefined();
    s.writeAllocation(PCI, '/var/run/netns/pod1');
    const path = join(s.dir, 'pci', PCI);
    expect(readFileSync(path, 'utf8')).toBe('/var/run/netns/pod1');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeFileSync(path, '/var/run/netns/pod2\n'); // as Go might leave it
    expect(s.readAllocation(PCI)).toBe('/var/run/netns/pod2');
    s.deleteAllocation(PCI);
    s.deleteAllocation(PCI); // already gone: still fine
    expect(s.readAllocation(PCI)).toBeUndefined();
  });

  it('keeps caches in the directory itself and journals under pending/, listing only plain files', () => {
    const s = fresh();
    expect(s.list('cache')).toEqual([]);
    expect(s.list('pending')).toEqual([]);
    s.write('cache', 'c1-net1', '{"a":1}');
    s.write('pending', 'c2-net1', '{"b":2}');
    s.writeAllocation(PCI, '/x'); // pci/ is a directory: not a cache
    writeFileSync(join(s.dir, '.tmp-leftover'), '');
    expect(readFileSync(join(s.dir, 'c1-net1'), 'utf8')).toBe('{"a":1}');
    expect(readFileSync(join(s.dir, 'pending', 'c2-net1'), 'utf8')).toBe('{"b":2}');
    expect(s.list('cache')).toEqual(['c1-net1']);
    expect(s.list('pending')).toEqual(['c2-net1']);
    expect(s.read('cache', 'c1-net1')).toBe('{"a":1}');
    expect(s.read('cache', 'c2-net1')).toBeUndefined();
    s.delete('pending', 'c2-net1');
    s.delete('pending', 'c2-net1');
    expect(s.list('pending')).toEqual([]);
  });

  it('promotes a journal to the cache by renaming it: same file, same 0600, replacing an older cache', () => {
    const s = fresh();
    s.write('pending', 'c1-net1', '{"new":1}');
    s.write('cache', 'c1-net1', '{"old":1}');
    const journal = statSync(join(s.dir, 'pending', 'c1-net1'));
    s.promote('c1-net1');
    const cache = statSync(join(s.dir, 'c1-net1'));
    expect([cache.ino, cache.mode & 0o777]).toEqual([journal.ino, 0o600]);
    expect(s.read('cache', 'c1-net1')).toBe('{"new":1}');
    expect(s.list('pending')).toEqual([]);
    expect(() => s.promote('c1-net1')).toThrow(/ENOENT/); // no journal: nothing to promote
    expect(() => s.promote('../c1-net1')).toThrow(/invalid state file name/);
  });

  it('refuses path-like names and non-canonical PCI addresses before touching the disk', () => {
    const s = fresh();
    for (const bad of ['', '.hidden', '../../etc/passwd', 'a/b', 'x\0y']) {
      expect(() => s.read('cache', bad)).toThrow(/invalid state file name/);
      expect(() => s.write('pending', bad, 'x')).toThrow(/invalid state file name/);
      expect(() => s.delete('cache', bad)).toThrow(/invalid state file name/);
    }
    for (const bad of ['../0000:3b:02.1', '0000:3B:02.1', '3b:02.1', '0000:3b:02.8', '']) {
      expect(() => s.readAllocation(bad)).toThrow(/invalid PCI address/);
      expect(() => s.writeAllocation(bad, '/x')).toThrow(/invalid PCI address/);
    }
    expect(() => readdirSync(s.dir)).toThrow(); // nothing was created
  });

  it('locks per VF and per PF in separate files; a held lock refuses a second taker', async () => {
    const s = fresh();
    const release = await s.lock(PCI);
    await expect(s.lock(PCI, 'vf_lock', 0)).rejects.toThrow();
    const pf = await s.lock(PCI, 'pf_lock', 0); // another file: free
    expect(readdirSync(join(s.dir, 'pci', 'vf_lock'))).toEqual([`${PCI}.lock`]);
    expect(readdirSync(join(s.dir, 'pci', 'pf_lock'))).toEqual([`${PCI}.lock`]);
    release();
    pf();
    (await s.lock(PCI, 'vf_lock', 0))();
    await expect(s.lock('bad', 'vf_lock', 0)).rejects.toThrow(/invalid PCI address/);
  });

  it('creates the directory 0700', () => {
    const s = fresh();
    mkdirSync(join(s.dir, '..'), { recursive: true });
    s.write('cache', 'c-n', 'x');
    expect(statSync(s.dir).mode & 0o777).toBe(0o700);
  });
});
