// The sweeper removes what a crashed run left (links, netns, mounts, directories of labs whose owner is dead, and
// orphan links with a lab prefix) and never touches a live lab.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createVeth, moveLink } from '@sriov-ts/netlink-ops';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { createLab, type Lab, sweepLabLeftovers } from '../src/index.js';
import { createRegistry } from '../src/registry.js';

const reason = missingPrerequisites('lab sweeper', [
  isRoot(),
  executable('mount'),
  executable('umount'),
  executable('ip'),
]);

function hostLinkNames(): string[] {
  return (
    JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as Array<{ ifname: string }>
  ).map((l) => l.ifname);
}

function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '');
}

/** A pid that existed and is gone now, with the start time it had. */
function deadOwner(): { pid: number; pidStartTicks: number | null } {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return { pid: Number(child.stdout), pidStartTicks: 1 };
}

describe.skipIf(reason !== null)('sweepLabLeftovers', () => {
  const labs: Lab[] = [];
  afterAll(async () => {
    for (const lab of labs) await lab.destroy().catch(() => {});
  });

  it('removes the leftovers of a crashed lab and an orphan link, and leaves live labs alone', async () => {
    const live = await createLab({ pfs: [{ vfs: 2 }] });
    labs.push(live);
    const crashed = await createLab({ pfs: [{ vfs: 2 }] });
    labs.push(crashed);
    const pod = crashed.createPodNetns('pod0');
    moveLink(crashed.vf(0, 1).netdev!, { toNetns: pod, newName: 'net1' });
    // A mount left below the crashed lab's directory (e.g. by a killed helper).
    mkdirSync(join(crashed.dir, 'mnt-src'));
    mkdirSync(join(crashed.dir, 'mnt-dst'));
    expect(spawnSync('mount', ['--bind', join(crashed.dir, 'mnt-src'), join(crashed.dir, 'mnt-dst')]).status).toBe(0);
    // The crash: its owner process is gone.
    const ownerPath = join(crashed.dir, 'owner.json');
    const owner = JSON.parse(readFileSync(ownerPath, 'utf8'));
    writeFileSync(ownerPath, JSON.stringify({ ...owner, ...deadOwner() }));

    // An orphan link (registry already removed) and registries without owner.json: an old one, and one being
    // created right now.
    const orphan = createRegistry();
    createVeth(`${orphan.prefix}p0`, `${orphan.prefix}p0x`);
    execFileSync('rm', ['-r', orphan.dir]);
    const old = createRegistry();
    utimesSync(old.dir, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const fresh = createRegistry();

    const crashedLinks = hostLinkNames().filter((n) => n.startsWith(crashed.prefix));
    expect(crashedLinks.length).toBe(4); // bridge, PF veth pair, one VF macvlan left on the host
    const liveLinks = hostLinkNames().filter((n) => n.startsWith(live.prefix));

    const report = await sweepLabLeftovers();

    // Another test file's createLab() may sweep concurrently (every lab sweeps at start), so the report may miss
    // some of these; the state afterwards is what must hold. What a report names must be stale, never live.
    expect(report.errors).toEqual([]);
    expect(report.staleLabs).not.toContain(live.id);
    expect(report.staleLabs).not.toContain(fresh.id);
    expect(report.links.filter((n) => n.startsWith(live.prefix))).toEqual([]);
    if (report.staleLabs.includes(crashed.id)) {
      expect(report.netns).toContain(pod);
      expect(report.mounts).toEqual([join(crashed.dir, 'mnt-dst')]);
    }

    const after = hostLinkNames();
    expect(after.filter((n) => n.startsWith(crashed.prefix) || n.startsWith(orphan.prefix))).toEqual([]);
    expect(readdirSync('/var/run/netns').filter((n) => n.startsWith(crashed.prefix))).toEqual([]);
    expect(mountPoints().filter((p) => p.startsWith(crashed.dir))).toEqual([]);
    expect(existsSync(crashed.dir)).toBe(false);
    expect(existsSync(old.dir)).toBe(false);

    // The live lab and the registry being created are intact.
    expect(after.filter((n) => n.startsWith(live.prefix))).toEqual(liveLinks);
    expect(existsSync(live.dir)).toBe(true);
    expect(existsSync(fresh.dir)).toBe(true);
    execFileSync('rm', ['-r', fresh.dir]);

    // Tear-down of an already swept lab succeeds: every delete accepts "already gone".
    await crashed.destroy();
    await live.destroy();
    expect(hostLinkNames().filter((n) => n.startsWith(live.prefix))).toEqual([]);
  });

  it('sweeps nothing of its own process', async () => {
    const lab = await createLab({ pfs: [{ vfs: 1 }] });
    labs.push(lab);
    const report = await sweepLabLeftovers();
    expect(report.staleLabs).not.toContain(lab.id);
    expect(hostLinkNames()).toContain(lab.pfs[0]!.netdev);
    await lab.destroy();
    expect(existsSync(lab.dir)).toBe(false);
  });
});
