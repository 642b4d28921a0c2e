// In-process runs of the plugin's own handlers (the skeleton's dispatch) against the real kernel and the lab,
// with one seam: a recording PF at the netlink-ops transport so PF-side knobs succeed as on real hardware, and one
// object of the node wrapped so that one chosen step fails (test-support's failingMethod). Asserts the exact PF-side
// netlink bytes and that every failure leaves the node as it was: VF in the host with its name/MAC/MTU, PF knobs
// restored, no lease, no state, no lock.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispatch, VfStateDir } from '@sriov-ts/cni';
import { createLab, type Lab } from '@sriov-ts/lab';
import { executable, failingMethod, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HandlerOptions, sriovHandlers } from '../src/handlers.js';
import { type Node, nodeOf } from '../src/node.js';
import { linkIn, randomId, reclaim } from './harness.js';
import { type RecordingPf, recordingPf } from './recording-pf.js';

const reason = missingPrerequisites('sriov-cni undo matrix', [
  isRoot(),
  executable('ip'),
  executable('/usr/lib/cni/host-local'),
]);

/**
 * Every ADD step after the PF knobs, failing once (getLink@pod: the first lookup inside the pod netns; setMac: every
 * attempt, since the MAC is retried). Everything else — including the undo — is real.
 */
const FAILURES: Record<string, (n: Node) => Node> = {
  writePending: (n) => ({
    ...n,
    state: failingMethod(n.state, 'write', { when: (k) => k === 'pending', label: 'writePending' }),
  }),
  moveIntoNetns: (n) => ({ ...n, netdev: failingMethod(n.netdev, 'moveIntoNetns') }),
  'getLink@pod': (n) => ({
    ...n,
    netdev: failingMethod(n.netdev, 'getLink', {
      when: (netns, name) => netns !== undefined && name === 'net1',
      label: 'getLink@pod',
    }),
  }),
  setMac: (n) => ({ ...n, netdev: failingMethod(n.netdev, 'setMac', { always: true }) }),
  ipamAdd: (n) => ({ ...n, ipam: failingMethod(n.ipam, 'add', { label: 'ipamAdd' }) }),
  configureIp: (n) => ({ ...n, ipam: failingMethod(n.ipam, 'configure', { label: 'configureIp' }) }),
  promoteCache: (n) => ({ ...n, state: failingMethod(n.state, 'promote', { label: 'promoteCache' }) }),
  writeAllocation: (n) => ({ ...n, state: failingMethod(n.state, 'writeAllocation') }),
};

