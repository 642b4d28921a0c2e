import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPluginType, findPluginInPath, PluginNotFoundError, splitCniPath } from './find-plugin.js';

describe('findPluginInPath (libcni FindInPath)', () => {
  let root: string;
  let a: string;
  let b: string;
  let c: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ipam-find-'));
    [a, b, c] = ['a', 'b', 'c'].map((d) => join(root, d)) as [string, string, string];
    for (const d of [a, b, c]) mkdirSync(d);
    mkdirSync(join(a, 'ipam')); // decoy: a directory with the plugin's name comes first
    writeFileSync(join(b, 'ipam'), '#!/bin/false\n'); // not executable: libcni does not check the mode bits
    writeFileSync(join(c, 'ipam'), '#!/bin/false\n'); // a later duplicate never wins
    chmodSync(join(c, 'ipam'), 0o755);
    writeFileSync(join(c, 'target'), '');
    symlinkSync(join(c, 'target'), join(a, 'linked'));
    symlinkSync(join(c, 'nowhere'), join(a, 'dangling'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('returns the first regular file in CNI_PATH order, skipping directories', () => {
    expect(findPluginInPath('ipam', [a, b, c])).toBe(join(b, 'ipam'));
    expect(findPluginInPath('ipam', [c, b])).toBe(join(c, 'ipam'));
  });
  it('follows symlinks to regular files and skips dangling ones', () => {
    expect(findPluginInPath('linked', [a, c])).toBe(join(a, 'linked'));
    expect(() => findPluginInPath('dangling', [a])).toThrow(PluginNotFoundError);
  });
  it("reports libcni's message listing the directories", () => {
    expect(() => findPluginInPath('host-local', [a, b])).toThrow(
      `failed to find plugin "host-local" in path [${a} ${b}]`,
    );
  });
  it.each(['../c/ipam', 'x/y', '/bin/sh', '.', '..', 'a\0b'])('rejects the type %j before any lookup', (type) => {
    expect(() => findPluginInPath(type, [a, b, c])).toThrow(`invalid plugin name: ${type}`);
  });
  it('rejects an empty type and an empty path list', () => {
    expect(() => checkPluginType('')).toThrow('no plugin name provided');
    expect(() => findPluginInPath('ipam', [])).toThrow('no paths provided');
  });
  it('splits CNI_PATH on ":" and never searches the working directory for an empty entry', () => {
    expect(splitCniPath('/opt/cni/bin::/usr/lib/cni:')).toEqual(['/opt/cni/bin', '/usr/lib/cni']);
    expect(splitCniPath(undefined)).toEqual([]);
  });
});
