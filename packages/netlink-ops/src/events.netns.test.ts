import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, uniquePrefix } from '../test/helpers.js';
import {
  createBridge,
  createVeth,
  deleteLink,
  type LinkEvent,
  type LinkEventStream,
  moveLink,
  renameLink,
  setLinkDown,
  setLinkMaster,
  setLinkMtu,
  setLinkUp,
  watchLinks,
} from './index.js';

const reason = missingPrerequisites('netlink-ops link events', [isRoot(), executable('ip')]);

/** Reads events until `until` matches one; returns every event read (the test timeout bounds the wait). */
async function readUntil(stream: LinkEventStream, until: (e: LinkEvent) => boolean): Promise<LinkEvent[]> {
  const seen: LinkEvent[] = [];
  for (;;) {
    const r = await stream.next();
    if (r.done) return seen;
    seen.push(r.value);
    if (until(r.value)) return seen;
  }
}

describe.skipIf(reason !== null)('link events (uv_poll on the event loop)', () => {
  const box = new Sandbox(uniquePrefix('ev'));
  let ns: { name: string; path: string };
  afterAll(() => box.cleanup());
  beforeAll(() => {
    ns = box.newNetns();
  });

  it('reports add, up, down, change and remove for links in a netns, without duplicates', async () => {
    const o = { netns: ns.path };
    const stream = watchLinks(o);
    try {
      const a = box.name('a');
      const b = box.name('b');
      createVeth(a, b, o);
      const added = new Set<string>();
      const adds = await readUntil(stream, (e) => {
        if (e.type === 'add') added.add(e.link.name);
        return added.has(a) && added.has(b);
      });
      expect(
        adds
          .filter((e) => e.type === 'add')
          .map((e) => e.link.name)
          .sort(),
      ).toEqual([a, b].sort());

      setLinkUp(a, o);
      const up = await readUntil(stream, (e) => e.link.name === a && e.type === 'up');
      expect(up.at(-1)!.link.up).toBe(true);

      setLinkMtu(a, 1300, o);
      const mtu = await readUntil(stream, (e) => e.link.name === a && e.link.mtu === 1300);
      expect(mtu.at(-1)!.type).toBe('change');

      setLinkDown(a, o);
      const down = await readUntil(stream, (e) => e.link.name === a && e.type === 'down');
      expect(down.at(-1)!.link.up).toBe(false);

      const renamed = box.name('r');
      renameLink(a, renamed, o);
      const ren = await readUntil(stream, (e) => e.link.name === renamed);
      expect(ren.at(-1)!.type).toBe('change');

      deleteLink(renamed, o);
      const removed = await readUntil(stream, (e) => e.type === 'remove' && e.link.name === b);
      expect(
        removed
          .filter((e) => e.type === 'remove')
          .map((e) => e.link.name)
          .sort(),
      ).toEqual([renamed, b].sort());
      // No event repeats the previous state of the same link.
      const all = [...adds, ...up, ...mtu, ...down, ...ren, ...removed];
      for (let i = 1; i < all.length; i++) {
        const prev = all[i - 1]!;
        const cur = all[i]!;
        if (prev.type !== 'remove' && cur.type !== 'remove' && prev.link.index === cur.link.index)
          expect(cur.link).not.toEqual(prev.link);
      }
    } finally {
      stream.close();
    }
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('reports a link moved out of the watched netns as removed, and existing links on request', async () => {
    const other = box.newNetns();
    const a = box.name('m');
    createVeth(a, box.name('n'), { netns: ns.path });
    const stream = watchLinks({ netns: ns.path, includeExisting: true, keepAlive: false });
    try {
      const existing = await readUntil(stream, (e) => e.link.name === a);
      expect(existing.every((e) => e.type === 'add')).toBe(true);
      expect(existing.map((e) => e.link.name)).toContain('lo');
      moveLink(a, { netns: ns.path, toNetns: other.path });
      const gone = await readUntil(stream, (e) => e.type === 'remove' && e.link.name === a);
      expect(gone.at(-1)!.link.name).toBe(a);
    } finally {
      stream.close();
    }
  });

  it('reports enslaving to a bridge as a change of the port and never as its removal', async () => {
    const o = { netns: ns.path };
    const br = box.name('br');
    const port = box.name('pt');
    createBridge(br, { ...o, up: true });
    createVeth(port, box.name('pu'), { ...o, up: true });
    const stream = watchLinks(o);
    try {
      setLinkMaster(port, br, o);
      setLinkMaster(port, null, o);
      const sentinel = box.name('st');
      createVeth(sentinel, box.name('su'), o);
      const seen = await readUntil(stream, (e) => e.type === 'add' && e.link.name === sentinel);
      const portEvents = seen.filter((e) => e.link.name === port);
      expect(portEvents.map((e) => e.type)).not.toContain('remove');
      expect(portEvents.some((e) => e.link.masterIndex !== undefined)).toBe(true);
      expect(portEvents.at(-1)!.link.masterIndex).toBeUndefined();
    } finally {
      stream.close();
    }
  });

  it('ends the iteration on abort and on break', async () => {
    const controller = new AbortController();
    const stream = watchLinks({ netns: ns.path, signal: controller.signal });
    const pending = stream.next();
    controller.abort();
    expect(await pending).toEqual({ value: undefined, done: true });

    const s2 = watchLinks({ netns: ns.path });
    const a = box.name('k');
    createVeth(a, box.name('l'), { netns: ns.path });
    let count = 0;
    for await (const e of s2) {
      count++;
      if (e.type === 'add') break;
    }
    expect(count).toBeGreaterThan(0);
    expect(await s2.next()).toEqual({ value: undefined, done: true });
  });
});

describe.skipIf(reason !== null)('link events after a socket overflow', () => {
  const box = new Sandbox(uniquePrefix('eo'));
  afterAll(() => box.cleanup());

  it('re-reads the link table on ENOBUFS and reports what changed meanwhile', async () => {
    const ns = box.newNetns();
    // A tiny buffer (the kernel rounds it up to its minimum) overflows while the event loop is kept busy below.
    const stream = watchLinks({ netns: ns.path, receiveBufferBytes: 1 });
    try {
      const names: string[] = [];
      for (let i = 0; i < 20; i++) {
        names.push(box.name(`x${i}`));
        createVeth(names[i]!, box.name(`y${i}`), { netns: ns.path });
      }
      const added = new Set<string>();
      const all = [...names, ...names.map((_, i) => box.name(`y${i}`))];
      await readUntil(stream, (e) => {
        if (e.type === 'add') added.add(e.link.name);
        return all.every((n) => added.has(n));
      });
      expect([...added].filter((n) => all.includes(n)).sort()).toEqual([...all].sort());
      expect(stream.resyncs).toBeGreaterThan(0); // the overflow really happened
    } finally {
      stream.close();
    }
  });
});
