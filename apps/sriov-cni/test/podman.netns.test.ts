// A real CNI client: podman 4 with its CNI backend and runc (lab-notes §4) runs a busybox container on a network
// whose conflist uses `sriov`, inside the lab's fake-sys mount namespace so the plugin finds the lab's VFs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executable, isRoot, missingPrerequisites, podmanCniSandbox } from '@sriov-ts/test-support';
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
    const lab = join(t.stateRoot, 'podman-lab');
    const podman = await podmanCniSandbox(t.lab, lab, { sriov: BUNDLE });
    rootfs = podman.rootfs;
    env = podman.env;
    writeFileSync(
      join(podman.netd, `${network()}.conflist`),
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
