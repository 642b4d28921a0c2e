// The bundled `ib-sriov` executable on the IB lab, run exactly as a runtime runs it, checked with `ip -j`. Every
// part is real here except what this kernel lacks: InfiniBand (the VF netdevs are macvlans named as the fake
// sysfs says; their 20-byte IPoIB addresses live in the fake tree) — so the PF answers GUID and link-state
// requests with the kernel's own EOPNOTSUPP, and RDMA netlink with EPROTONOSUPPORT, and those are asserted.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { acquireExclusiveLock } from '@sriov-ts/cni';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addressesIn,
  ensureBuilt,
  hostLocal,
  leases,
  linkIn,
  randomId,
  reclaim,
  runPlugin,
  startLab,
  type TestLab,
  VERSIONS,
} from './harness.js';

const reason = missingPrerequisites('ib-sriov executable on the IB lab', [
  isRoot(),
  executable('ip'),
  executable('unshare'),
  executable('nsenter'),
  executable('/usr/lib/cni/host-local'),
]);

const NET = 'ibnet';
const VFS = 12;
const VFIO_VF = VFS - 1;

describe.skipIf(reason !== null)('ib-sriov executable on the IB lab', () => {
  let t: TestLab;
  const vf = (i: number) => t.lab.vf(0, i);
  const conf = (i: number, extra: Record<string, unknown> = {}, version = '1.0.0') => ({
    cniVersion: version,
    name: NET,
    type: 'ib-sriov',
    deviceID: vf(i).address,
    ...extra,
  });
  const cacheFiles = () => {
    try {
      return readdirSync(t.stateDir);
    } catch {
      return [];
    }
  };
  const addressFile = (i: number) => join(t.lab.root, 'sys/class/net', vf(i).netdev!, 'address');

  beforeAll(async () => {
    await ensureBuilt();
    t = await startLab(VFS, { dpdkVfs: [VFIO_VF] });
  }, 120_000);
  afterAll(async () => {
    await t?.destroy();
  });

  it('answers VERSION with every version', async () => {
    const r = await runPlugin(t, { command: 'VERSION', conf: { cniVersion: '1.0.0' } });
    expect(r.json).toEqual({ cniVersion: '1.0.0', supportedVersions: VERSIONS });
  });

  for (const version of VERSIONS) {
    it(`ADD / CHECK / DEL / DEL in cniVersion ${version} (no GUID: the VF keeps its valid one)`, async () => {
      const hostName = vf(0).netdev!;
      const netns = t.lab.createPodNetns(`v${version.replaceAll('.', '')}`);
      const call = { containerId: randomId(), netns, ifName: 'net1' };
      // Debian's host-local stops at 1.0.0: the 1.1.0 round runs without IPAM.
      const c = conf(0, version === '1.1.0' ? {} : { ipam: hostLocal(t) }, version);
      try {
        const add = await runPlugin(t, { command: 'ADD', ...call, conf: c });
        expect(add.status, add.stdout + add.stderr).toBe(0);
        expect(linkIn(hostName)).toBeUndefined();
        expect(linkIn('net1', netns)?.flags).toContain('UP');
        if (version === '1.1.0') {
          expect(add.json).toEqual({ cniVersion: version, interfaces: [{ name: 'net1', sandbox: netns }] });
        } else if (version === '0.1.0' || version === '0.2.0') {
          expect(add.json?.ip4).toMatchObject({ ip: expect.stringMatching(/^10\.241\./) });
        } else {
          // No mac: the reference reports none for IPoIB.
          expect(add.json?.interfaces).toEqual([{ name: 'net1', sandbox: netns }]);
          const ips = add.json?.ips as { address: string; interface: number }[];
          expect(ips[0]?.interface).toBe(0);
          expect(addressesIn('net1', netns)).toEqual([ips[0]!.address]);
        }
        const file = join(t.stateDir, `${call.containerId}-net1`);
        expect(statSync(file).mode & 0o777).toBe(0o600);
        const cache = JSON.parse(readFileSync(file, 'utf8'));
        expect(cache).toMatchObject({
          Master: t.lab.pfs[0]!.netdev,
          deviceID: vf(0).address,
          VFID: 0,
          HostIFNames: hostName,
          HostIFGUID: '',
          ContIFNames: 'net1',
          RdmaNetState: { version: '', deviceID: '', sandboxRdmaDevName: '', containerRdmaDevName: '' },
        });
        if (version >= '0.4.0') {
          const check = await runPlugin(t, { command: 'CHECK', ...call, conf: { ...c, prevResult: add.json } });
          expect(check.status, check.stdout).toBe(0);
        }
        for (let round = 0; round < 2; round++) {
          const del = await runPlugin(t, { command: 'DEL', ...call, conf: c });
          expect(del.status, del.stdout + del.stderr).toBe(0);
        }
        expect(linkIn(hostName)?.ifname).toBe(hostName);
        expect(linkIn('net1', netns)).toBeUndefined();
        expect(cacheFiles()).not.toContain(`${call.containerId}-net1`);
        expect(leases(t, call.containerId, NET)).toEqual([]);
        expect(t.lab.settleDriverWrites()).toEqual([]); // no GUID: no rebind
      } finally {
        reclaim(t, netns, hostName);
      }
    });
  }

  it('a GUID goes to the PF first: this kernel refuses it (EOPNOTSUPP) and ADD leaves nothing behind', async () => {
    const netns = t.lab.createPodNetns('guid');
    const call = { containerId: randomId(), netns, ifName: 'net1' };
    try {
      for (const extra of [
        { runtimeConfig: { infinibandGUID: '02:00:00:00:00:00:00:0a' } },
        { args: { cni: { guid: '02:00:00:00:00:00:00:0b' } } },
        { link_state: 'enable' },
      ]) {
        const add = await runPlugin(t, { command: 'ADD', ...call, conf: conf(1, { ipam: hostLocal(t), ...extra }) });
        expect(add.status).toBe(1);
        expect(add.json).toMatchObject({
          code: 999,
          msg: expect.stringMatching(
            /^infiniBand SRI-OV CNI failed to configure VF "failed to set vf 1 (node GUID 02:00:00:00:00:00:00:0[ab]|link state to enable): operation not supported"$/,
          ),
        });
        expect(linkIn(vf(1).netdev!)?.ifname).toBe(vf(1).netdev);
        expect(cacheFiles()).not.toContain(`${call.containerId}-net1`);
        expect(leases(t, call.containerId, NET)).toEqual([]);
        expect(t.lab.settleDriverWrites()).toEqual([]); // refused before any rebind
      }
    } finally {
      reclaim(t, netns, vf(1).netdev!);
    }
  });

  it('rejects an all-zero or all-F current GUID with the reference message, changing nothing', async () => {
    const netns = t.lab.createPodNetns('zero');
    const original = readFileSync(addressFile(2), 'utf8');
    try {
      for (const guid of ['00:00:00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff:ff:ff']) {
        writeFileSync(addressFile(2), `${original.trim().split(':').slice(0, 12).join(':')}:${guid}\n`);
        const add = await runPlugin(t, {
          command: 'ADD',
          containerId: randomId(),
          netns,
          ifName: 'net1',
          conf: conf(2),
        });
        expect(add.json).toMatchObject({
          code: 999,
          msg: `infiniBand SRI-OV CNI failed to configure VF "VF ${vf(2).netdev} GUID is not valid"`,
        });
        expect(linkIn(vf(2).netdev!)?.ifname).toBe(vf(2).netdev);
      }
    } finally {
      writeFileSync(addressFile(2), original);
      reclaim(t, netns, vf(2).netdev!);
    }
  });

  it('rdmaIsolation needs RDMA netlink: the kernel answer is reported before the deviceID check', async () => {
    const netns = t.lab.createPodNetns('rdma');
    try {
      for (const c of [conf(3, { rdmaIsolation: true }), { ...conf(3, { rdmaIsolation: true }), deviceID: '' }]) {
        const add = await runPlugin(t, { command: 'ADD', containerId: randomId(), netns, ifName: 'net1', conf: c });
        expect(add.json).toMatchObject({
          code: 999,
          msg: 'failed to get RDMA subsystem namespace awareness mode. openNetlink: socket: Protocol not supported',
        });
      }
      const status = await runPlugin(t, { command: 'STATUS', conf: conf(3, { rdmaIsolation: true }, '1.1.0') });
      expect(status.json).toMatchObject({ code: 50, msg: expect.stringContaining('namespace awareness mode') });
      const plain = await runPlugin(t, { command: 'STATUS', conf: conf(3, {}, '1.1.0') });
      expect(plain.status, plain.stdout).toBe(0);
      expect(linkIn(vf(3).netdev!)?.ifname).toBe(vf(3).netdev);
    } finally {
      t.lab.deletePodNetns(netns);
    }
  });

  it('netconf errors in the reference order and wording', async () => {
    const netns = t.lab.createPodNetns('bad');
    const cases: [Record<string, unknown>, string][] = [
      [{ link_state: 'up' }, 'infiniBand SRI-OV CNI failed to load netconf: invalid link_state value: up'],
      [
        { ibKubernetesEnabled: true },
        'infiniBand SRIOV-CNI failed, InfiniBand status "mellanox.infiniband.app" is not "configured" please check mellanox ib-kubernetes',
      ],
      [
        { ibKubernetesEnabled: true, args: { cni: { 'mellanox.infiniband.app': 'configured' } } },
        'infiniband SRIOV-CNI failed, Unexpected error. GUID must be provided by ib-kubernetes',
      ],
      [{ deviceID: '' }, 'deviceID is required'],
      [
        { runtimeConfig: { infinibandGUID: '00:00:00:00:00:00:00:00' } },
        'infiniBand SRI-OV CNI failed to configure VF "invalid guid 00:00:00:00:00:00:00:00"',
      ],
      [{ ipam: { type: 'dhcp' } }, 'ipam type dhcp is not supported'],
      [{ deviceID: t.lab.pfs[0]!.address }, `PF device ${t.lab.pfs[0]!.address} requires vfioPciMode to be enabled`],
      [{ vfioPciMode: true }, `vfioPciMode is enabled but device ${vf(4).address} is not bound to vfio-pci driver`],
    ];
    try {
      for (const [extra, message] of cases) {
        const add = await runPlugin(t, {
          command: 'ADD',
          containerId: randomId(),
          netns,
          ifName: 'net1',
          conf: conf(4, extra),
        });
        expect(add.json, JSON.stringify(extra)).toMatchObject({ code: 999, msg: message });
        expect(linkIn(vf(4).netdev!)?.ifname).toBe(vf(4).netdev);
      }
      const nsGone = await runPlugin(t, {
        command: 'ADD',
        containerId: randomId(),
        netns: '/var/run/netns/does-not-exist',
        ifName: 'net1',
        conf: conf(4),
      });
      expect(nsGone.json).toMatchObject({ msg: 'failed to open netns "/var/run/netns/does-not-exist"' });
      expect(cacheFiles()).toEqual([]);
    } finally {
      t.lab.deletePodNetns(netns);
    }
  });

  it('an IPAM failure after the move puts the netdev back under its host name', async () => {
    const netns = t.lab.createPodNetns('ipamf');
    const call = { containerId: randomId(), netns, ifName: 'net1' };
    try {
      const add = await runPlugin(t, { command: 'ADD', ...call, conf: conf(5, { ipam: { type: 'host-local' } }) });
      expect(add.json).toMatchObject({
        code: 999,
        msg: expect.stringContaining('failed to set up IPAM plugin type "host-local" from the device'),
      });
      expect(linkIn(vf(5).netdev!)?.ifname).toBe(vf(5).netdev);
      expect(linkIn('net1', netns)).toBeUndefined();
      expect(cacheFiles()).toEqual([]);
    } finally {
      reclaim(t, netns, vf(5).netdev!);
    }
  });

  it('a pod name already taken: the kernel moves, refuses the rename (EEXIST), and the undo finds it', async () => {
    const netns = t.lab.createPodNetns('eexist');
    try {
      const first = { containerId: randomId(), netns, ifName: 'net1' };
      expect((await runPlugin(t, { command: 'ADD', ...first, conf: conf(6) })).status).toBe(0);
      const second = await runPlugin(t, { command: 'ADD', ...first, containerId: randomId(), conf: conf(7) });
      expect(second.json).toMatchObject({
        code: 999,
        msg: expect.stringContaining('failed to set up pod interface "net1"'),
      });
      expect(linkIn(vf(7).netdev!)?.ifname).toBe(vf(7).netdev);
      expect((await runPlugin(t, { command: 'DEL', ...first, conf: conf(6) })).status).toBe(0);
      expect(linkIn(vf(6).netdev!)?.ifname).toBe(vf(6).netdev);
    } finally {
      reclaim(t, netns, vf(6).netdev!);
    }
  });

  it('DEL succeeds without cache, without netns, after the netns is gone (releasing IPAM), and for a gone VF', async () => {
    const hostName = vf(8).netdev!;
    const netns = t.lab.createPodNetns('gone');
    const call = { containerId: randomId(), netns, ifName: 'net1' };
    const c = conf(8, { ipam: hostLocal(t) });
    try {
      expect((await runPlugin(t, { command: 'DEL', ...call, conf: c })).status).toBe(0); // no cache
      expect((await runPlugin(t, { command: 'ADD', ...call, conf: c })).status).toBe(0);
      expect(leases(t, call.containerId, NET)).toHaveLength(1);
      expect((await runPlugin(t, { command: 'DEL', ...call, netns: '', conf: c })).status).toBe(0); // no netns
      expect(cacheFiles()).toContain(`${call.containerId}-net1`); // Go: kept
      // The netns dies (node reboot). The kernel returns a real VF netdev to the host (a macvlan would be deleted
      // with the netns, so the return is done by hand here), and the plugin only forgets the attachment.
      execFileSync('ip', ['-n', basename(netns), 'link', 'set', 'net1', 'netns', '1', 'name', hostName]);
      t.lab.deletePodNetns(netns);
      const del = await runPlugin(t, { command: 'DEL', ...call, conf: c });
      expect(del.status, del.stdout).toBe(0);
      expect(cacheFiles()).not.toContain(`${call.containerId}-net1`);
      expect(leases(t, call.containerId, NET)).toEqual([]);
    } finally {
      reclaim(t, netns, hostName);
    }
    // A cache naming a VF that no longer exists.
    const ghost = { containerId: randomId(), netns: t.lab.createPodNetns('ghost'), ifName: 'net1' };
    try {
      const cache = {
        cniVersion: '1.0.0',
        name: NET,
        type: 'ib-sriov',
        ipam: {},
        Master: 'ib9',
        deviceID: '0000:99:00.1',
        VFID: 1,
        HostIFNames: 'ib9v1',
        HostIFGUID: '11:22:33:44:55:66:77:88',
        ContIFNames: 'net1',
      };
      writeFileSync(join(t.stateDir, `${ghost.containerId}-net1`), JSON.stringify(cache), { mode: 0o600 });
      expect((await runPlugin(t, { command: 'DEL', ...ghost, conf: conf(8) })).status).toBe(0);
      expect(cacheFiles()).not.toContain(`${ghost.containerId}-net1`);
    } finally {
      t.lab.deletePodNetns(ghost.netns);
    }
  });

  it('DEL releases an attachment the Go plugin made (Go-written cache, Go key names)', async () => {
    const hostName = vf(9).netdev!;
    const netns = t.lab.createPodNetns('gocache');
    const containerId = randomId();
    try {
      // What Go's ADD leaves: the VF in the pod as net1, and its cache file.
      execFileSync('ip', ['link', 'set', hostName, 'netns', basename(netns), 'name', 'net1']);
      const goCache = `{"cniVersion":"1.0.0","name":"${NET}","type":"ib-sriov","ipam":{},"Master":"${t.lab.pfs[0]!.netdev}","deviceID":"${vf(9).address}","VFID":9,"HostIFNames":"${hostName}","HostIFGUID":"","ContIFNames":"net1","pkey":"0x5","RdmaNetState":{"version":"","deviceID":"","sandboxRdmaDevName":"","containerRdmaDevName":""},"runtimeConfig":{"infinibandGUID":""},"args":{"cni":{"pkey":"0x5"}}}`;
      writeFileSync(join(t.stateDir, `${containerId}-net1`), goCache, { mode: 0o600 });
      const del = await runPlugin(t, { command: 'DEL', containerId, netns, ifName: 'net1', conf: conf(9) });
      expect(del.status, del.stdout).toBe(0);
      expect(linkIn(hostName)?.ifname).toBe(hostName);
      expect(cacheFiles()).not.toContain(`${containerId}-net1`);
    } finally {
      reclaim(t, netns, hostName);
    }
  });

  it('VFIO VF: no netdev, no IPAM; the cache is written and DEL removes it; VFIO PF likewise', async () => {
    const netns = t.lab.createPodNetns('vfio');
    const call = { containerId: randomId(), netns, ifName: 'net1' };
    try {
      const add = await runPlugin(t, { command: 'ADD', ...call, conf: conf(VFIO_VF, { ipam: hostLocal(t) }) });
      expect(add.status, add.stdout).toBe(0);
      expect(add.json).toEqual({ cniVersion: '1.0.0', interfaces: [{ name: 'net1', sandbox: netns }] });
      const cache = JSON.parse(readFileSync(join(t.stateDir, `${call.containerId}-net1`), 'utf8'));
      expect(cache).toMatchObject({ vfioPciMode: true, HostIFGUID: '', ipam: { type: 'host-local' } });
      expect(leases(t, call.containerId, NET)).toEqual([]);
      expect((await runPlugin(t, { command: 'DEL', ...call, conf: conf(VFIO_VF) })).status).toBe(0);
      expect(cacheFiles()).toEqual([]);

      const pf = t.lab.pfs[0]!;
      t.lab.bindDevice(pf.address, 'vfio-pci');
      try {
        const pfCall = { ...call, containerId: randomId() };
        const pfAdd = await runPlugin(t, { command: 'ADD', ...pfCall, conf: { ...conf(0), deviceID: pf.address } });
        expect(pfAdd.status, pfAdd.stdout).toBe(0);
        expect(cacheFiles()).toEqual([`${pfCall.containerId}-net1`]);
        expect((await runPlugin(t, { command: 'DEL', ...pfCall, conf: conf(0) })).status).toBe(0);
        expect(cacheFiles()).toEqual([]);
      } finally {
        t.lab.bindDevice(pf.address, pf.driver);
      }
    } finally {
      t.lab.deletePodNetns(netns);
    }
  });

  it('GC releases the attachments the runtime no longer lists; CHECK reports a missing interface', async () => {
    const netns = t.lab.createPodNetns('gc');
    const keep = { containerId: randomId(), netns, ifName: 'net1' };
    const drop = { containerId: randomId(), netns, ifName: 'net2' };
    try {
      expect((await runPlugin(t, { command: 'ADD', ...keep, conf: conf(0, { ipam: hostLocal(t) }) })).status).toBe(0);
      const added = await runPlugin(t, { command: 'ADD', ...drop, conf: conf(1, { ipam: hostLocal(t) }) });
      expect(added.status, added.stdout).toBe(0);
      // No ipam in the GC config: Debian's host-local (1.1.1) does not speak 1.1.0, where GC exists.
      const gcConf = {
        ...conf(0, {}, '1.1.0'),
        'cni.dev/valid-attachments': [{ containerID: keep.containerId, ifname: 'net1' }],
      };
      const gc = await runPlugin(t, { command: 'GC', conf: gcConf });
      expect(gc.status, gc.stdout + gc.stderr).toBe(0);
      expect(linkIn('net2', netns)).toBeUndefined();
      expect(linkIn(vf(1).netdev!)?.ifname).toBe(vf(1).netdev);
      expect(linkIn('net1', netns)).toBeDefined();
      expect(cacheFiles()).toEqual([`${keep.containerId}-net1`]);

      const check = await runPlugin(t, {
        command: 'CHECK',
        ...drop,
        conf: { ...conf(1), prevResult: added.json },
      });
      expect(check.json).toMatchObject({ code: 100 });
      expect((await runPlugin(t, { command: 'DEL', ...keep, conf: conf(0, { ipam: hostLocal(t) }) })).status).toBe(0);
    } finally {
      reclaim(t, netns, vf(0).netdev!);
      reclaim(t, netns, vf(1).netdev!, 'net2');
    }
  });

  it('CHECK finds a lost address and a lost interface; below 0.4.0 it is refused by the skeleton', async () => {
    const netns = t.lab.createPodNetns('check');
    const call = { containerId: randomId(), netns, ifName: 'net1' };
    const c = conf(3, { ipam: hostLocal(t) });
    try {
      const add = await runPlugin(t, { command: 'ADD', ...call, conf: c });
      expect(add.status, add.stdout).toBe(0);
      const withPrev = { ...c, prevResult: add.json };
      expect((await runPlugin(t, { command: 'CHECK', ...call, conf: withPrev })).status).toBe(0);
      expect((await runPlugin(t, { command: 'CHECK', ...call, conf: c })).json).toMatchObject({
        code: 999,
        msg: 'Required prevResult missing',
      });
      const old = await runPlugin(t, { command: 'CHECK', ...call, conf: { ...withPrev, cniVersion: '0.3.1' } });
      expect(old.json).toMatchObject({ code: 1 });
      execFileSync('ip', ['-n', basename(netns), 'addr', 'flush', 'dev', 'net1']);
      const lost = await runPlugin(t, { command: 'CHECK', ...call, conf: withPrev });
      expect(lost.json).toMatchObject({
        code: 103,
        msg: expect.stringMatching(/^Failed to match addr 10\.241\.[0-9.]+\/16 on interface net1$/),
      });
      execFileSync('ip', ['-n', basename(netns), 'link', 'set', 'net1', 'name', 'net9']);
      const gone = await runPlugin(t, { command: 'CHECK', ...call, conf: withPrev });
      expect(gone.json).toMatchObject({ code: 101 });
      execFileSync('ip', ['-n', basename(netns), 'link', 'set', 'net9', 'name', 'net1']);
      expect((await runPlugin(t, { command: 'DEL', ...call, conf: c })).status).toBe(0);
      expect(linkIn(vf(3).netdev!)?.ifname).toBe(vf(3).netdev);
    } finally {
      reclaim(t, netns, vf(3).netdev!);
    }
  });

  it("ADD waits for the global flock on the Go plugin's lock file before it changes anything", async () => {
    const held = await acquireExclusiveLock('/var/run/cni/ib-sriov/cni.lock', { timeoutMs: 30_000 });
    const netns = t.lab.createPodNetns('lock');
    const call = { containerId: randomId(), netns, ifName: 'net1' };
    try {
      let finished = false;
      const add = runPlugin(t, { command: 'ADD', ...call, conf: conf(0) }).finally(() => {
        finished = true;
      });
      try {
        await new Promise((r) => setTimeout(r, 1500)); // ample for an unblocked ADD (~0.2 s here)
        expect(finished).toBe(false);
        expect(linkIn(vf(0).netdev!)?.ifname).toBe(vf(0).netdev);
      } finally {
        held.release();
      }
      const r = await add;
      expect(r.status, r.stdout).toBe(0);
      expect(linkIn('net1', netns)).toBeDefined();
      expect((await runPlugin(t, { command: 'DEL', ...call, conf: conf(0) })).status).toBe(0);
    } finally {
      held.release();
      reclaim(t, netns, vf(0).netdev!);
    }
  });

  it('parallel ADDs and DELs on different VFs serialise on the global lock and all succeed', async () => {
    const pods = [0, 1, 2, 3, 4, 5].map((i) => ({
      i,
      containerId: randomId(),
      netns: t.lab.createPodNetns(`p${i}`),
      ifName: 'net1',
    }));
    try {
      const adds = await Promise.all(
        pods.map((p) => runPlugin(t, { command: 'ADD', ...p, conf: conf(p.i, { ipam: hostLocal(t) }) })),
      );
      for (const a of adds) expect(a.status, a.stdout + a.stderr).toBe(0);
      const ips = adds.map((a) => (a.json?.ips as { address: string }[] | undefined)?.[0]?.address);
      expect(new Set(ips).size).toBe(pods.length);
      const dels = await Promise.all(
        pods.map((p) => runPlugin(t, { command: 'DEL', ...p, conf: conf(p.i, { ipam: hostLocal(t) }) })),
      );
      for (const d of dels) expect(d.status, d.stdout).toBe(0);
      for (const p of pods) expect(linkIn(vf(p.i).netdev!)?.ifname).toBe(vf(p.i).netdev);
    } finally {
      for (const p of pods) reclaim(t, p.netns, vf(p.i).netdev!);
    }
  });

  it('fuzzed netconfs: one well-formed CNI error (or success), never a crash, nothing left behind', async () => {
    const netns = t.lab.createPodNetns('fuzz');
    try {
      const value = fc.oneof(
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.constant('02:00:00:00:00:00:00:01'),
      );
      const netconf = fc.record(
        {
          cniVersion: fc.constantFrom('1.0.0', '0.4.0', 7, ''),
          name: fc.constantFrom(NET, '', '-x'),
          deviceID: fc.oneof(fc.constant(vf(10).address), fc.string(), fc.constant('../../etc')),
          link_state: value,
          rdmaIsolation: value,
          guid: value,
          runtimeConfig: fc.record({ infinibandGUID: value }),
          args: fc.record({ cni: fc.dictionary(fc.string({ maxLength: 5 }), value, { maxKeys: 2 }) }),
          ipam: fc.oneof(fc.constant({ type: 'dhcp' }), value),
        },
        { requiredKeys: ['name'] },
      );
      await fc.assert(
        fc.asyncProperty(netconf, async (c) => {
          const containerId = randomId();
          const input = { type: 'ib-sriov', ...c };
          const r = await runPlugin(t, { command: 'ADD', containerId, netns, ifName: 'net1', conf: input });
          if (r.status === 0) {
            const del = await runPlugin(t, { command: 'DEL', containerId, netns, ifName: 'net1', conf: input });
            expect(del.status).toBe(0);
            return;
          }
          expect(r.status).toBe(1);
          expect(r.json).toMatchObject({ code: expect.any(Number), msg: expect.any(String) });
          expect(r.stderr).not.toMatch(/at .*\.mjs:\d+/); // no stack trace on a user error
          expect(linkIn(vf(10).netdev!)?.ifname).toBe(vf(10).netdev);
        }),
        { numRuns: 25 },
      );
    } finally {
      reclaim(t, netns, vf(10).netdev!);
    }
  });
});
