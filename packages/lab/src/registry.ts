// Every lab owns a registry directory `<tmpdir>/sriov-lab-<id>` (created atomically before any resource, removed
// last) that holds its fake root and `owner.json`. The sweeper uses it to tell a live lab (owner process alive,
// same start time) from the leftovers of a crashed run. Every link and netns a lab creates starts with its prefix
// `xl<id>`, so leftovers are recognisable even when the registry is gone.
import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Marker every lab resource name starts with. */
export const LAB_MARKER = 'xl';
/** `xl` + 4 base-36 characters: the lab's unique prefix. */
export const LAB_PREFIX_PATTERN = /^xl([0-9a-z]{4})/;
export const REGISTRY_PREFIX = 'sriov-lab-';
export const REGISTRY_PATTERN = /^sriov-lab-([0-9a-z]{4})$/;

export interface LabOwner {
  pid: number;
  /** Start time of the owner process in clock ticks since boot (/proc/<pid>/stat field 22): guards against pid reuse. */
  pidStartTicks: number | null;
  createdAt: string;
  prefix: string;
  /** Pod netns paths the lab created (for the sweeper). */
  netns: string[];
  /** Holder process of the fake-sys mount namespace. */
  holderPid: number | null;
}

export function registryBase(): string {
  return tmpdir();
}

/** Start time (clock ticks since boot) of a process, or null when it does not exist. */
export function processStartTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

export function ownerIsAlive(owner: Pick<LabOwner, 'pid' | 'pidStartTicks'>): boolean {
  const ticks = processStartTicks(owner.pid);
  if (ticks === null) return false;
  return owner.pidStartTicks === null || owner.pidStartTicks === ticks;
}

/** Creates a fresh registry directory with a random id that no other lab (live or dead) has. */
export function createRegistry(): { id: string; prefix: string; dir: string } {
  for (let attempt = 0; attempt < 100; attempt++) {
    let id = '';
    for (let i = 0; i < 4; i++) id += randomInt(36).toString(36);
    const dir = join(registryBase(), `${REGISTRY_PREFIX}${id}`);
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    return { id, prefix: `${LAB_MARKER}${id}`, dir };
  }
  throw new Error('lab: could not find a free lab id after 100 attempts');
}

export function writeOwner(dir: string, owner: LabOwner): void {
  const path = join(dir, 'owner.json');
  writeFileSync(`${path}.tmp`, JSON.stringify(owner, null, 2), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

export function readOwner(dir: string): LabOwner | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as LabOwner;
  } catch {
    return null;
  }
}
