// The bundled `sriov` executable on the lab, run exactly as a runtime runs it (env + stdin), checked with `ip -j`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addKilledDuringIpam,
  addressesIn,
  ensureBuilt,
  hostLocalConf,
  ipJson,
  leases,
  linkIn,
  randomId,
  reclaim,
  runPlugin,
  startLab,
  type TestLab,
} from './harness.js';

const reason = missingPrerequisites('sriov-cni executable on the lab', [
  isRoot(),
  executable('ip'),
  executable('unshare'),
  executable('nsenter'),
  executable('/usr/lib/cni/host-local'),
]);

const VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];
const CONCURRENT = 32;

describe.skipIf(reason !== null)('sriov executable on the lab', () => {
  let t: TestLab;
  const vf = (i: number) => t.lab.vf(0, i);
  const hostState = (i: number) => {
    const l = linkIn(vf(i).netdev!) as { ifname: string; address: string; mtu: number } | undefined;
    return l && { name: l.ifname, mac: l.address, mtu: l.mtu };
  };

  beforeAll(async () => {
    await ensureBuilt();
    t = await startLab({ pfs: [{ vfs: 8 + CONCURRENT + 1, dpdkVfs: [8 + CONCURRENT] }] });
  }, 120_000);
  afterAll(async () => {
    await t?.destroy();
  });

  it('answers VERSION with every version', async () => {
    const r = await runPlugin(t, { command: 'VERSION', conf: { cniVersion: '1.0.0' } });
    expect(r.status).toBe(0);
    expect(r.json).toEqual({ cniVersion: '1.0.0', supportedVersions: VERSIONS });
  });

  for (const version of VERSIONS) {
    it(`ADD / CHECK / DEL in cniVersion ${version}`, async () => {
      const before = hostState(0);
      const netns = t.lab.createPodNetns(`v${version.replaceAll('.', '')}`);
      const call = { containerId: randomId(), netns, ifName: 'net1' };
      // Debian's host-local (1.1.1) stops at 1.0.0, so the 1.1.0 round runs in L2 mode (no ipam).
      const l2 = version === '1.1.0';
      const conf = l2
        ? { cniVersion: version, name: 'sriovnet', type: 'sriov', deviceID: vf(0).address }
        : { ...hostLocalConf(t, version), deviceID: vf(0).address };
      try {
        const add = await runPlugin(t, { command: 'ADD', ...call, conf });
        expect(add.status, add.stdout + add.stderr).toBe(0);
        const res = add.json!;
        expect(res.cniVersion).toBe(version);
        const inPod = linkIn('net1', netns) as { address: string; mtu: number };
        expect(inPod.address).toBe(before!.mac);
        expect(linkIn(vf(0).netdev!)).toBeUndefined();
        const addrs = addressesIn('net1', netns);
        expect(addrs).toHaveLength(l2 ? 0 : 1);
        const routes = ipJson(['route', 'show', 'dev', 'net1'], netns).map((r) => r.dst);
        if (!l2) expect(routes).toContain('10.252.0.0/16');
        if (version === '0.1.0' || version === '0.2.0') {
          expect(res).toMatchObject({ ip4: { ip: addrs[0], gateway: '10.251.0.1' } });
          expect(res.interfaces).toBeUndefined();
        } else {
          const iface: Record<string, unknown> = { name: 'net1', mac: before!.mac, sandbox: netns };
          if (version.startsWith('1.')) iface.mtu = before!.mtu;
          if (version === '1.1.0') iface.pciID = vf(0).address;
          expect(res.interfaces).toEqual([iface]);
          const ip: Record<string, unknown> = { interface: 0, address: addrs[0], gateway: '10.251.0.1' };
          if (!version.startsWith('1.')) ip.version = '4';
          if (!l2) expect(res.ips).toEqual([ip]);
        }
        if (version === '0.4.0' || version.startsWith('1.')) {
          const check = await runPlugin(t, { command: 'CHECK', ...call, conf: { ...conf, prevResult: res } });
          expect(check.status, check.stdout + check.stderr).toBe(0);
        }
        const del = await runPlugin(t, { command: 'DEL', ...call, conf: { ...conf, prevResult: res } });
        expect(del.status, del.stdout + del.stderr).toBe(0);
        expect(del.stdout).toBe('');
        expect(hostState(0)).toEqual(before);
        expect(linkIn('net1', netns)).toBeUndefined();
        expect(leases(t, call.containerId)).toEqual([]);
        expect(readdirSync(t.stateDir).filter((f) => !['pci', 'pending'].includes(f))).toEqual([]);
        expect(existsSync(join(t.stateDir, 'pci', vf(0).address))).toBe(false);
      } finally {
        reclaim(t, netns, vf(0).netdev!);
      }
    });
  }

  it('CHECK reports a missing address and a wrong MAC with their own codes; DEL undoes what the pod changed', async () => {
    const before = hostState(1);
    const netns = t.lab.createPodNetns('chk');
    const call = { containerId: randomId(), netns, ifName: 'net1' };
    const conf = { ...hostLocalConf(t, '1.0.0'), deviceID: vf(1).address };
    try {
      const add = await runPlugin(t, { command: 'ADD', ...call, conf });
      expect(add.status, add.stdout).toBe(0);
      const prev = add.json!;
      const wrongIp = { ...prev, ips: [{ interface: 0, address: '10.251.99.99/16' }] };
      const r1 = await runPlugin(t, { command: 'CHECK', ...call, conf: { ...conf, prevResult: wrongIp } });
      expect(r1.status).toBe(1);
      expect(r1.json).toMatchObject({ code: 103, msg: expect.stringContaining('10.251.99.99/16') });
      execIp(['link', 'set', 'dev', 'net1', 'address', '02:00:00:00:77:77'], netns);
      const r2 = await runPlugin(t, { command: 'CHECK', ...call, conf: { ...conf, prevResult: prev } });
      expect(r2.json).toMatchObject({ code: 102 });
      const r3 = await runPlugin(t, { command: 'CHECK', ...call, conf });
      expect(r3.json).toMatchObject({ msg: 'Required prevResult missing' });
      execIp(['link', 'set', 'dev', 'net1', 'mtu', '1280'], netns); // the pod changes its MTU too (Go test_mtu_reset)
      expect((await runPlugin(t, { command: 'DEL', ...call, conf })).status).toBe(0);
      expect(hostState(1)).toEqual(before); // name, MAC and MTU restored
    } finally {
      reclaim(t, netns, vf(1).netdev!);
    }
  });

  it('refuses an ifname that already exists in the pod and puts the VF back (rename refused after the move)', async () => {
    const netns = t.lab.createPodNetns('exists');
    const before = hostState(7);
    try {
      execIp(['link', 'add', 'net1', 'type', 'veth', 'peer', 'name', 'net1p'], netns);
      const r = await runPlugin(t, {
        command: 'ADD',
        containerId: randomId(),
        netns,
        ifName: 'net1',
        conf: { ...hostLocalConf(t, '1.0.0'), deviceID: vf(7).address },
      });
      expect(r.status).toBe(1);
      expect(r.json?.msg).toMatch(/file exists|EEXIST/);
      expect(hostState(7)).toEqual(before);
      expect(linkIn('net1', netns)).toMatchObject({ ifname: 'net1' }); // the pod's own link is untouched
    } finally {
      reclaim(t, netns, vf(7).netdev!, vf(7).netdev!); // only if the VF were still there
    }
  });

  it('logs per logLevel to logFile (cni-log format with the labels), nothing on stdout but the result', async () => {
    const netns = t.lab.createPodNetns('log');
    const logFile = join(t.stateRoot, 'logs', 'sriov.log');
    const call = { containerId: randomId(), netns, ifName: 'net1' };
    const conf = { ...hostLocalConf(t, '1.0.0'), deviceID: vf(1).address, logLevel: 'debug', logFile };
    try {
      const add = await runPlugin(t, { command: 'ADD', ...call, conf });
      expect(add.status, add.stdout + add.stderr).toBe(0);
      expect(add.stderr).toBe('');
      const log = readFileSync(logFile, 'utf8');
      expect(log).toMatch(/level="info" msg="attached VF [^"]+ as net1" cniName="sriov-cni" containerID="[0-9a-f]+"/);
      expect((await runPlugin(t, { command: 'DEL', ...call, conf })).status).toBe(0);
      expect(readFileSync(logFile, 'utf8')).toContain('msg="released VF');
    } finally {
      reclaim(t, netns, vf(1).netdev!);
    }
  });

  describe('DEL succeeds in every degraded state', () => {
    const conf = () => ({ ...hostLocalConf(t, '1.0.0'), deviceID: vf(2).address });
    async function added(suffix: string) {
      const netns = t.lab.createPodNetns(suffix);
      const call = { containerId: randomId(), netns, ifName: 'net1' };
      const add = await runPlugin(t, { command: 'ADD', ...call, conf: conf() });
      expect(add.status, add.stdout + add.stderr).toBe(0);
      return call;
    }

    it('without any cache (DEL before ADD) and twice', async () => {
      const call = { containerId: randomId(), netns: '/var/run/netns/none', ifName: 'net1' };
      expect((await runPlugin(t, { command: 'DEL', ...call, conf: conf() })).status).toBe(0);
      const c = await added('twice');
      expect((await runPlugin(t, { command: 'DEL', ...c, conf: conf() })).status).toBe(0);
      expect((await runPlugin(t, { command: 'DEL', ...c, conf: conf() })).status).toBe(0);
      expect(hostState(2)?.name).toBe(vf(2).netdev);
      t.lab.deletePodNetns(c.netns);
    });

    it('with CNI_NETNS empty (IPAM released, VF left for the netns teardown)', async () => {
      const c = await added('empty');
      const r = await runPlugin(t, { command: 'DEL', ...c, netns: '', conf: conf() });
      expect(r.status, r.stdout).toBe(0);
      expect(leases(t, c.containerId)).toEqual([]);
      // The VF stays in the pod until the netns goes (a real VF then returns to the host by itself).
      expect(linkIn('net1', c.netns)).toBeDefined();
      execIp(['link', 'set', 'dev', 'net1', 'netns', '1', 'name', vf(2).netdev!], c.netns);
      t.lab.deletePodNetns(c.netns);
      expect((await runPlugin(t, { command: 'DEL', ...c, conf: conf() })).status).toBe(0);
    });

    it('when the netns path is not a netns', async () => {
      const c = await added('notns');
      const file = join(t.stateRoot, 'not-a-netns');
      writeFileSync(file, '');
      const r = await runPlugin(t, { command: 'DEL', ...c, netns: file, conf: conf() });
      expect(r.status, r.stdout).toBe(0);
      expect(leases(t, c.containerId)).toEqual([]);
      // The VF is still in the pod: the real DEL puts it back.
      execIp(['link', 'set', 'dev', 'net1', 'netns', '1', 'name', vf(2).netdev!], c.netns);
      t.lab.deletePodNetns(c.netns);
    });

    it('when the netns is gone', async () => {
      const c = await added('gone');
      // A macvlan dies with its netns (a real VF would return to the host): either way DEL must succeed.
      execIp(['link', 'set', 'dev', 'net1', 'netns', '1', 'name', vf(2).netdev!], c.netns);
      t.lab.deletePodNetns(c.netns);
      const r = await runPlugin(t, { command: 'DEL', ...c, conf: conf() });
      expect(r.status, r.stdout).toBe(0);
      expect(leases(t, c.containerId)).toEqual([]);
      expect(existsSync(join(t.stateDir, 'pci', vf(2).address))).toBe(false);
    });

    it('when the VF vanished (sriov_numvfs changed)', async () => {
      const c = await added('vanish');
      const pfDir = t.lab.tree.deviceDir(t.lab.pfs[0]!.address);
      const link = join(pfDir, 'virtfn2');
      const target = readlinkSync(link);
      rmSync(link);
      try {
        const r = await runPlugin(t, { command: 'DEL', ...c, conf: conf() });
        expect(r.status, r.stdout).toBe(0);
        expect(leases(t, c.containerId)).toEqual([]);
      } finally {
        symlinkSync(target, link);
        reclaim(t, c.netns, vf(2).netdev!);
        rmSync(join(t.stateDir, 'pci', vf(2).address), { force: true });
      }
    });

    it('never resets a VF another container owns now (stale DEL, issues 219/313)', async () => {
      const a = await added('olda');
      // Pod A's netns dies; its VF comes back to the host (as a real VF would).
      execIp(['link', 'set', 'dev', 'net1', 'netns', '1', 'name', vf(2).netdev!], a.netns);
      t.lab.deletePodNetns(a.netns);
      const b = await added('newb'); // allocation record of A is stale, B takes the VF
      const r = await runPlugin(t, { command: 'DEL', ...a, conf: conf() });
      expect(r.status, r.stdout).toBe(0);
      expect(linkIn('net1', b.netns)).toBeDefined(); // B's interface untouched
      expect(readFileSync(join(t.stateDir, 'pci', vf(2).address), 'utf8')).toBe(b.netns);
      expect((await runPlugin(t, { command: 'DEL', ...b, conf: conf() })).status).toBe(0);
      expect(hostState(2)?.name).toBe(vf(2).netdev);
      t.lab.deletePodNetns(b.netns);
    });
  });

  it('DELs an attachment whose cache file the Go plugin wrote', async () => {
    const netns = t.lab.createPodNetns('gocache');
    const cid = randomId();
    const v = vf(3);
    const before = hostState(3)!;
    // What the Go plugin leaves behind after its ADD: VF in the pod as net1, its cache and allocation record.
    execIp(['link', 'set', 'dev', v.netdev!, 'netns', netnsName(netns), 'name', 'net1']);
    execIp(['link', 'set', 'dev', 'net1', 'address', '02:00:00:00:33:33', 'mtu', '1400', 'up'], netns);
    const goCache = {
      cniVersion: '1.0.0',
      name: 'sriovnet',
      type: 'sriov',
      ipam: {},
      OrigVfState: {
        HostIFName: v.netdev,
        SpoofChk: false,
        Trust: false,
        AdminMAC: '00:00:00:00:00:00',
        EffectiveMAC: before.mac,
        Vlan: 0,
        VlanQoS: 0,
        VlanProto: 33024,
        MinTxRate: 0,
        MaxTxRate: 0,
        LinkState: 0,
        MTU: before.mtu,
      },
      Master: t.lab.pfs[0]!.netdev,
      MAC: '',
      MTU: before.mtu,
      VFID: 3,
      vlan: null,
      vlanQoS: null,
      vlanProto: null,
      deviceID: v.address,
      min_tx_rate: null,
      max_tx_rate: null,
      spoofchk: '',
      trust: '',
      link_state: '',
      runtimeConfig: {},
      logLevel: 'info',
      logFile: '',
    };
    writeFileSync(join(t.stateDir, `${cid}-net1`), JSON.stringify(goCache), { mode: 0o600 });
    writeFileSync(join(t.stateDir, 'pci', v.address), netns, { mode: 0o600 });
    try {
      const r = await runPlugin(t, {
        command: 'DEL',
        containerId: cid,
        netns,
        ifName: 'net1',
        conf: { cniVersion: '1.0.0', name: 'sriovnet', type: 'sriov' },
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(hostState(3)).toEqual(before);
      expect(existsSync(join(t.stateDir, `${cid}-net1`))).toBe(false);
      expect(existsSync(join(t.stateDir, 'pci', v.address))).toBe(false);
    } finally {
      reclaim(t, netns, v.netdev!);
    }
  });

  it('reports the kernel refusing a PF-side knob, names the knob, and changes nothing', async () => {
    const netns = t.lab.createPodNetns('knob');
    const before = hostState(4);
    try {
      const r = await runPlugin(t, {
        command: 'ADD',
        containerId: randomId(),
        netns,
        ifName: 'net1',
        conf: { ...hostLocalConf(t, '1.0.0'), deviceID: vf(4).address, vlan: 100 },
      });
      expect(r.status).toBe(1);
      expect(r.json).toEqual({
        code: 999,
        cniVersion: '1.0.0',
        msg: 'SRIOV-CNI failed to configure VF "failed to set vf 4 vlan configuration - id 100, qos 0 and proto 802.1q: operation not supported"',
      });
      expect(hostState(4)).toEqual(before);
    } finally {
      t.lab.deletePodNetns(netns);
    }
  });

  it('SIGKILL during ADD, then DEL: the VF comes back and nothing leaks', async () => {
    const netns = t.lab.createPodNetns('kill');
    const call = { containerId: randomId(), netns, ifName: 'net1' };
    const before = hostState(5);
    const conf = {
      cniVersion: '1.0.0',
      name: 'slownet',
      type: 'sriov',
      deviceID: vf(5).address,
      ipam: { type: 'slow' },
    };
    let bin = '';
    try {
      // Killed while its IPAM plugin runs, i.e. after the VF moved into the pod and before anything was cached.
      bin = await addKilledDuringIpam(t, { ...call, conf });
      expect(linkIn('net1', netns)).toBeDefined();
      const del = await runPlugin(t, { command: 'DEL', ...call, path: bin, conf });
      expect(del.status, del.stdout + del.stderr).toBe(0);
      expect(hostState(5)).toEqual(before);
      expect(readdirSync(join(t.stateDir, 'pending'))).toEqual([]);
      // The lock is free again: a new ADD on the VF succeeds at once.
      const next = { ...call, containerId: randomId() };
      const nextConf = { ...hostLocalConf(t, '1.0.0'), deviceID: vf(5).address };
      const again = await runPlugin(t, { command: 'ADD', ...next, conf: nextConf });
      expect(again.status, again.stdout).toBe(0);
      expect((await runPlugin(t, { command: 'DEL', ...next, conf: nextConf })).status).toBe(0);
      expect(hostState(5)).toEqual(before);
    } finally {
      reclaim(t, netns, vf(5).netdev!);
      if (bin) rmSync(bin, { recursive: true, force: true });
    }
  });

  it(`${CONCURRENT} concurrent ADDs over ${CONCURRENT} VFs all succeed with distinct VFs and addresses`, async () => {
    const pods = Array.from({ length: CONCURRENT }, (_, i) => ({
      i: 8 + i,
      netns: t.lab.createPodNetns(`c${i}`),
      containerId: randomId(),
    }));
    try {
      const conf = (i: number) => ({ ...hostLocalConf(t, '1.0.0'), deviceID: vf(i).address });
      const adds = await Promise.all(
        pods.map((p) =>
          runPlugin(t, { command: 'ADD', containerId: p.containerId, netns: p.netns, ifName: 'net1', conf: conf(p.i) }),
        ),
      );
      for (const a of adds) expect(a.status, a.stdout + a.stderr).toBe(0);
      const ips = new Set(adds.map((a) => (a.json!.ips as { address: string }[])[0]!.address));
      const macs = new Set(adds.map((a) => (a.json!.interfaces as { mac: string }[])[0]!.mac));
      expect(ips.size).toBe(CONCURRENT);
      expect(macs.size).toBe(CONCURRENT);
      expect(readdirSync(join(t.stateDir, 'pci')).filter((f) => f !== 'vf_lock').length).toBeGreaterThanOrEqual(
        CONCURRENT,
      );
      const dels = await Promise.all(
        pods.map((p) =>
          runPlugin(t, { command: 'DEL', containerId: p.containerId, netns: p.netns, ifName: 'net1', conf: conf(p.i) }),
        ),
      );
      for (const d of dels) expect(d.status, d.stdout).toBe(0);
      for (const p of pods) expect(hostState(p.i)?.name).toBe(vf(p.i).netdev);
    } finally {
      for (const p of pods) reclaim(t, p.netns, vf(p.i).netdev!);
    }
  }, 180_000);

  it('DPDK mode: PF-side only, IPAM reported not applied, DEL right first time', async () => {
    const v = t.lab.vf(0, 8 + CONCURRENT);
    const netns = t.lab.createPodNetns('dpdk');
    const call = { containerId: randomId(), netns, ifName: 'net1' };
    const conf = { ...hostLocalConf(t, '1.0.0'), deviceID: v.address };
    try {
      const add = await runPlugin(t, { command: 'ADD', ...call, conf });
      expect(add.status, add.stdout + add.stderr).toBe(0);
      expect(add.json!.interfaces).toEqual([
        { name: 'net1', mtu: (linkIn(t.lab.pfs[0]!.netdev) as { mtu: number }).mtu, sandbox: netns },
      ]);
      expect((add.json!.ips as unknown[]).length).toBe(1);
      expect(linkIn('net1', netns)).toBeUndefined();
      const del = await runPlugin(t, { command: 'DEL', ...call, conf });
      expect(del.status, del.stdout).toBe(0);
      expect(leases(t, call.containerId)).toEqual([]);
      expect(existsSync(join(t.stateDir, 'pci', v.address))).toBe(false);
    } finally {
      t.lab.deletePodNetns(netns);
    }
  });

  it('bad config and environment give CNI error JSON with the right code, and touch nothing', async () => {
    const netns = t.lab.createPodNetns('fuzz');
    const before = hostState(6);
    try {
      const fixed: { env: Record<string, string>; conf: unknown; code: number }[] = [
        { env: {}, conf: '{not json', code: 6 },
        { env: {}, conf: { cniVersion: '9.9.9', name: 'n', type: 'sriov', deviceID: vf(6).address }, code: 1 },
        { env: {}, conf: { cniVersion: '1.0.0', name: 'n', type: 'sriov' }, code: 7 },
        {
          env: {},
          conf: { cniVersion: '1.0.0', name: 'n', type: 'sriov', deviceID: vf(6).address, vlan: 5000 },
          code: 7,
        },
        {
          env: { CNI_IFNAME: 'a/b' },
          conf: { cniVersion: '1.0.0', name: 'n', type: 'sriov', deviceID: vf(6).address },
          code: 4,
        },
        {
          env: { CNI_CONTAINERID: '../x' },
          conf: { cniVersion: '1.0.0', name: 'n', type: 'sriov', deviceID: vf(6).address },
          code: 4,
        },
        {
          env: { CNI_NETNS: '/nonexistent' },
          conf: { cniVersion: '1.0.0', name: 'n', type: 'sriov', deviceID: vf(6).address },
          code: 999,
        },
        {
          env: { CNI_ARGS: 'K8S_POD_NAME=x' },
          conf: { cniVersion: '1.0.0', name: 'n', type: 'sriov', deviceID: vf(6).address },
          code: 999,
        },
        { env: {}, conf: { cniVersion: '1.0.0', name: 'n', type: 'sriov', deviceID: '0000:ff:1f.7' }, code: 999 },
      ];
      for (const f of fixed) {
        const r = await runPlugin(t, {
          command: 'ADD',
          containerId: randomId(),
          netns,
          ifName: 'net1',
          conf: f.conf,
          env: f.env,
        });
        expect(r.status, JSON.stringify(f)).toBe(1);
        expect(r.json?.code, `${JSON.stringify(f)} → ${r.stdout}`).toBe(f.code);
        expect(typeof r.json?.msg).toBe('string');
      }
      await fc.assert(
        fc.asyncProperty(
          fc.record(
            {
              deviceID: fc.oneof(fc.string(), fc.constant(vf(6).address)),
              vlan: fc.oneof(fc.integer(), fc.string()),
              vlanQoS: fc.integer({ min: -3, max: 9 }),
              spoofchk: fc.string(),
              link_state: fc.string(),
            },
            { requiredKeys: ['vlan'] },
          ),
          async (extra) => {
            const conf = { cniVersion: '1.0.0', name: 'n', type: 'sriov', ...extra };
            const r = await runPlugin(t, { command: 'ADD', containerId: randomId(), netns, ifName: 'net1', conf });
            expect(r.status).toBe(1); // every generated config is invalid or asks for a knob the veth PF refuses
            expect([6, 7, 999]).toContain(r.json?.code);
            expect(hostState(6)).toEqual(before);
          },
        ),
        { numRuns: 25 },
      );
      // Fuzzed environment: the config is valid but asks for a VLAN the veth PF refuses, so nothing can succeed.
      const conf = { cniVersion: '1.0.0', name: 'n', type: 'sriov', deviceID: vf(6).address, vlan: 10 };
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            CNI_IFNAME: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('net1')),
            CNI_CONTAINERID: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('abc')),
            CNI_ARGS: fc.oneof(fc.string(), fc.constant('IgnoreUnknown=1;MAC=zz')),
          }),
          async (env) => {
            const clean = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll('\0', '')]));
            const r = await runPlugin(t, { command: 'ADD', netns, conf, env: clean });
            expect(r.status).toBe(1);
            expect([4, 7, 999]).toContain(r.json?.code);
            expect(hostState(6)).toEqual(before);
          },
        ),
        { numRuns: 15 },
      );
    } finally {
      t.lab.deletePodNetns(netns);
    }
  }, 180_000);
});

function netnsName(path: string): string {
  return path.split('/').at(-1)!;
}

function execIp(args: string[], netns?: string): void {
  execFileSync('ip', netns ? ['-n', netnsName(netns), ...args] : args);
}
