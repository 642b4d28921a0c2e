// Hardware lab: the plugins against a real SR-IOV PF named by SRIOV_E2E_PF (its netdev, e.g. ens1f0). Creates VFs
// when the PF has fewer than two, runs the real sriovdp (host /sys) with a kubelet stand-in, the real sriov CNI on
// the allocated VF with every PF-side knob set, reads the knobs back from the PF with netlink (IFLA_VFINFO_LIST),
// DELs and checks they are restored, then restores the PF's VF count. Uses the host's /var/lib/cni/sriov (unique
// container IDs) and a private device-plugin folder, so it does not disturb a kubelet on the node.
//
// Skipped (with the reason printed) when SRIOV_E2E_PF is unset: CI has no SR-IOV hardware, so it skips there too.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetlinkOps, createNetns, deleteNetns } from '@sriov-ts/netlink-ops';
import { createSysfs } from '@sriov-ts/sysfs-pci';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceIdFromEnv, KubeletStandIn } from './lib/kubelet-standin.js';
import { type Executables, ensureExecutables } from './lib/paths.js';

const PF = process.env.SRIOV_E2E_PF;
let reason: string | null = null;
if (!PF) {
  reason = 'SRIOV_E2E_PF is not set (name a real SR-IOV PF netdev to run the hardware lab)';
  process.stderr.write(`SKIPPED e2e hardware suite: ${reason}. Not a CI prerequisite.\n`);
} else {
  reason = missingPrerequisites(`e2e hardware suite on ${PF}`, [isRoot(), executable('nsenter')]);
}

const RESOURCE = 'sriov-e2e.io/hw_vf';
const WANTED_VFS = 2;

describe.skipIf(reason !== null)(`hardware lab on ${PF}`, () => {
  const sysfs = createSysfs();
  const ops = createNetlinkOps();
  const tag = randomBytes(3).toString('hex');
  let pfAddress: string;
  let originalNumVfs = 0;
  let work: string;
  let kubelet: KubeletStandIn;
  let plugin: ChildProcess | null = null;
  let netns: string | null = null;
  let exe: Executables;

  const runCni = (command: string, containerId: string, conf: unknown) =>
    spawnSync(process.execPath, [exe.sriovCni], {
      input: JSON.stringify(conf),
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        CNI_COMMAND: command,
        CNI_CONTAINERID: containerId,
        CNI_NETNS: netns ?? '',
        CNI_IFNAME: 'net1',
        CNI_PATH: '/usr/lib/cni:/opt/cni/bin',
      },
    });

  beforeAll(async () => {
    exe = ensureExecutables(['sriovCni', 'sriovdp']);
    const address = sysfs.netdevPciAddress(PF!);
    if (!address || !sysfs.isSriovPf(address)) throw new Error(`${PF} is not the netdev of an SR-IOV capable PF`);
    pfAddress = address;
    originalNumVfs = sysfs.sriovNumVfs(pfAddress) ?? 0;
    if (originalNumVfs < WANTED_VFS) {
      if (originalNumVfs > 0) sysfs.setSriovNumVfs(pfAddress, 0);
      sysfs.setSriovNumVfs(pfAddress, WANTED_VFS);
      // The driver creates the VF netdevs asynchronously.
      const deadline = Date.now() + 30_000;
      while (sysfs.vfs(pfAddress).some((v) => sysfs.netdevs(v.address).length === 0)) {
        if (Date.now() > deadline) throw new Error(`VF netdevs of ${PF} did not appear within 30 s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    work = mkdtempSync(join(tmpdir(), `sriov-e2e-hw-${tag}-`));
    mkdirSync(join(work, 'dp'));
    kubelet = new KubeletStandIn(join(work, 'dp'));
    await kubelet.start();
    writeFileSync(
      join(work, 'config.json'),
      JSON.stringify({
        resourceList: [{ resourceName: 'hw_vf', resourcePrefix: 'sriov-e2e.io', selectors: [{ pfNames: [PF] }] }],
      }),
    );
    plugin = spawn(
      process.execPath,
      [
        exe.sriovdp,
        `--config-file=${join(work, 'config.json')}`,
        `--device-plugin-path=${join(work, 'dp')}/`,
        `--plugins-registry-path=${join(work, 'no-registry')}/`,
        `--device-info-path=${join(work, 'devinfo')}`,
      ],
      { stdio: 'ignore' },
    );
    await kubelet.waitFor(
      () => (kubelet.endpoints.get(RESOURCE)?.devices.length ?? 0) > 0,
      `${RESOURCE} listed`,
      60_000,
    );
  }, 120_000);

  afterAll(async () => {
    if (netns) deleteNetns(netns);
    plugin?.kill('SIGTERM');
    await kubelet?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    if (pfAddress && (sysfs.sriovNumVfs(pfAddress) ?? 0) !== originalNumVfs) {
      sysfs.setSriovNumVfs(pfAddress, 0);
      if (originalNumVfs > 0) sysfs.setSriovNumVfs(pfAddress, originalNumVfs);
    }
  }, 60_000);

  it('sriovdp lists the VFs of the PF (healthy) and Allocate hands one out', async () => {
    const devices = kubelet.endpoints.get(RESOURCE)!.devices;
    expect(devices.map((d) => d.id).sort()).toEqual(
      sysfs
        .vfs(pfAddress)
        .map((v) => v.address)
        .sort(),
    );
    expect(devices.every((d) => d.health === 'Healthy' || d.health === 'Unhealthy')).toBe(true);
  });

  it('the sriov CNI sets every PF-side knob (read back with netlink) and DEL restores them', async () => {
    const allocation = await kubelet.allocate(RESOURCE, 1);
    const deviceId = deviceIdFromEnv(allocation.response.envs, RESOURCE);
    const vfIndex = sysfs.vfIndex(deviceId)!;
    const vfState = () => ops.getLink(PF!, { vfInfo: true }).vfs?.find((v) => v.vf === vfIndex);
    const before = vfState();
    expect(before, `${PF} reports VF ${vfIndex} in IFLA_VFINFO_LIST`).toBeDefined();
    netns = createNetns(`sriove2e${tag}`);
    const containerId = `sriov-e2e-hw-${tag}`;
    const conf = {
      cniVersion: '1.0.0',
      name: 'sriov-e2e-hw',
      type: 'sriov',
      deviceID: deviceId,
      vlan: 100,
      vlanQoS: 2,
      spoofchk: 'off',
      trust: 'on',
      link_state: 'enable',
      mac: '02:5e:00:00:00:42',
    };
    const add = runCni('ADD', containerId, conf);
    expect(add.status, add.stdout + add.stderr).toBe(0);
    try {
      expect(vfState()).toMatchObject({
        vlan: 100,
        qos: 2,
        spoofchk: false,
        trust: true,
        linkState: 'enable',
        mac: '02:5e:00:00:00:42',
      });
      expect(ops.getLink('net1', { netns }).mac).toBe('02:5e:00:00:00:42');
    } finally {
      const del = runCni('DEL', containerId, { ...conf, prevResult: JSON.parse(add.stdout) });
      expect(del.status, del.stdout + del.stderr).toBe(0);
    }
    const after = vfState()!;
    expect({
      vlan: after.vlan,
      spoofchk: after.spoofchk,
      trust: after.trust,
      linkState: after.linkState,
      mac: after.mac,
    }).toEqual({
      vlan: before!.vlan,
      spoofchk: before!.spoofchk,
      trust: before!.trust,
      linkState: before!.linkState,
      mac: before!.mac,
    });
  }, 120_000);
});
