// Removes what crashed lab runs left behind: links and netns whose names carry a lab prefix, mounts below a lab
// directory, and the lab registry directories. A lab is live (never touched) when its owner process is still
// running (same pid and start time); a registry without owner.json is live when it is newer than this process
// (it is being created right now). Everything of a live lab, including the caller's own labs, is left alone, so
// test files running in parallel may each sweep at start-up.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './fake-sys-namespace.js';
import { netdevBackend } from './netdevs.js';
import { LAB_PREFIX_PATTERN, ownerIsAlive, REGISTRY_PATTERN, readOwner, registryBase } from './registry.js';

export interface SweepOptions {
  /** Directories holding lab netns files (default: /var/run/netns plus those recorded by dead labs). */
  netnsDirs?: readonly string[];
  /** Whether to touch links and netns (needs root). Default: true when running as root. */
  network?: boolean;
}

export interface SweepReport {
  staleLabs: string[];
  links: string[];
  netns: string[];
  mounts: string[];
  directories: string[];
  errors: unknown[];
}

const DEFAULT_NETNS_DIR = '/var/run/netns';

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function labIdOf(name: string): string | null {
  return LAB_PREFIX_PATTERN.exec(name)?.[1] ?? null;
}

function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) => point.replace(/\\040/g, ' '));
}

export async function sweepLabLeftovers(options: SweepOptions = {}): Promise<SweepReport> {
  const report: SweepReport = { staleLabs: [], links: [], netns: [], mounts: [], directories: [], errors: [] };
  const network = options.network ?? process.getuid?.() === 0;
  const backend = network ? await netdevBackend() : null;
  const processStartMs = Date.now() - process.uptime() * 1000;

  // 1. Snapshot resources BEFORE reading registries: a lab creates its registry before any resource, so every
  //    resource seen here belongs to a registry that the listing below sees (or to a lab that is gone).
  const linkNames = backend === null ? [] : (await backend.listLinks()).filter((n) => labIdOf(n) !== null);
  const netnsDirs = new Set([DEFAULT_NETNS_DIR, ...(options.netnsDirs ?? [])]);
  const netnsFiles: string[] = [];
  const collectNetns = () => {
    for (const dir of netnsDirs) {
      for (const entry of listDir(dir)) if (labIdOf(entry) !== null) netnsFiles.push(join(dir, entry));
    }
  };
  collectNetns();

  // 2. Registries: live or stale.
  const base = registryBase();
  const live = new Set<string>();
  const staleRegistries = new Map<string, string>();
  for (const entry of listDir(base)) {
    const id = REGISTRY_PATTERN.exec(entry)?.[1];
    if (id === undefined) continue;
    const dir = join(base, entry);
    const owner = readOwner(dir);
    let alive: boolean;
    if (owner !== null) {
      alive = ownerIsAlive(owner);
      if (!alive) for (const path of owner.netns) netnsDirs.add(path.slice(0, path.lastIndexOf('/')) || '/');
    } else {
      try {
        alive = statSync(dir).mtimeMs >= processStartMs;
      } catch {
        continue; // removed meanwhile
      }
    }
    if (alive) live.add(id);
    else staleRegistries.set(id, dir);
  }
  netnsFiles.length = 0;
  collectNetns();

  const isStale = (name: string) => {
    const id = labIdOf(name);
    return id !== null && !live.has(id);
  };
  const attempt = async (step: () => unknown) => {
    try {
      await step();
    } catch (error) {
      report.errors.push(error);
    }
  };

  // 3. Netns first (their links die with them), then host links, then mounts and directories.
  for (const path of netnsFiles) {
    if (!isStale(path.slice(path.lastIndexOf('/') + 1))) continue;
    await attempt(() => backend?.deleteNetns(path));
    report.netns.push(path);
  }
  for (const name of linkNames) {
    if (!isStale(name)) continue;
    await attempt(() => backend?.deleteLink(name));
    report.links.push(name);
  }
  for (const [id, dir] of staleRegistries) {
    report.staleLabs.push(id);
    const below = mountPoints()
      .filter((point) => point === dir || point.startsWith(`${dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const point of below) {
      await attempt(async () => {
        const result = await run('umount', ['-l', point]);
        if (result.status !== 0) throw new Error(`umount -l ${point}: ${result.stderr.trim()}`);
      });
      report.mounts.push(point);
    }
    await attempt(() => rmSync(dir, { recursive: true, force: true }));
    report.directories.push(dir);
  }
  for (const id of new Set([...linkNames, ...netnsFiles.map((p) => p.slice(p.lastIndexOf('/') + 1))].map(labIdOf))) {
    if (id !== null && !live.has(id) && !report.staleLabs.includes(id)) report.staleLabs.push(id);
  }
  return report;
}
