import { SKIP_CODE_CACHE } from '@sriov-ts/cni';
import { parseSriovNetConf } from '@sriov-ts/netconf-schema';
import { failingMethod } from '@sriov-ts/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { type MemoryNode, memoryNode, removeMemoryNodes, VF_PCI } from '../test/memory-node.js';
import { toSriovConf } from './conf.js';
import type { Node } from './node.js';
import { cmdAdd, cmdDel } from './plugin.js';

const inv = { containerId: 'c1', netns: '/run/netns/pod', ifName: 'net1' };
const conf = (extra: Record<string, unknown> = {}) => {
  const base = {
    cniVersion: '1.0.0',
    name: 'n',
    type: 'sriov',
    deviceID: VF_PCI,
    ipam: { type: 'host-local' },
  };
  const parsed = parseSriovNetConf({ ...base, ...extra });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return toSriovConf(parsed.config);
};

function snapshot(n: MemoryNode) {
  return {
    links: [...n.links.entries()].sort(),
    vfs: structuredClone([...n.vfs.entries()]),
    caches: n.node.state.list('cache'),
    pending: n.node.state.list('pending'),
    allocation: n.node.state.readAllocation(VF_PCI),
    leases: [...n.leases],
  };
}

afterEach(removeMemoryNodes);

const failingNode = (n: Node): Node => ({ ...n, netdev: failingMethod(n.netdev, 'moveIntoNetns') });

