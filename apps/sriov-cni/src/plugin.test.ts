import { parseSriovNetConf } from '@sriov-ts/netconf-schema';
import { describe, expect, it } from 'vitest';
import { memoryNode } from '../test/memory-ops.js';
import { toSriovConf } from './conf.js';
import { cmdAdd, cmdDel } from './plugin.js';

const inv = { containerId: 'c1', netns: '/run/netns/pod', ifName: 'net1' };
const conf = (extra: Record<string, unknown> = {}) => {
  const base = {
    cniVersion: '1.0.0',
    name: 'n',
    type: 'sriov',
    deviceID: '0000:af:06.0',
    ipam: { type: 'host-local' },
  };
  const parsed = parseSriovNetConf({ ...base, ...extra });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return toSriovConf(parsed.config);
};

function snapshot(n: ReturnType<typeof memoryNode>) {
  return {
    links: [...n.links.entries()].sort(),
    vfs: structuredClone([...n.vfs.entries()]),
    caches: [...n.caches.keys()],
    pending: [...n.pending.keys()],
    allocations: [...n.allocations.entries()],
    leases: [...n.leases],
  };
}

describe('ADD/DEL flow (in-memory node)', () => {
  it('ADD attaches, DEL restores the node exactly', async () => {
    const n = memoryNode();
    const before = snapshot(n);
    const out = await cmdAdd(conf({ vlan: 100, trust: 'on' }), inv, n.ops);
    expect(out.iface).toEqual({
      name: 'net1',
      mac: '02:00:00:00:00:05',
      mtu: 1500,
      sandbox: inv.netns,
      pciID: '0000:af:06.0',
    });
    expect(n.links.has('/run/netns/pod/net1')).toBe(true);
    expect(n.vfs.get(0)).toMatchObject({ vlan: 100, trust: true });
    expect(n.caches.has('c1-net1')).toBe(true);
    expect(n.pending.size).toBe(0);
    await cmdDel(inv, n.ops);
    expect(snapshot(n)).toEqual({ ...before, links: before.links.map(([k, v]) => [k, { ...v, altNames: [] }]) });
    await cmdDel(inv, n.ops); // twice: no cache ⇒ success
  });

  it('never reads the PF VF list when no knob is set', async () => {
    const n = memoryNode();
    n.ops.readVf = () => {
      throw new Error('must not read');
    };
    await cmdAdd(conf(), inv, n.ops);
  });

  const steps = [
    'writePending',
    'setVfKnob',
    'moveIntoNetns',
    'delAltName',
    'setMac',
    'ipamAdd',
    'configureIp',
    'writeCache',
    'writeAllocation',
  ];
  for (const op of steps) {
    for (const nth of op === 'setVfKnob' ? [1, 2, 3] : [1]) {
      it(`a failure in ${op} #${nth} leaves the node as it was`, async () => {
        const n = memoryNode();
        const before = snapshot(n);
        n.failAt = { op, nth, always: op === 'setMac' };
        await expect(
          cmdAdd(conf({ vlan: 10, spoofchk: 'off', trust: 'on', mac: '02:AA:00:00:00:01' }), inv, n.ops),
        ).rejects.toThrow(/injected failure/);
        n.failAt = undefined;
        const after = snapshot(n);
        expect(after.vfs).toEqual(before.vfs);
        expect(after.caches).toEqual([]);
        expect(after.pending).toEqual([]);
        expect(after.allocations).toEqual([]);
        expect(after.leases).toEqual([]);
        expect(after.links.map(([k, v]) => [k, v.name, v.mac, v.mtu])).toEqual(
          before.links.map(([k, v]) => [k, v.name, v.mac, v.mtu]),
        );
      });
    }
  }

  it('undoes knobs newest first', async () => {
    const n = memoryNode();
    n.failAt = { op: 'moveIntoNetns' };
    await expect(cmdAdd(conf({ vlan: 10, trust: 'on' }), inv, n.ops)).rejects.toThrow();
    const knobCalls = n.calls.filter((c) => c.startsWith('setVfKnob')).map((c) => JSON.parse(c.slice(10)).kind);
    expect(knobCalls).toEqual(['vlan', 'trust', 'trust', 'vlan']);
  });

  it('DEL does not touch a VF that another netns owns now', async () => {
    const n = memoryNode();
    await cmdAdd(conf({ vlan: 10 }), inv, n.ops);
    n.allocations.set('0000:af:06.0', '/run/netns/other');
    n.calls.length = 0;
    await cmdDel(inv, n.ops);
    expect(n.calls).toEqual(['lockVf', 'ipamDel']);
    expect(n.caches.size).toBe(0);
  });

  it('DEL with another path of the same netns (/run vs /var/run) still releases the VF', async () => {
    const n = memoryNode();
    await cmdAdd(conf(), { ...inv, netns: '/var/run/netns/pod' }, n.ops);
    n.links.set('/run/netns/pod/net1', { ...n.links.get('/var/run/netns/pod/net1')!, netns: '/run/netns/pod' });
    n.links.delete('/var/run/netns/pod/net1');
    await cmdDel({ ...inv, netns: '/run/netns/pod' }, n.ops);
    expect(n.links.has('host/vf0')).toBe(true);
    expect(n.allocations.size).toBe(0);
  });

  it('DEL after a crash mid-ADD restores from the journal', async () => {
    const n = memoryNode();
    n.ops.writeCache = () => {
      throw Object.assign(new Error('SIGKILL'), { fatal: true });
    };
    // Simulate a crash: run ADD but skip the unwind by making deletePending a no-op and moveToHost fail.
    const realMove = n.ops.moveToHost;
    n.ops.moveToHost = () => {
      throw new Error('process died');
    };
    const realDeletePending = n.ops.deletePending;
    n.ops.deletePending = () => undefined;
    n.ops.ipamDel = async () => {
      throw new Error('process died');
    };
    await expect(cmdAdd(conf(), inv, n.ops)).rejects.toThrow();
    expect(n.pending.has('c1-net1')).toBe(true);
    const fresh = memoryNode();
    Object.assign(n.ops, { moveToHost: realMove, deletePending: realDeletePending, ipamDel: fresh.ops.ipamDel });
    await cmdDel(inv, n.ops);
    expect(n.links.has('host/vf0')).toBe(true);
    expect(n.pending.size).toBe(0);
  });
});
