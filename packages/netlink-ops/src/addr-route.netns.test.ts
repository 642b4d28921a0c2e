import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipJson, Sandbox, uniquePrefix } from '../test/helpers.js';
import { NetlinkError } from './errors.js';
import {
  addAddress,
  addRoute,
  createVeth,
  deleteAddress,
  deleteRoute,
  getLink,
  listAddresses,
  listRoutes,
  setLinkUp,
} from './index.js';

const reason = missingPrerequisites('netlink-ops addresses and routes', [isRoot(), executable('ip')]);

interface IpAddr {
  ifname: string;
  addr_info: { family: string; local: string; prefixlen: number; broadcast?: string; scope: string }[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
  scope?: string;
  table?: string;
  metrics?: { mtu?: number }[];
  prefsrc?: string;
}

describe.skipIf(reason !== null)('addresses and routes inside a netns', () => {
  const box = new Sandbox(uniquePrefix('ar'));
  let ns: { name: string; path: string };
  let dev: string;
  afterAll(() => box.cleanup());
  beforeAll(() => {
    ns = box.newNetns();
    dev = box.name('e');
    createVeth(dev, box.name('f'), { netns: ns.path });
    setLinkUp(dev, { netns: ns.path });
    setLinkUp(box.name('f'), { netns: ns.path });
  });

  it('adds, lists and deletes IPv4 and IPv6 addresses', () => {
    const o = { netns: ns.path };
    addAddress(dev, '10.20.30.4/24', o);
    addAddress(dev, 'fd00:1::4/64', { ...o, noDad: true });
    const oracle = ipJson<IpAddr[]>(['addr', 'show', 'dev', dev], ns.name)[0]!.addr_info;
    expect(oracle).toContainEqual(
      expect.objectContaining({ family: 'inet', local: '10.20.30.4', prefixlen: 24, broadcast: '10.20.30.255' }),
    );
    expect(oracle).toContainEqual(expect.objectContaining({ family: 'inet6', local: 'fd00:1::4', prefixlen: 64 }));
    const mine = listAddresses({ ...o, link: dev });
    const index = getLink(dev, o).index;
    expect(mine).toContainEqual(
      expect.objectContaining({
        index,
        family: 4,
        address: '10.20.30.4',
        prefixLength: 24,
        cidr: '10.20.30.4/24',
        broadcast: '10.20.30.255',
        scope: 'universe',
      }),
    );
    expect(mine).toContainEqual(expect.objectContaining({ family: 6, cidr: 'fd00:1::4/64' }));
    expect(listAddresses({ ...o, family: 6, link: dev }).every((a) => a.family === 6)).toBe(true);
    // lo is down in a new netns: only the veth ends (link-local IPv6) and dev's own addresses exist.
    const peerIndex = getLink(box.name('f'), o).index;
    expect(new Set(listAddresses(o).map((a) => a.index))).toEqual(new Set([peerIndex, index]));

    expect(deleteAddress(dev, '10.20.30.4/24', o)).toBe(true);
    expect(deleteAddress(dev, '10.20.30.4/24', o)).toBe(false);
    expect(deleteAddress(dev, 'fd00:1::4/64', o)).toBe(true);
    const left = ipJson<IpAddr[]>(['addr', 'show', 'dev', dev], ns.name)[0]!.addr_info;
    expect(left.filter((a) => a.family === 'inet' || a.local === 'fd00:1::4')).toEqual([]);
  });

  it('answers a duplicate address with EEXIST and the kernel ext-ack message', () => {
    const o = { netns: ns.path };
    addAddress(dev, '10.21.0.1/16', o);
    try {
      addAddress(dev, '10.21.0.1/16', o);
      expect.unreachable();
    } catch (e) {
      const err = e as NetlinkError;
      expect(err).toBeInstanceOf(NetlinkError);
      expect(err.code).toBe('EEXIST');
      expect(err.errno).toBe(17);
      expect(err.extAckMessage).toBe('ipv4: Address already assigned');
      expect(err.message).toContain('file exists');
    }
    // replace is accepted
    addAddress(dev, '10.21.0.1/16', { ...o, replace: true });
    deleteAddress(dev, '10.21.0.1/16', o);
  });

  it('adds routes with gateway, table, metric, MTU and source; lists and deletes them', () => {
    const o = { netns: ns.path };
    addAddress(dev, '10.30.0.2/24', o);
    addAddress(dev, 'fd00:30::2/64', { ...o, noDad: true });
    addRoute({ dst: '10.99.0.0/16', gateway: '10.30.0.1', metric: 50, mtu: 1400, src: '10.30.0.2' }, o);
    addRoute({ dst: 'default', gateway: '10.30.0.1', table: 1000 }, o);
    addRoute({ dst: '192.0.2.0/24', link: dev }, o);
    addRoute({ dst: 'fd00:99::/48', gateway: 'fd00:30::1', metric: 7 }, o);

    const main = ipJson<IpRoute[]>(['route', 'show'], ns.name);
    expect(main).toContainEqual(
      expect.objectContaining({
        dst: '10.99.0.0/16',
        gateway: '10.30.0.1',
        dev,
        metric: 50,
        prefsrc: '10.30.0.2',
        metrics: [{ mtu: 1400 }],
      }),
    );
    expect(main).toContainEqual(expect.objectContaining({ dst: '192.0.2.0/24', dev, scope: 'link' }));
    expect(ipJson<IpRoute[]>(['route', 'show', 'table', '1000'], ns.name)).toContainEqual(
      expect.objectContaining({ dst: 'default', gateway: '10.30.0.1' }),
    );
    expect(ipJson<IpRoute[]>(['-6', 'route', 'show'], ns.name)).toContainEqual(
      expect.objectContaining({ dst: 'fd00:99::/48', gateway: 'fd00:30::1', metric: 7 }),
    );

    const index = getLink(dev, o).index;
    const mine = listRoutes(o);
    expect(mine).toContainEqual(
      expect.objectContaining({
        family: 4,
        dst: '10.99.0.0/16',
        gateway: '10.30.0.1',
        index,
        metric: 50,
        mtu: 1400,
        src: '10.30.0.2',
        table: 254,
        scope: 'universe',
        type: 'unicast',
      }),
    );
    expect(mine).toContainEqual(expect.objectContaining({ dst: '192.0.2.0/24', scope: 'link' }));
    expect(mine).toContainEqual(
      expect.objectContaining({ family: 6, dst: 'fd00:99::/48', gateway: 'fd00:30::1', metric: 7 }),
    );
    expect(mine.some((r) => r.table === 1000)).toBe(false);
    expect(listRoutes({ ...o, table: 1000 })).toEqual([
      expect.objectContaining({ dst: 'default', gateway: '10.30.0.1', table: 1000 }),
    ]);
    expect(listRoutes({ ...o, family: 6 }).every((r) => r.family === 6)).toBe(true);

    try {
      addRoute({ dst: '10.99.0.0/16', gateway: '10.30.0.1', metric: 50 }, o);
      expect.unreachable();
    } catch (e) {
      expect((e as NetlinkError).code).toBe('EEXIST');
    }

    expect(deleteRoute({ dst: '10.99.0.0/16', gateway: '10.30.0.1', metric: 50 }, o)).toBe(true);
    expect(deleteRoute({ dst: '10.99.0.0/16', gateway: '10.30.0.1', metric: 50 }, o)).toBe(false);
    expect(deleteRoute({ dst: 'default', table: 1000 }, o)).toBe(true);
    expect(deleteRoute({ dst: 'fd00:99::/48', gateway: 'fd00:30::1', metric: 7 }, o)).toBe(true);
    expect(ipJson<IpRoute[]>(['route', 'show', 'table', '1000'], ns.name)).toEqual([]);
    expect(ipJson<IpRoute[]>(['route', 'show'], ns.name).some((r) => r.dst === '10.99.0.0/16')).toBe(false);
  });

  it('appends a second path to a destination (ECMP) only when asked to', () => {
    const o = { netns: ns.path };
    addAddress(dev, '10.31.0.2/24', o);
    addRoute({ dst: '10.77.0.0/16', gateway: '10.31.0.1' }, o);
    expect(() => addRoute({ dst: '10.77.0.0/16', gateway: '10.31.0.3' }, o)).toThrow(
      expect.objectContaining({ code: 'EEXIST' }),
    );
    addRoute({ dst: '10.77.0.0/16', gateway: '10.31.0.3' }, { ...o, append: true });
    const paths = listRoutes({ ...o, family: 4 }).filter((r) => r.dst === '10.77.0.0/16');
    expect(paths.map((r) => r.gateway).sort()).toEqual(['10.31.0.1', '10.31.0.3']);
    expect(() =>
      addRoute({ dst: '10.78.0.0/16', gateway: '10.31.0.1' }, { ...o, append: true, replace: true }),
    ).toThrow(/replace and append exclude each other/);
  });
});
