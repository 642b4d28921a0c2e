// A real container runtime on the lab: podman 4 with its CNI backend and runc (lab-notes §4) runs busybox
// containers on sriov networks. The VFs come from the real sriovdp through the kubelet stand-in (deviceID from
// PCIDEVICE_*, as Multus passes it); podman runs the real sriov bundle inside the lab's fake-sys view. A detached
// container and a second one ping each other over their VFs; removing the containers returns the VFs to the host.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executable, isRoot, missingPrerequisites, podmanCniSandbox } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabStack } from './lib/stack.js';

const reason = missingPrerequisites('e2e podman on sriov networks', [
  isRoot(),
  executable('podman'),
  executable('runc'),
  executable('/bin/busybox'),
  executable('nsenter'),
  executable('ip'),
  executable('/usr/lib/cni/host-local'),
]);

function hostLink(name: string): { ifname: string; address: string } | undefined {
  try {
    return JSON.parse(execFileSync('ip', ['-j', 'link', 'show', 'dev', name], { encoding: 'utf8', stdio: 'pipe' }))[0];
  } catch {
    return undefined;
  }
}

describe.skipIf(reason !== null)('podman (CNI backend, runc, busybox) on sriov networks fed by sriovdp', () => {
  let stack: LabStack;
  let env: NodeJS.ProcessEnv;
  let rootfs: string;
  let podmanDir: string;
  const nets: { name: string; deviceId: string; address: string }[] = [];
  const podman = (args: string[], timeoutMs = 120_000) => stack.lab.spawnInFakeSys('podman', args, { env, timeoutMs });

  beforeAll(async () => {
    stack = await LabStack.create({ lab: { pfs: [{ model: 'intel-xxv710', vfs: 4 }] } });
    await stack.startDevicePlugin({
      resourceList: [{ resourceName: 'intel_sriov_netdevice', selectors: [{ drivers: ['iavf'] }] }],
    });
    podmanDir = join(stack.work, 'podman');
    const sandbox = await podmanCniSandbox(stack.lab, podmanDir, { sriov: stack.exe.sriovCni });
    const netd = sandbox.netd;
    rootfs = sandbox.rootfs;
    env = sandbox.env;
    // One network per container, each on the VF the device plugin allocated for it (Multus would inject it).
    for (const [i, who] of ['a', 'b'].entries()) {
      const { deviceId } = await stack.allocateDevice(`ctr-${who}`, 'intel_sriov_netdevice');
      const name = `${stack.lab.prefix}${who}`;
      const address = `10.254.9.${10 + i * 10}`;
      writeFileSync(
        join(netd, `${name}.conflist`),
        JSON.stringify({
          cniVersion: '1.0.0',
          name,
          plugins: [
            {
              type: 'sriov',
              deviceID: deviceId,
              ipam: {
                type: 'host-local',
                dataDir: join(podmanDir, 'ipam'),
                ranges: [[{ subnet: '10.254.9.0/24', rangeStart: address, rangeEnd: address }]],
              },
            },
          ],
        }),
      );
      nets.push({ name, deviceId, address });
    }
  }, 180_000);

  afterAll(async () => {
    if (env) await podman(['rm', '-f', '-a', '-t', '0']).catch(() => undefined);
    await stack?.destroy();
  });

  it('two containers get their allocated VFs and ping each other over them; removal returns the VFs', async () => {
    const [a, b] = nets as [(typeof nets)[0], (typeof nets)[0]];
    const vfA = stack.findVf(a.deviceId);
    const vfB = stack.findVf(b.deviceId);
    const started = await podman([
      'run',
      '-d',
      '--name',
      `${stack.lab.prefix}b`,
      '--network',
      b.name,
      '--rootfs',
      rootfs,
      '/bin/busybox',
      'sleep',
      '300',
    ]);
    expect(started.status, started.stdout + started.stderr).toBe(0);
    expect(hostLink(vfB.netdev!)).toBeUndefined();
    const ping = await podman([
      'run',
      '--rm',
      '--cap-add',
      'NET_RAW',
      '--network',
      a.name,
      '--rootfs',
      rootfs,
      '/bin/busybox',
      'sh',
      '-c',
      `ip addr show dev eth0 && ping -c 3 -W 2 ${b.address}`,
    ]);
    expect(ping.status, ping.stdout + ping.stderr).toBe(0);
    expect(ping.stdout).toContain(`inet ${a.address}/24`);
    expect(ping.stdout).toContain(`link/ether ${vfA.mac}`);
    expect(ping.stdout).toMatch(/3 packets transmitted, 3 (packets )?received/);
    // --rm: the CNI DEL ran and the VF is back in the host under its name, with its MAC.
    expect(hostLink(vfA.netdev!)).toMatchObject({ ifname: vfA.netdev, address: vfA.mac });
    const removed = await podman(['rm', '-f', '-t', '0', `${stack.lab.prefix}b`]);
    expect(removed.status, removed.stderr).toBe(0);
    expect(hostLink(vfB.netdev!)).toMatchObject({ ifname: vfB.netdev, address: vfB.mac });
  }, 240_000);
});