describe.skipIf(reason !== null)('ADD failures leave nothing behind (in-process, real kernel, recording PF)', () => {
  let lab: Lab;
  let dir: string;
  let stateDir: string;
  let ipamDir: string;
  let pf: RecordingPf;

  beforeAll(async () => {
    lab = await createLab({ pfs: [{ vfs: 2 }] });
    dir = mkdtempSync(join(tmpdir(), 'sriov-undo-'));
    stateDir = join(dir, 'state');
    ipamDir = join(dir, 'ipam');
  }, 60_000);
  beforeEach(() => {
    stateDir = join(dir, `state-${randomId()}`); // each case starts from an empty state dir
  });
  afterAll(async () => {
    await lab?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const vf = () => lab.vf(0, 1);
  const knobs = {
    vlan: 100,
    vlanQoS: 3,
    mac: '02:AA:BB:CC:DD:EE',
    min_tx_rate: 10,
    max_tx_rate: 100,
    spoofchk: 'off',
    trust: 'on',
    link_state: 'enable',
  };
  const conf = (extra: Record<string, unknown> = {}) => ({
    cniVersion: '1.0.0',
    name: 'undonet',
    type: 'sriov',
    deviceID: vf().address,
    ipam: { type: 'host-local', dataDir: ipamDir, ranges: [[{ subnet: '10.253.0.0/24' }]] },
    ...extra,
  });

  async function run(command: string, env: Record<string, string>, stdin: unknown, options: HandlerOptions) {
    let out = '';
    const code = await dispatch(
      {
        env: { PATH: process.env.PATH, CNI_COMMAND: command, CNI_PATH: '/usr/lib/cni', CNI_ARGS: '', ...env },
        stdin: JSON.stringify(stdin),
        stdout: (t) => {
          out += t;
        },
        stderr: () => undefined,
      },
      sriovHandlers(options),
      { cniName: 'sriov-cni' },
    );
    return { code, json: out ? (JSON.parse(out) as Record<string, unknown>) : undefined };
  }

  const options = (failAt?: string): HandlerOptions => ({
    node: { sysRoot: lab.root, stateDir, transport: pf.transport },
    makeNode: (o) => (failAt ? FAILURES[failAt]!(nodeOf(o)) : nodeOf(o)),
  });

  function snapshot() {
    const l = linkIn(vf().netdev!) as { ifname: string; address: string; mtu: number } | undefined;
    return { link: l && { name: l.ifname, mac: l.address, mtu: l.mtu }, pf: structuredClone(pf.vfs) };
  }

  function assertClean(before: ReturnType<typeof snapshot>, netns: string, containerId: string) {
    expect(snapshot()).toEqual(before);
    expect(linkIn('net1', netns)).toBeUndefined();
    const leaseDir = join(ipamDir, 'undonet');
    const leases = existsSync(leaseDir) ? readdirSync(leaseDir).filter((f) => /^\d/.test(f)) : [];
    expect(leases.filter((f) => readFileSync(join(leaseDir, f), 'utf8').startsWith(containerId))).toEqual([]);
    expect(existsSync(stateDir) ? readdirSync(stateDir).filter((f) => !['pci', 'pending'].includes(f)) : []).toEqual(
      [],
    );
    expect(existsSync(join(stateDir, 'pending')) ? readdirSync(join(stateDir, 'pending')) : []).toEqual([]);
    expect(existsSync(join(stateDir, 'pci', vf().address))).toBe(false);
  }

  it('sends the exact PF-side netlink requests, in the Go order, and DEL restores every knob', async () => {
    pf = recordingPf(lab.pfs[0]!.netdev, 2);
    const before = snapshot();
    const netns = lab.createPodNetns('knobs');
    const env = { CNI_CONTAINERID: randomId(), CNI_NETNS: netns, CNI_IFNAME: 'net1' };
    try {
      const add = await run('ADD', env, conf(knobs), options());
      expect(add.code, JSON.stringify(add.json)).toBe(0);
      expect(pf.vfs[1]).toMatchObject({
        vlan: 100,
        qos: 3,
        mac: '02:aa:bb:cc:dd:ee',
        minTxRate: 10,
        maxTxRate: 100,
        spoofchk: false,
        trust: true,
        linkState: 'enable',
      });
      // IFLA_VFINFO_LIST(22) > IFLA_VF_INFO(1) > attribute, little-endian u32 fields, vf = 1 (kernel uapi layouts).
      expect(pf.vfRequests()).toEqual([
        // VLAN_LIST(12) > VLAN_INFO(1): {vf 1, vlan 100, qos 3, __be16 0x8100, pad}
        '20001600' + '1c000100' + '18000c00' + '14000100' + '01000000' + '64000000' + '03000000' + '81000000',
        // MAC(1): {vf 1, mac[32]}
        `300016002c000100280001000100000002aabbccddee${'00'.repeat(26)}`,
        // RATE(6): {vf 1, min 10, max 100}
        '18001600' + '14000100' + '10000600' + '01000000' + '0a000000' + '64000000',
        // SPOOFCHK(4): {vf 1, 0}
        '14001600' + '10000100' + '0c000400' + '01000000' + '00000000',
        // TRUST(9): {vf 1, 1}
        '14001600' + '10000100' + '0c000900' + '01000000' + '01000000',
        // LINK_STATE(5): {vf 1, enable = 1}
        '14001600' + '10000100' + '0c000500' + '01000000' + '01000000',
      ]);
      pf.transport.clear();
      const del = await run('DEL', env, conf(knobs), options());
      expect(del.code, JSON.stringify(del.json)).toBe(0);
      // DEL order: VLAN, spoofchk, admin MAC, trust, rates, link state — each back to the original value.
      expect(pf.vfRequests().map((h) => Number.parseInt(h.slice(20, 22), 16))).toEqual([12, 4, 1, 9, 6, 5]);
      expect(snapshot()).toEqual(before);
    } finally {
      reclaim({ lab }, netns, vf().netdev!);
    }
  });

  it('falls back to the plain 802.1Q VLAN when the driver rejects the protocol form', async () => {
    pf = recordingPf(lab.pfs[0]!.netdev, 2);
    pf.refuse('VLAN_LIST', 95);
    const netns = lab.createPodNetns('vlanfb');
    const env = { CNI_CONTAINERID: randomId(), CNI_NETNS: netns, CNI_IFNAME: 'net1' };
    try {
      const add = await run('ADD', env, conf({ vlan: 42 }), options());
      expect(add.code, JSON.stringify(add.json)).toBe(0);
      expect(pf.vfs[1]).toMatchObject({ vlan: 42, qos: 0 });
      // The refused VLAN_LIST request, then IFLA_VF_VLAN(2) {vf 1, vlan 42, qos 0}.
      expect(pf.vfRequests()[1]).toBe('18001600' + '14000100' + '10000200' + '01000000' + '2a000000' + '00000000');
      expect((await run('DEL', env, conf({ vlan: 42 }), options())).code).toBe(0);
      expect(pf.vfs[1]).toMatchObject({ vlan: 0 });
    } finally {
      reclaim({ lab }, netns, vf().netdev!);
    }
  });

  it('DEL: a knob the PF refuses to restore is reported once; the VF is still released and the retry succeeds', async () => {
    pf = recordingPf(lab.pfs[0]!.netdev, 2);
    const before = snapshot();
    const netns = lab.createPodNetns('delref');
    const env = { CNI_CONTAINERID: randomId(), CNI_NETNS: netns, CNI_IFNAME: 'net1' };
    try {
      expect((await run('ADD', env, conf({ trust: 'on', vlan: 7 }), options())).code).toBe(0);
      pf.failNext('TRUST', 22);
      const del = await run('DEL', env, conf({ trust: 'on', vlan: 7 }), options());
      expect(del.code).toBe(1);
      expect(del.json?.msg).toBe(
        'cmdDel() error reseting VF: "failed to set vf 1 trust flag to off: invalid argument"',
      );
      expect(snapshot().link).toEqual(before.link);
      expect(pf.vfs[1]).toMatchObject({ vlan: 0, trust: true }); // VLAN restored, trust left as the PF refused
      expect((await run('DEL', env, conf({ trust: 'on', vlan: 7 }), options())).code).toBe(0);
    } finally {
      reclaim({ lab }, netns, vf().netdev!);
    }
  });

  const knobSteps = ['VLAN_LIST', 'MAC', 'RATE', 'SPOOFCHK', 'TRUST', 'LINK_STATE'] as const;
  for (const attr of knobSteps) {
    it(`a PF refusing ${attr} halfway through the knobs: all earlier knobs restored`, async () => {
      pf = recordingPf(lab.pfs[0]!.netdev, 2);
      const before = snapshot();
      pf.refuse(attr, 22);
      if (attr === 'VLAN_LIST') pf.refuse('VLAN', 22); // else the 802.1Q fallback succeeds
      const netns = lab.createPodNetns(`k${attr.slice(0, 4).toLowerCase()}`);
      const containerId = randomId();
      try {
        const add = await run(
          'ADD',
          { CNI_CONTAINERID: containerId, CNI_NETNS: netns, CNI_IFNAME: 'net1' },
          conf(knobs),
          options(),
        );
        expect(add.code).toBe(1);
        expect(add.json?.msg).toMatch(/^SRIOV-CNI failed to configure VF "failed to set .*invalid argument"$/);
        assertClean(before, netns, containerId);
      } finally {
        reclaim({ lab }, netns, vf().netdev!);
      }
    });
  }

  const opSteps = Object.keys(FAILURES);
  for (const step of opSteps) {
    it(`a failure in ${step} unwinds every step before it`, async () => {
      pf = recordingPf(lab.pfs[0]!.netdev, 2);
      const before = snapshot();
      const netns = lab.createPodNetns(`s${opSteps.indexOf(step)}`);
      const containerId = randomId();
      try {
        const add = await run(
          'ADD',
          { CNI_CONTAINERID: containerId, CNI_NETNS: netns, CNI_IFNAME: 'net1' },
          conf(knobs),
          options(step),
        );
        expect(add.code).toBe(1);
        expect(add.json?.msg).toContain(`injected failure in ${step}`);
        assertClean(before, netns, containerId);
        // The lock is free: taking it does not wait.
        const release = await new VfStateDir(stateDir).lock(vf().address, 'vf_lock', 0);
        release();
      } finally {
        reclaim({ lab }, netns, vf().netdev!);
      }
    });
  }
});
