// Shared helpers for the privileged suites: unique names, namespaces that are always cleaned up, the `ip` oracle.
import { execFileSync } from 'node:child_process';
import { createNetns, deleteNetns } from '../src/netns.js';

/** A short random prefix per test file so parallel runs never collide (names stay <= 15 chars). */
export function uniquePrefix(tag: string): string {
  return `${tag}${Math.random().toString(36).slice(2, 7)}`;
}

/** Tracks netns created by a suite and deletes them (and with them every link inside) in cleanup(). */
export class Sandbox {
  private readonly netns: string[] = [];
  private readonly hostLinks: string[] = [];
  private n = 0;

  constructor(readonly prefix: string) {}

  name(suffix: string): string {
    const name = `${this.prefix}${suffix}`;
    if (name.length > 15) throw new Error(`test name too long: ${name}`);
    return name;
  }

  newNetns(): { name: string; path: string } {
    const name = this.name(`n${this.n++}`);
    const path = createNetns(name);
    this.netns.push(path);
    return { name, path };
  }

  /** A host-side link to delete at cleanup (links inside a sandbox netns go with it). */
  trackHostLink(name: string): string {
    this.hostLinks.push(name);
    return name;
  }

  cleanup(): void {
    for (const l of this.hostLinks.splice(0)) {
      try {
        execFileSync('ip', ['link', 'del', l], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
    for (const p of this.netns.splice(0)) deleteNetns(p);
  }
}

/** The independent oracle: `ip -j` output, parsed. */
export function ipJson<T = Record<string, unknown>[]>(args: string[], netnsName?: string): T {
  const full = netnsName ? ['-n', netnsName, '-j', ...args] : ['-j', ...args];
  const out = execFileSync('ip', full, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out || '[]') as T;
}

export interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  address?: string;
  operstate?: string;
  ifalias?: string;
  altnames?: string[];
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: { mode?: string } };
}

export function ipLink(name: string, netnsName?: string): IpLink | undefined {
  try {
    return ipJson<IpLink[]>(['-d', 'link', 'show', 'dev', name], netnsName)[0];
  } catch {
    return undefined;
  }
}
