// The `sriov` single executable doing real work: ADD and DEL on the lab node (fake sysfs + real netdevs, a real pod
// network namespace), started inside the lab's fake-sys mount namespace the way a runtime starts a plugin. This is
// the path no other suite takes: the embedded netlink addon extracted on first use and loaded from there.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, type Lab } from '@sriov-ts/lab';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIP_APPS } from '../src/apps.js';
import { appPresent, type BuildInfo, buildExecutable, REPO_ROOT } from '../src/build-exe.js';
import { addonFileName } from '../src/runtime/addon-file.js';

const present = appPresent(REPO_ROOT, SHIP_APPS['sriov-cni']!);
const reason = missingPrerequisites('ship sriov executable on the lab', [
  isRoot(),
  executable('/usr/lib/cni/host-local'),
  { what: 'apps/sriov-cni', ok: present },
]);

/** `ip -j` as an independent oracle (never to do the work). */
function linkIn(
  name: string,
  netns: string | null,
): { ifname: string; addr_info: { family: string; local: string }[] } | undefined {
  const args = netns ? ['-n', netns.slice(netns.lastIndexOf('/') + 1)] : [];
  const r = spawnSync('ip', [...args, '-j', 'addr', 'show', 'dev', name], { encoding: 'utf8' });
  return r.status === 0
    ? (JSON.parse(r.stdout) as { ifname: string; addr_info: { family: string; local: string }[] }[])[0]
    : undefined;
}

describe.skipIf(reason !== null || !present)('sriov executable on the lab node', () => {
  let root: string;
  let addonDir: string;
  let info: BuildInfo;
  let lab: Lab;
  let stateRoot: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ship-lab-'));
    addonDir = join(root, 'private', 'native');
    mkdirSync(join(root, 'private'), { mode: 0o700 });
    info = await buildExecutable('sriov-cni', { outDir: join(root, 'exe'), addonDir });
    lab = await createLab({ pfs: [{ vfs: 2 }] });
    // The plugin's state (/var/lib/cni/sriov) goes to a temp directory inside the fake-sys namespace.
    stateRoot = join(root, 'state');
    mkdirSync(stateRoot);
    mkdirSync('/var/lib/cni', { recursive: true });
    const m = await lab.spawnInFakeSys('mount', ['--bind', stateRoot, '/var/lib/cni']);
    if (m.status !== 0) throw new Error(`mount --bind: ${m.stderr}`);
  }, 600_000);

  afterAll(async () => {
    await lab?.destroy();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function run(command: string, netns: string, containerId: string, conf: object) {
    return lab.spawnInFakeSys(info.exePath, [], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        CNI_COMMAND: command,
        CNI_CONTAINERID: containerId,
        CNI_NETNS: netns,
        CNI_IFNAME: 'net1',
        CNI_PATH: '/usr/lib/cni',
      },
      input: JSON.stringify(conf),
    });
  }

  // With host-local IPAM: delegation spawns a child process, which a single executable's CommonJS main must do
  // without a dynamic import() (it has no dynamic-import callback).
  it('ADD moves the VF into the pod as net1 with its IPAM address and DEL brings it back, through the extracted addon', async () => {
    const vf = lab.vf(0, 0);
    const netns = lab.createPodNetns('ship');
    const containerId = randomBytes(8).toString('hex');
    const conf = {
      cniVersion: '1.0.0',
      name: 'shipnet',
      type: 'sriov',
      deviceID: vf.address,
      ipam: { type: 'host-local', dataDir: join(root, 'ipam'), ranges: [[{ subnet: '10.247.3.0/24' }]] },
    };
    try {
      expect(readdirSync(join(root, 'private'))).toEqual([]); // nothing extracted before netlink is needed
      const add = await run('ADD', netns, containerId, conf);
      expect(add.status, add.stderr + add.stdout).toBe(0);
      expect(add.stderr).not.toMatch(/level="?error/);
      expect(JSON.parse(add.stdout)).toMatchObject({
        cniVersion: '1.0.0',
        interfaces: [expect.objectContaining({ name: 'net1', sandbox: netns })],
        ips: [expect.objectContaining({ address: '10.247.3.2/24', interface: 0 })],
      });
      expect(linkIn('net1', netns)?.addr_info).toContainEqual(
        expect.objectContaining({ family: 'inet', local: '10.247.3.2' }),
      );
      expect(linkIn(vf.netdev!, null)).toBeUndefined();

      const extracted = join(addonDir, addonFileName(info.addon.sha256));
      expect(createHash('sha256').update(readFileSync(extracted)).digest('hex')).toBe(info.addon.sha256);

      const del = await run('DEL', netns, containerId, conf);
      expect(del.status, del.stderr + del.stdout).toBe(0);
      expect(del.stderr).not.toMatch(/level="?error/);
      expect(linkIn('net1', netns)).toBeUndefined();
      expect(linkIn(vf.netdev!, null)).toBeDefined();
    } finally {
      lab.deletePodNetns(netns);
    }
  });
});
