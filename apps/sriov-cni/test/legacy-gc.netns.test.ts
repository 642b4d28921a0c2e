// The executable on the lab: legacy `master` mode (the original plugin's seed), CNI 1.1 GC and STATUS.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addKilledDuringIpam,
  addressesIn,
  ensureBuilt,
  hostLocalConf,
  linkIn,
  randomId,
  reclaim,
  runPlugin,
  startLab,
  type TestLab,
} from './harness.js';

const reason = missingPrerequisites('sriov-cni legacy mode, GC and STATUS', [
  isRoot(),
  executable('ip'),
  executable('unshare'),
  executable('nsenter'),
  executable('/usr/lib/cni/host-local'),
]);

describe.skipIf(reason !== null)('legacy mode, GC and STATUS', () => {
  let t: TestLab;
  beforeAll(async () => {
    await ensureBuilt();
    t = await startLab({ pfs: [{ vfs: 3 }, { vfs: 0 }] });
  }, 120_000);
  afterAll(async () => {
    await t?.destroy();
  });
  const pf = (i: number) => t.lab.pfs[i]!;

  it('master: picks free VFs of the PF, or the one CNI_ARGS VF=N names', async () => {
    const pods = ['la', 'lb', 'lc'].map((s) => ({
      netns: t.lab.createPodNetns(s),
      containerId: randomId(),
      ifName: 'net1',
    }));
    const conf = { ...hostLocalConf(t, '1.0.0'), master: pf(0).netdev };
    try {
      const a = await runPlugin(t, { command: 'ADD', ...pods[0]!, conf });
      const b = await runPlugin(t, {
        command: 'ADD',
        ...pods[1]!,
        conf,
        args: 'IgnoreUnknown=1;VF=2;IP=10.251.0.77;K8S_POD_NAME=lb',
      });
      const c = await runPlugin(t, { command: 'ADD', ...pods[2]!, conf });
      for (const r of [a, b, c]) expect(r.status, r.stdout + r.stderr).toBe(0);
      // VF 0 (first free), VF 2 (asked for), VF 1 (first free after that).
      expect(linkIn(t.lab.vf(0, 0).netdev!)).toBeUndefined();
      expect(linkIn('net1', pods[1]!.netns)).toMatchObject({ address: t.lab.vf(0, 2).mac });
      expect(addressesIn('net1', pods[1]!.netns)).toEqual(['10.251.0.77/16']); // CNI_ARGS IP= reaches host-local
      expect(linkIn('net1', pods[2]!.netns)).toMatchObject({ address: t.lab.vf(0, 1).mac });
      const none = await runPlugin(t, {
        command: 'ADD',
        netns: pods[0]!.netns,
        containerId: randomId(),
        ifName: 'net2',
        conf,
      });
      expect(none.json).toMatchObject({ code: 999, msg: `no free VF on PF ${pf(0).netdev}` });
      for (const p of pods) expect((await runPlugin(t, { command: 'DEL', ...p, conf })).status).toBe(0);
      for (const i of [0, 1, 2]) expect(linkIn(t.lab.vf(0, i).netdev!)).toBeDefined();
    } finally {
      for (const [i, p] of pods.entries()) reclaim(t, p.netns, t.lab.vf(0, [0, 2, 1][i]!).netdev!);
    }
  });

  it('master: concurrent ADDs pick distinct VFs (PF lock)', async () => {
    const pods = ['ca', 'cb', 'cc'].map((s) => ({
      netns: t.lab.createPodNetns(s),
      containerId: randomId(),
      ifName: 'net1',
    }));
    const conf = { cniVersion: '1.0.0', name: 'legacy', type: 'sriov', master: pf(0).netdev };
    try {
      const adds = await Promise.all(pods.map((p) => runPlugin(t, { command: 'ADD', ...p, conf })));
      for (const a of adds) expect(a.status, a.stdout + a.stderr).toBe(0);
      const macs = pods.map((p) => (linkIn('net1', p.netns) as { address: string }).address).sort();
      expect(macs).toEqual([0, 1, 2].map((i) => t.lab.vf(0, i).mac).sort());
      for (const p of pods) expect((await runPlugin(t, { command: 'DEL', ...p, conf })).status).toBe(0);
    } finally {
      for (const p of pods) {
        const inPod = linkIn('net1', p.netns) as { address: string } | undefined;
        const owner = [0, 1, 2].find((i) => t.lab.vf(0, i).mac === inPod?.address) ?? 0;
        reclaim(t, p.netns, t.lab.vf(0, owner).netdev!);
      }
    }
  });

  it('pfOnly: moves the PF itself into the pod and back', async () => {
    const netns = t.lab.createPodNetns('pfonly');
    const call = { netns, containerId: randomId(), ifName: 'net1' };
    const conf = { cniVersion: '1.0.0', name: 'pfnet', type: 'sriov', master: pf(1).netdev, pfOnly: true };
    const before = linkIn(pf(1).netdev) as { address: string; mtu: number };
    try {
      const add = await runPlugin(t, { command: 'ADD', ...call, conf });
      expect(add.status, add.stdout + add.stderr).toBe(0);
      expect(linkIn(pf(1).netdev)).toBeUndefined();
      expect(linkIn('net1', netns)).toMatchObject({ address: before.address });
      expect((await runPlugin(t, { command: 'DEL', ...call, conf })).status).toBe(0);
      expect(linkIn(pf(1).netdev)).toMatchObject({ address: before.address, mtu: before.mtu });
    } finally {
      reclaim(t, netns, pf(1).netdev);
    }
  });

  it('GC releases the attachments the runtime no longer lists, and only those', async () => {
    const conf = (i: number) => ({
      cniVersion: '1.1.0',
      name: 'gcnet',
      type: 'sriov',
      deviceID: t.lab.vf(0, i).address,
    });
    const keep = { netns: t.lab.createPodNetns('gckeep'), containerId: randomId(), ifName: 'net1' };
    const stale = { netns: t.lab.createPodNetns('gcstale'), containerId: randomId(), ifName: 'net1' };
    try {
      expect((await runPlugin(t, { command: 'ADD', ...keep, conf: conf(0) })).status).toBe(0);
      expect((await runPlugin(t, { command: 'ADD', ...stale, conf: conf(1) })).status).toBe(0);
      const gc = await runPlugin(t, {
        command: 'GC',
        conf: { ...conf(0), 'cni.dev/valid-attachments': [{ containerID: keep.containerId, ifname: 'net1' }] },
      });
      expect(gc.status, gc.stdout + gc.stderr).toBe(0);
      expect(linkIn('net1', keep.netns)).toBeDefined();
      expect(linkIn('net1', stale.netns)).toBeUndefined();
      expect(linkIn(t.lab.vf(0, 1).netdev!)).toBeDefined();
      expect(existsSync(join(t.stateDir, `${stale.containerId}-net1`))).toBe(false);
      expect(existsSync(join(t.stateDir, 'pci', t.lab.vf(0, 1).address))).toBe(false);
      expect(existsSync(join(t.stateDir, `${keep.containerId}-net1`))).toBe(true);
      expect((await runPlugin(t, { command: 'DEL', ...keep, conf: conf(0) })).status).toBe(0);
      expect(readdirSync(t.stateDir).filter((f) => !['pci', 'pending'].includes(f))).toEqual([]);
    } finally {
      reclaim(t, keep.netns, t.lab.vf(0, 0).netdev!);
      reclaim(t, stale.netns, t.lab.vf(0, 1).netdev!);
    }
  });

  it('GC also undoes an ADD that was killed half-way (crash journal), then forgets it', async () => {
    const netns = t.lab.createPodNetns('gccrash');
    const call = { netns, containerId: randomId(), ifName: 'net1' };
    const conf = {
      cniVersion: '1.1.0',
      name: 'crashnet',
      type: 'sriov',
      deviceID: t.lab.vf(0, 2).address,
      ipam: { type: 'slow' },
    };
    try {
      const bin = await addKilledDuringIpam(t, { ...call, conf });
      expect(linkIn('net1', netns)).toBeDefined();
      expect(readdirSync(join(t.stateDir, 'pending'))).toEqual([`${call.containerId}-net1`]);
      const gc = await runPlugin(t, { command: 'GC', path: bin, conf: { ...conf, 'cni.dev/valid-attachments': [] } });
      expect(gc.status, gc.stdout + gc.stderr).toBe(0);
      expect(linkIn('net1', netns)).toBeUndefined();
      expect(linkIn(t.lab.vf(0, 2).netdev!)).toBeDefined();
      expect(readdirSync(join(t.stateDir, 'pending'))).toEqual([]);
      rmSync(bin, { recursive: true, force: true });
    } finally {
      reclaim(t, netns, t.lab.vf(0, 2).netdev!);
    }
  });

  it('STATUS succeeds for 1.1.0 and is refused for older configs', async () => {
    const ok = await runPlugin(t, { command: 'STATUS', conf: { cniVersion: '1.1.0', name: 'n', type: 'sriov' } });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe('');
    const old = await runPlugin(t, { command: 'STATUS', conf: { cniVersion: '1.0.0', name: 'n', type: 'sriov' } });
    expect(old.status).toBe(1);
    expect(old.json).toMatchObject({ code: 1 });
  });
});