describe('ADD/DEL flow (in-memory node)', () => {
  it('ADD attaches, DEL restores the node exactly', async () => {
    const n = memoryNode();
    const before = snapshot(n);
    const out = await cmdAdd(conf({ vlan: 100, trust: 'on' }), inv, n.node);
    expect(out.iface).toEqual({ name: 'net1', mac: '02:00:00:00:00:05', mtu: 1500, sandbox: inv.netns, pciID: VF_PCI });
    expect(n.links.has('/run/netns/pod/net1')).toBe(true);
    expect(n.vfs.get(0)).toMatchObject({ vlan: 100, trust: true });
    expect(n.calls).toContain('ipam.configure ifindex=5'); // the index read after the move: no second lookup
    expect(n.node.state.list('cache')).toEqual(['c1-net1']);
    expect(n.node.state.list('pending')).toEqual([]);
    expect(n.node.state.readAllocation(VF_PCI)).toBe(inv.netns);
    await cmdDel(inv, n.node);
    expect(snapshot(n)).toEqual({ ...before, links: before.links.map(([k, v]) => [k, { ...v, altNames: [] }]) });
    await cmdDel(inv, n.node); // twice: no cache ⇒ success
  });

  it('never reads the PF VF list when no knob is set', async () => {
    const n = memoryNode();
    await cmdAdd(conf(), inv, { ...n.node, vfs: failingMethod(n.node.vfs, 'read', { always: true }) });
  });

  // Every ADD step that changes the node, failed in turn (each knob of three; the MAC on every retry).
  const steps: [string, (n: Node) => Node][] = [
    ['writePending', (n) => ({ ...n, state: failingMethod(n.state, 'write', { when: (kind) => kind === 'pending' }) })],
    ...[1, 2, 3].map((nth): [string, (n: Node) => Node] => [
      `vfs.set #${nth}`,
      (n) => ({ ...n, vfs: failingMethod(n.vfs, 'set', { nth }) }),
    ]),
    ['moveIntoNetns', (n) => ({ ...n, netdev: failingMethod(n.netdev, 'moveIntoNetns') })],
    ['delAltName', (n) => ({ ...n, netdev: failingMethod(n.netdev, 'delAltName') })],
    ['setMac', (n) => ({ ...n, netdev: failingMethod(n.netdev, 'setMac', { always: true }) })],
    ['ipam.add', (n) => ({ ...n, ipam: failingMethod(n.ipam, 'add') })],
    ['ipam.configure', (n) => ({ ...n, ipam: failingMethod(n.ipam, 'configure') })],
    ['promote (cache)', (n) => ({ ...n, state: failingMethod(n.state, 'promote') })],
    ['writeAllocation', (n) => ({ ...n, state: failingMethod(n.state, 'writeAllocation') })],
  ];
  for (const [step, failing] of steps) {
    it(`a failure in ${step} leaves the node as it was`, async () => {
      const n = memoryNode();
      const before = snapshot(n);
      await expect(
        cmdAdd(conf({ vlan: 10, spoofchk: 'off', trust: 'on', mac: '02:AA:00:00:00:01' }), inv, failing(n.node)),
      ).rejects.toThrow(/injected failure/);
      const after = snapshot(n);
      expect(after.vfs).toEqual(before.vfs);
      expect(after.caches).toEqual([]);
      expect(after.pending).toEqual([]);
      expect(after.allocation).toBeUndefined();
      expect(after.leases).toEqual([]);
      expect(after.links.map(([k, v]) => [k, v.name, v.mac, v.mtu])).toEqual(
        before.links.map(([k, v]) => [k, v.name, v.mac, v.mtu]),
      );
      // The VF lock is free again.
      (await n.node.state.lock(VF_PCI, 'vf_lock', 0))();
    });
  }

  it('starts host-local and static before the move (they run while the kernel moves it), others after it', async () => {
    for (const [type, order] of [
      ['host-local', ['ipam.add', 'netdev.moveIntoNetns']],
      ['static', ['ipam.add', 'netdev.moveIntoNetns']],
      ['dhcp', ['netdev.moveIntoNetns', 'ipam.add']], // needs the interface in the pod, as in the Go plugin
      ['whereabouts', ['netdev.moveIntoNetns', 'ipam.add']],
    ] as const) {
      const n = memoryNode();
      await cmdAdd(conf({ ipam: { type } }), inv, n.node);
      expect(n.calls.map((c) => c.split(' ')[0]).filter((c) => order.includes(c as never))).toEqual(order);
    }
  });

  it('a move that fails while an early IPAM run is under way releases its lease once the run is done', async () => {
    const n = memoryNode();
    let finish: () => void = () => undefined;
    const slowAdd = n.node.ipam.add;
    const node: Node = {
      ...failingNode(n.node),
      ipam: { ...n.node.ipam, add: () => new Promise((r) => (finish = () => r(slowAdd()))) },
    };
    const add = cmdAdd(conf(), inv, node);
    await new Promise((r) => setTimeout(r, 10));
    finish(); // the IPAM run ends after the move has failed
    await expect(add).rejects.toThrow(/injected failure/);
    expect(n.calls.filter((c) => c.startsWith('ipam'))).toEqual(['ipam.add', 'ipam.del']);
    expect(n.leases.size).toBe(0);
  });

  it('undoes knobs newest first', async () => {
    const n = memoryNode();
    const node = { ...n.node, netdev: failingMethod(n.node.netdev, 'moveIntoNetns') };
    await expect(cmdAdd(conf({ vlan: 10, trust: 'on' }), inv, node)).rejects.toThrow();
    const knobCalls = n.calls.filter((c) => c.startsWith('vfs.set')).map((c) => JSON.parse(c.slice(8)).kind);
    expect(knobCalls).toEqual(['vlan', 'trust', 'trust', 'vlan']);
  });

  it('a DEL with nothing cached is marked as a shortcut for the code cache; a real DEL is not', async () => {
    const flags = globalThis as Record<symbol, unknown>;
    const n = memoryNode();
    try {
      await cmdDel(inv, n.node); // nothing cached
      expect(flags[SKIP_CODE_CACHE]).toBe(true);
      delete flags[SKIP_CODE_CACHE];
      await cmdAdd(conf(), inv, n.node);
      await cmdDel(inv, n.node);
      expect(flags[SKIP_CODE_CACHE]).toBeUndefined();
    } finally {
      delete flags[SKIP_CODE_CACHE];
    }
  });

  it('DEL changes nothing before IPAM DEL has succeeded (it only reads the node meanwhile)', async () => {
    const n = memoryNode();
    await cmdAdd(conf({ vlan: 10 }), inv, n.node);
    n.calls.length = 0;
    let release: () => void = () => undefined;
    const slowDel = n.node.ipam.del;
    const podLooks: string[] = [];
    const getLink = n.node.netdev.getLink;
    const node: Node = {
      ...n.node,
      ipam: { ...n.node.ipam, del: () => new Promise<void>((r) => (release = () => r(slowDel()))) },
      netdev: {
        ...n.node.netdev,
        getLink: (netns, link) => {
          if (netns !== undefined) podLooks.push(`${link}${n.calls.includes('ipam.del') ? '' : ' during IPAM'}`);
          return getLink(netns, link);
        },
      },
    };
    const del = cmdDel(inv, node);
    await new Promise((r) => setTimeout(r, 20));
    expect(n.calls).toEqual([]); // IPAM still running: no knob, no netdev, no state touched
    expect(n.node.state.list('cache')).toEqual(['c1-net1']);
    expect(podLooks).toEqual(['net1 during IPAM']); // the netdev was found in the pod meanwhile
    release();
    await del;
    expect(n.calls[0]).toBe('ipam.del');
    expect(n.calls.some((c) => c.startsWith('netdev.moveToHost'))).toBe(true);
    expect(podLooks).toEqual(['net1 during IPAM']); // and not looked up again
    expect(n.node.state.list('cache')).toEqual([]);
  });

  it('DEL: a pod lookup that fails while IPAM runs is made again at the release, its error after the knob reset', async () => {
    const n = memoryNode();
    await cmdAdd(conf({ vlan: 10 }), inv, n.node);
    n.calls.length = 0;
    const failing = failingMethod(n.node.netdev, 'getLink', {
      always: true,
      when: (netns) => netns !== undefined,
      label: 'EPERM',
    });
    await expect(cmdDel(inv, { ...n.node, netdev: failing })).rejects.toThrow(/EPERM/);
    expect(n.calls.slice(0, 2)).toEqual(['ipam.del', expect.stringMatching(/^vfs\.set /)]); // the order of Go's DEL
    expect(n.node.state.list('cache')).toEqual(['c1-net1']); // kept for the runtime's retry
    await cmdDel(inv, n.node);
    expect(n.links.has('host/vf0')).toBe(true);
  });

  it('DEL does not touch a VF that another netns owns now', async () => {
    const n = memoryNode();
    await cmdAdd(conf({ vlan: 10 }), inv, n.node);
    n.node.state.writeAllocation(VF_PCI, '/run/netns/other');
    n.calls.length = 0;
    await cmdDel(inv, n.node);
    expect(n.calls).toEqual(['ipam.del']);
    expect(n.node.state.list('cache')).toEqual([]);
    expect(n.vfs.get(0)).toMatchObject({ vlan: 10 });
    expect(n.node.state.readAllocation(VF_PCI)).toBe('/run/netns/other');
  });

  it('DEL with another path of the same netns (/run vs /var/run) still releases the VF', async () => {
    const n = memoryNode();
    await cmdAdd(conf(), { ...inv, netns: '/var/run/netns/pod' }, n.node);
    n.links.set('/run/netns/pod/net1', { ...n.links.get('/var/run/netns/pod/net1')!, netns: '/run/netns/pod' });
    n.links.delete('/var/run/netns/pod/net1');
    await cmdDel({ ...inv, netns: '/run/netns/pod' }, n.node);
    expect(n.links.has('host/vf0')).toBe(true);
    expect(n.node.state.readAllocation(VF_PCI)).toBeUndefined();
  });

  it('DEL after a crash mid-ADD restores from the journal', async () => {
    const n = memoryNode();
    // A crash: the ADD stops where the journal becomes the cache and none of its undos get through (it stays).
    const state = failingMethod(n.node.state, 'promote', { label: 'SIGKILL' });
    const crashed = {
      ...n.node,
      state: failingMethod(state, 'delete', { always: true, when: (kind) => kind === 'pending' }),
      netdev: failingMethod(n.node.netdev, 'moveToHost', { always: true }),
      ipam: failingMethod(n.node.ipam, 'del', { always: true }),
    };
    await expect(cmdAdd(conf(), inv, crashed)).rejects.toThrow(/SIGKILL; rollback failed/);
    expect(n.node.state.list('pending')).toEqual(['c1-net1']);
    expect(n.links.has('/run/netns/pod/net1')).toBe(true);
    await cmdDel(inv, n.node);
    expect(n.links.has('host/vf0')).toBe(true);
    expect(n.node.state.list('pending')).toEqual([]);
    expect(n.leases.size).toBe(0);
  });
});
