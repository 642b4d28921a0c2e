// A real CNI client: podman 4 with its CNI backend and runc (lab-notes §4) runs a busybox container on a network
// whose conflist uses `sriov`, inside the lab's fake-sys mount namespace so the plugin finds the lab's VFs.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE, ensureBuilt, linkIn, startLab, type TestLab } from './harness.js';

const reason = missingPrerequisites('sriov-cni under podman', [
  isRoot(),
  executable('podman'),
  executable('runc'),
  executable('/bin/busybox'),
  executable('/usr/lib/cni/host-local'),
]);

describe.skipIf(reason !== null)('podman (CNI backend, runc) with the sriov plugin', () => {
  let t: TestLab;
  let env: NodeJS.ProcessEnv;
  let rootfs: string;
  const network = () => `${t.lab.prefix}net`;

  beforeAll(async () => {
    await ensureBuilt();
    t = await startLab({ pfs: [{ vfs: 1 }] });
    // The lab's /dev is a read-only overlay; podman keeps its lock table in /dev/shm.
    const shm = await t.lab.spawnInFakeSys('mount', ['-t', 'tmpfs', '-o', 'mode=1777', 'tmpfs', '/dev/shm']);
    if (shm.status !== 0) throw new Error(`mount /dev/shm: ${shm.stderr}`);
    const lab = join(t.stateRoot, 'podman-lab');
    const cnibin = join(lab, 'cnibin');
    const netd = join(lab, 'netd');
    rootfs = join(lab, 'rootfs');
    for (const d of [
      cnibin,
      netd,
      join(rootfs, 'bin'),
      ...['proc', 'sys', 'dev', 'etc', 'tmp', 'run'].map((x) => join(rootfs, x)),
    ]) {
      mkdirSync(d, { recursive: true });
    }
    copyFileSync(BUNDLE, join(cnibin, 'sriov'));
    copyFileSync(join(BUNDLE, '..', 'netlink_ops.node'), join(cnibin, 'netlink_ops.node'));
    copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
    writeFileSync(
      join(lab, 'containers.conf'),
      [
        '[containers]',
        'default_ulimits = ["nofile=20000:20000", "nproc=1024:1024"]',
        '[engine]',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        `events_logfile_path = "${lab}/events.log"`,
        'runtime = "runc"',
        `tmp_dir = "${lab}/tmp"`,
        '[network]',
        'network_backend = "cni"',
        `network_config_dir = "${netd}"`,
        `cni_plugin_dirs = ["${cnibin}", "/usr/lib/cni"]`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(lab, 'storage.conf'),
      `[storage]\ndriver = "vfs"\ngraphroot = "${lab}/root"\nrunroot = "${lab}/runroot"\n`,
    );
    writeFileSync(
      join(netd, `${network()}.conflist`),
      JSON.stringify({
        cniVersion: '1.0.0',
        name: network(),
        plugins: [
          {
            type: 'sriov',
            deviceID: t.lab.vf(0, 0).address,
            ipam: {
              type: 'host-local',
              dataDir: join(lab, 'ipam'),
              ranges: [[{ subnet: '10.254.7.0/24', gateway: '10.254.7.1' }]],
            },
          },
        ],
      }),
    );
    env = {
      PATH: process.env.PATH,
      CONTAINERS_CONF: join(lab, 'containers.conf'),
      CONTAINERS_STORAGE_CONF: join(lab, 'storage.conf'),
    };
  }, 120_000);
  afterAll(async () => {
    await t?.destroy();
  });

  it('the container sees its VF with the IPAM address; stopping it returns the VF', async () => {
    const vf = t.lab.vf(0, 0);
    const before = linkIn(vf.netdev!) as { address: string; mtu: number };
    const r = await t.lab.spawnInFakeSys(
      'podman',
      ['run', '--rm', '--network', network(), '--rootfs', rootfs, '/bin/busybox', 'ip', 'addr', 'show', 'dev', 'eth0'],
      { env, timeoutMs: 120_000 },
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('inet 10.254.7.2/24');
    expect(r.stdout).toContain(`link/ether ${before.address}`);
    expect(linkIn(vf.netdev!)).toMatchObject({ ifname: vf.netdev, address: before.address, mtu: before.mtu });
  }, 180_000);
});
