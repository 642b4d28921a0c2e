// The crash scenario end to end: a separate node process creates a lab and is SIGKILLed, so nothing of the lab's own
// tear-down runs. What it leaves (host links, a pod netns with a VF inside, the netns bind mount, the registry
// directory) must be removed by sweepLabLeftovers(), and the fake-sys mount namespace must vanish on its own because
// its holder exits when the pipe from the dead owner closes.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listLinks } from '@sriov-ts/netlink-ops';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepLabLeftovers } from '../src/index.js';
import { processStartTicks } from '../src/registry.js';

const reason = missingPrerequisites('lab crash recovery', [
  isRoot(),
  executable('unshare'),
  executable('nsenter'),
  executable('mount'),
  executable('umount'),
]);

interface ChildLab {
  id: string;
  prefix: string;
  dir: string;
  pod: string;
}

const NETNS_DIR = '/var/run/netns';

function mountPoints(mountinfo = '/proc/self/mountinfo'): string[] {
  return readFileSync(mountinfo, 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point !== '');
}

/** Everything on the host that carries the lab's prefix or lives in its directory. */
function leftovers(lab: ChildLab) {
  const own = (point: string) =>
    point === lab.dir || point.startsWith(`${lab.dir}/`) || point.split('/').some((s) => s.startsWith(lab.prefix));
  return {
    links: listLinks()
      .map((l) => l.name)
      .filter((n) => n.startsWith(lab.prefix))
      .sort(),
    netns: readdirSync(NETNS_DIR).filter((n) => n.startsWith(lab.prefix)),
    mounts: mountPoints().filter(own),
    dir: existsSync(lab.dir),
  };
}

/** Resolves with the child's first stdout line; rejects with its stderr if it exits first. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
    });
    child.once('exit', (code, signal) => reject(new Error(`lab child exited (${code ?? signal}) early: ${err}`)));
  });
}

/** Waits (bounded) for a process to be gone; returns whether it is. */
async function gone(pid: number, startTicks: number | null): Promise<boolean> {
  for (let i = 0; i < 1000; i++) {
    const ticks = processStartTicks(pid);
    if (ticks === null || ticks !== startTicks) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}

describe.skipIf(reason !== null)('a lab whose owner process is SIGKILLed', () => {
  let work = '';
  let bundle = '';
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    // One ESM file from the TypeScript sources (the `source` condition, as vitest resolves them), with the native
    // addon beside it where netlink-ops looks first: no dependence on anyone's dist/ being built or current.
    work = mkdtempSync(join(tmpdir(), 'lab-crash-test-'));
    bundle = join(work, 'crash-child.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['source'],
      outfile: bundle,
      logLevel: 'silent',
    });
    const netlinkOps = dirname(createRequire(import.meta.url).resolve('@sriov-ts/netlink-ops/package.json'));
    copyFileSync(join(netlinkOps, 'build/Release/netlink_ops.node'), join(work, 'netlink_ops.node'));
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // Whatever a failed run left (the owner is dead by now, so this is stale and swept).
    await sweepLabLeftovers().catch(() => undefined);
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  it('leaves links, a pod netns, mounts and its directory, which the sweeper removes', async () => {
    const owner = spawn(process.execPath, [bundle], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = owner;
    const lab = JSON.parse(await firstLine(owner)) as ChildLab;
    expect(lab.prefix).toMatch(/^xl[0-9a-z]{4}$/);
    const registered = JSON.parse(readFileSync(join(lab.dir, 'owner.json'), 'utf8')) as {
      pid: number;
      holderPid: number | null;
    };
    expect(registered.pid).toBe(owner.pid);
    const holderPid = registered.holderPid;
    expect(holderPid).toEqual(expect.any(Number));
    const holderTicks = processStartTicks(holderPid!);

    // Before the crash (the owner is alive, so no sweeper, ours or a parallel test file's, touches any of this):
    // bridge, PF veth pair and the VF still on the host; VF 1 inside the pod; the pod's netns file and bind mount;
    // the fake tree mounted in the holder's mount namespace only.
    const before = leftovers(lab);
    expect(before.links).toEqual([`${lab.prefix}br`, `${lab.prefix}p0`, `${lab.prefix}p0v0`, `${lab.prefix}p0x`]);
    expect(listLinks({ netns: lab.pod }).map((l) => l.name)).toContain('net1');
    expect(before.netns).toEqual([`${lab.prefix}a`]);
    expect(before.mounts).toEqual([expect.stringMatching(new RegExp(`/netns/${lab.prefix}a$`))]);
    expect(before.dir).toBe(true);
    const holderMounts = mountPoints(`/proc/${holderPid}/mountinfo`);
    expect(holderMounts).toContain('/sys/bus/pci');
    expect(mountPoints()).not.toContain('/sys/bus/pci');

    // The crash.
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      owner.once('exit', (_code, signal) => resolve(signal)),
    );
    owner.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // The holder reads a pipe from the owner: it exits by itself, and its mount namespace with the fake tree goes.
    expect(await gone(holderPid!, holderTicks)).toBe(true);

    // From here a parallel test file's createLab() may sweep too (every lab sweeps at start), so neither the
    // leftovers nor the report are certain to be complete at this point; the state afterwards is what must hold
    // (without a sweep all of `before` stays: this assertion fails when the sweep is left out).
    const report = await sweepLabLeftovers();
    expect(report.errors).toEqual([]);
    expect(leftovers(lab)).toEqual({ links: [], netns: [], mounts: [], dir: false });
    expect(existsSync(lab.pod)).toBe(false);
  });
});
