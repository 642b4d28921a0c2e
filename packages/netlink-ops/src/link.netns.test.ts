import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipJson, ipLink, Sandbox, uniquePrefix } from '../test/helpers.js';
import { NetlinkError } from './errors.js';
import {
  addAltName,
  createBridge,
  createMacvlan,
  createVeth,
  deleteAltName,
  deleteLink,
  findLink,
  getLink,
  listLinks,
  moveLink,
  renameLink,
  setLink,
  setLinkAlias,
  setLinkDown,
  setLinkMac,
  setLinkMaster,
  setLinkMtu,
  setLinkUp,
} from './index.js';

const reason = missingPrerequisites('netlink-ops links', [isRoot(), executable('ip')]);

describe.skipIf(reason !== null)('link operations against real namespaces', () => {
  const box = new Sandbox(uniquePrefix('nl'));
  let ns: { name: string; path: string };
  afterAll(() => box.cleanup());
  beforeAll(() => {
    ns = box.newNetns();
  });

  it('a fresh netns contains only lo, seen from a socket opened inside', () => {
    const links = listLinks({ netns: ns.path });
    expect(links.map((l) => l.name)).toEqual(['lo']);
    expect(links[0]!.hwType).toBe(772);
  });

  it('creates a veth pair and reads both ends back', () => {
    const a = box.name('a');
    const b = box.name('b');
    createVeth(a, b, { netns: ns.path, mtu: 1400, mac: '02:00:00:aa:bb:01' });
    const la = getLink(a, { netns: ns.path });
    expect(la).toMatchObject({ name: a, mtu: 1400, mac: '02:00:00:aa:bb:01', kind: 'veth', up: false });
    const lb = getLink(b, { netns: ns.path });
    expect(lb.parentIndex).toBe(la.index);
    expect(getLink(la.index, { netns: ns.path }).name).toBe(a);
    const oracle = ipLink(a, ns.name)!;
    expect(oracle.mtu).toBe(1400);
    expect(oracle.address).toBe('02:00:00:aa:bb:01');
    // Not visible from the host netns.
    expect(findLink(a)).toBeUndefined();
  });

  it('sets up/down, MTU, MAC, alias, altnames and renames, checked with ip', () => {
    const a = box.name('c');
    const b = box.name('d');
    createVeth(a, b, { netns: ns.path });
    const o = { netns: ns.path };
    setLinkUp(a, o);
    expect(ipLink(a, ns.name)!.flags).toContain('UP');
    expect(getLink(a, o).up).toBe(true);
    setLinkDown(a, o);
    expect(ipLink(a, ns.name)!.flags).not.toContain('UP');
    setLinkMtu(a, 1280, o);
    expect(ipLink(a, ns.name)!.mtu).toBe(1280);
    setLinkMac(a, '02:11:22:33:44:55', o);
    expect(ipLink(a, ns.name)!.address).toBe('02:11:22:33:44:55');
    setLinkAlias(a, 'pod interface', o);
    expect(ipLink(a, ns.name)!.ifalias).toBe('pod interface');
    expect(getLink(a, o).alias).toBe('pod interface');
    setLinkAlias(a, null, o);
    expect(ipLink(a, ns.name)!.ifalias).toBeUndefined();
    const alt = box.name('alt');
    addAltName(a, alt, o);
    expect(ipLink(a, ns.name)!.altnames).toEqual([alt]);
    expect(getLink(alt, o).name).toBe(a); // the kernel resolves altnames too
    expect(getLink(a, o).altNames).toEqual([alt]);
    // an altname longer than an interface name can be (ALTIFNAMSIZ 128), looked up with IFLA_ALT_IFNAME
    const longAlt = `${box.prefix}-pod-namespace-and-pod-name-0123456789`;
    addAltName(a, longAlt, o);
    expect(getLink(longAlt, o).name).toBe(a);
    setLinkMtu(longAlt, 1420, o);
    expect(ipLink(a, ns.name)!.mtu).toBe(1420);
    expect(deleteAltName(longAlt, longAlt, o)).toBe(true);
    expect(deleteAltName(a, alt, o)).toBe(true);
    expect(ipLink(a, ns.name)!.altnames).toBeUndefined();
    expect(deleteAltName(a, alt, o)).toBe(false);
    const renamed = box.name('ren');
    const index = getLink(a, o).index;
    renameLink(a, renamed, o);
    expect(ipLink(renamed, ns.name)!.ifindex).toBe(index);
    expect(ipLink(a, ns.name)).toBeUndefined();
    // Several changes in one request, by index.
    setLink(index, { mtu: 1300, up: true, alias: 'x' }, o);
    const after = ipLink(renamed, ns.name)!;
    expect([after.mtu, after.flags.includes('UP'), after.ifalias]).toEqual([1300, true, 'x']);
  });

  it('moves a link into a netns, renames and sets it up in one request', () => {
    const host = box.trackHostLink(box.name('h'));
    const peer = box.trackHostLink(box.name('p'));
    createVeth(host, peer);
    const target = box.name('eth');
    moveLink(host, { toNetns: ns.path, newName: target, up: true });
    expect(findLink(host)).toBeUndefined();
    const inside = getLink(target, { netns: ns.path });
    expect(inside.up).toBe(true);
    expect(inside.linkNetnsId).toBeDefined(); // its peer lives in another netns now
    expect(ipLink(target, ns.name)!.flags).toContain('UP');
    // and back, addressed by the pod-side name, from inside
    const hostNs = `/proc/${process.pid}/ns/net`;
    moveLink(target, { netns: ns.path, toNetns: hostNs, newName: host });
    expect(getLink(host).up).toBe(false);
    expect(findLink(target, { netns: ns.path })).toBeUndefined();
  });

  it('move + rename onto a taken name fails with EEXIST but the link is moved anyway', () => {
    const host = box.trackHostLink(box.name('m'));
    const peer = box.trackHostLink(box.name('q'));
    createVeth(host, peer);
    const taken = box.name('tk');
    createVeth(taken, box.name('tk2'), { netns: ns.path });
    try {
      moveLink(host, { toNetns: ns.path, newName: taken });
      expect.unreachable();
    } catch (e) {
      expect((e as NetlinkError).code).toBe('EEXIST');
    }
    expect(findLink(host)).toBeUndefined();
    expect(getLink(host, { netns: ns.path }).name).toBe(host);
  });

  it('creates the veth peer directly in another netns', () => {
    const other = box.newNetns();
    const a = box.name('va');
    const b = box.name('vb');
    createVeth(a, b, { netns: ns.path, peerNetns: other.path });
    expect(getLink(a, { netns: ns.path }).kind).toBe('veth');
    expect(getLink(b, { netns: other.path }).kind).toBe('veth');
    expect(ipLink(b, other.name)).toBeDefined();
  });

  it('creates a macvlan in each mode and a bridge with a port, then releases it', () => {
    const parent = box.name('mp');
    createVeth(parent, box.name('mq'), { netns: ns.path });
    const mv = box.name('mv');
    createMacvlan(mv, parent, { netns: ns.path, mode: 'private' });
    const link = getLink(mv, { netns: ns.path });
    expect(link).toMatchObject({
      kind: 'macvlan',
      macvlanMode: 'private',
      parentIndex: getLink(parent, { netns: ns.path }).index,
    });
    expect(ipLink(mv, ns.name)!.linkinfo!.info_data!.mode).toBe('private');
    const mv2 = box.name('mv2');
    createMacvlan(mv2, parent, { netns: ns.path });
    expect(ipLink(mv2, ns.name)!.linkinfo!.info_data!.mode).toBe('bridge');

    // A device with macvlan uppers cannot join a bridge (EBUSY), so the port is a separate veth.
    const br = box.name('br');
    const port = box.name('bp');
    createVeth(port, box.name('bq'), { netns: ns.path });
    createBridge(br, { netns: ns.path, up: true });
    expect(ipLink(br, ns.name)!.linkinfo!.info_kind).toBe('bridge');
    setLinkMaster(port, br, { netns: ns.path });
    expect(ipLink(port, ns.name)!.master).toBe(br);
    expect(getLink(port, { netns: ns.path }).masterIndex).toBe(getLink(br, { netns: ns.path }).index);
    setLinkMaster(port, null, { netns: ns.path });
    expect(ipLink(port, ns.name)!.master).toBeUndefined();
    try {
      setLinkMaster(parent, br, { netns: ns.path });
      expect.unreachable();
    } catch (e) {
      expect((e as NetlinkError).code).toBe('EBUSY');
    }
  });

  it('deletes a link and succeeds again when it is already gone', () => {
    const a = box.name('del');
    createVeth(a, box.name('del2'), { netns: ns.path });
    expect(deleteLink(a, { netns: ns.path })).toBe(true);
    expect(ipLink(a, ns.name)).toBeUndefined();
    expect(deleteLink(a, { netns: ns.path })).toBe(false);
  });

  it('reports the kernel errors: ENODEV, EEXIST', () => {
    try {
      getLink(box.name('none'), { netns: ns.path });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NetlinkError);
      expect((e as NetlinkError).errno).toBe(19);
      expect((e as NetlinkError).code).toBe('ENODEV');
    }
    const a = box.name('dup');
    createVeth(a, box.name('dup2'), { netns: ns.path });
    try {
      createVeth(a, box.name('dup3'), { netns: ns.path });
      expect.unreachable();
    } catch (e) {
      expect((e as NetlinkError).code).toBe('EEXIST');
    }
    expect(ipJson(['link', 'show'], ns.name).length).toBeGreaterThan(1);
  });
});
