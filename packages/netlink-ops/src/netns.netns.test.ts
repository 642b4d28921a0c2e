import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { SyscallError } from './errors.js';
import { listLinks } from './index.js';
import { createNetns, deleteNetns } from './netns.js';
import { InvalidArgumentError } from './validate.js';

const reason = missingPrerequisites('netlink-ops netns', [isRoot(), executable('ip')]);
const prefix = `nlo${Math.random().toString(36).slice(2, 8)}`;

describe.skipIf(reason !== null)('createNetns / deleteNetns', () => {
  const created: string[] = [];
  afterAll(() => {
    for (const p of created) deleteNetns(p);
  });

  it('creates a named netns visible to ip netns list, and deleting twice succeeds', () => {
    const name = `${prefix}-a`;
    const path = createNetns(name);
    created.push(path);
    expect(path).toBe(`/var/run/netns/${name}`);
    const list = JSON.parse(execFileSync('ip', ['-j', 'netns', 'list'], { encoding: 'utf8' }) || '[]') as {
      name: string;
    }[];
    expect(list.map((n) => n.name)).toContain(name);
    // Only loopback inside, and it differs from the host netns.
    const links = JSON.parse(execFileSync('ip', ['-n', name, '-j', 'link', 'show'], { encoding: 'utf8' })) as {
      ifname: string;
    }[];
    expect(links.map((l) => l.ifname)).toEqual(['lo']);
    // and a netlink socket opened inside by this package sees the same
    expect(listLinks({ netns: path }).map((l) => l.name)).toEqual(['lo']);
    expect(listLinks().length).toBeGreaterThan(1); // while the caller's own netns is untouched
    deleteNetns(name);
    expect(existsSync(path)).toBe(false);
    expect(() => deleteNetns(name)).not.toThrow();
    expect(() => deleteNetns(path)).not.toThrow();
  });

  it('refuses to create over an existing name with EEXIST', () => {
    const path = createNetns(`${prefix}-b`);
    created.push(path);
    try {
      createNetns(`${prefix}-b`);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SyscallError);
      expect((e as SyscallError).code).toBe('EEXIST');
    }
  });

  it('creates a netns in a custom directory, made a shared mount', () => {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-dir`));
    try {
      const path = createNetns('x', { dir });
      expect(path).toBe(join(dir, 'x'));
      const mounts = execFileSync('findmnt', ['-n', '-o', 'PROPAGATION', dir], { encoding: 'utf8' });
      expect(mounts).toMatch(/shared/);
      deleteNetns('x', { dir });
      expect(existsSync(path)).toBe(false);
    } finally {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validates names and paths', () => {
    expect(() => createNetns('../etc')).toThrow(InvalidArgumentError);
    expect(() => createNetns('a/b')).toThrow(InvalidArgumentError);
    expect(() => createNetns('x', { dir: 'relative' })).toThrow(InvalidArgumentError);
    expect(() => deleteNetns('/var/run/netns/../x')).toThrow(InvalidArgumentError);
  });
});
