// Running a bundled CNI plugin the way a runtime does (env + stdin), inside a lab's fake-sys mount namespace, and
// reading the result back with `ip -j` as an independent oracle. Shared by the sriov and ib-sriov suites; no
// workspace dependency (the lab is passed in by its shape), so every package's tests may use it.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** What these helpers need of a `@sriov-ts/lab` Lab. */
export interface FakeSysHost {
  spawnInFakeSys(
    command: string,
    args?: readonly string[],
    options?: { env?: NodeJS.ProcessEnv; input?: string | Buffer },
  ): Promise<{ status: number | null; stdout: string; stderr: string }>;
  deletePodNetns(pathOrSuffix: string): void;
}

export const DEFAULT_CNI_PATH = '/usr/lib/cni';

function bundleIsFresh(appDir: string, bundle: string): boolean {
  // Only the app's own sources: a rebuild cleans dist/, and packages edited while suites run must not trigger one
  // (after changing a package run `pnpm build`; CI always builds first).
  const newest = Math.max(
    ...readdirSync(join(appDir, 'src'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
      .map((e) => statSync(join(e.parentPath, e.name)).mtimeMs),
  );
  return existsSync(bundle) && statSync(bundle).mtimeMs >= newest;
}

/**
 * Builds the app's bundle (`pnpm exec tsup` in `appDir`) when it is missing or older than a source file. Suites
 * calling this in parallel build once: a lock directory serialises them and the freshness is checked again once
 * it is held, so no suite cleans dist/ under another one's feet. A lock older than 5 minutes is stale.
 */
export async function ensureBundleBuilt(appDir: string, bundle: string): Promise<void> {
  if (bundleIsFresh(appDir, bundle)) return;
  const lock = join(tmpdir(), `${basename(bundle)}.build-lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    if (bundleIsFresh(appDir, bundle)) return;
    const r = spawnSync('pnpm', ['exec', 'tsup'], { cwd: appDir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building ${bundle} failed: ${r.stdout}${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Bind-mounts a fresh temp dir over /var/lib/cni inside the fake-sys namespace, so the plugin's state, its IPAM's
 * leases and its caches stay private to the suite. Returns the dir (the caller removes it after the lab).
 */
export async function mountPrivateVarLibCni(host: FakeSysHost, prefix: string): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync('/var/lib/cni', { recursive: true });
  const r = await host.spawnInFakeSys('mount', ['--bind', root, '/var/lib/cni']);
  if (r.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`mount --bind ${root} /var/lib/cni: ${r.stderr}`);
  }
  return root;
}

/** A lab with a private /var/lib/cni (see mountPrivateVarLibCni): the plugin's state dir and host-local's dataDir. */
export interface LabWithCniState<H> {
  lab: H;
  /** Mounted over /var/lib/cni inside the fake-sys namespace. */
  stateRoot: string;
  /** The plugin's own /var/lib/cni/<pluginDir>. */
  stateDir: string;
  /** host-local's dataDir for these suites. */
  ipamDir: string;
  /** Destroys the lab, then removes the state dir. */
  destroy(): Promise<void>;
}

/**
 * Gives a freshly created lab a private /var/lib/cni; if that fails the lab is destroyed before the error
 * propagates, so a failed set-up leaks nothing.
 */
export async function withPrivateCniState<H extends FakeSysHost & { destroy(): Promise<void> }>(
  lab: H,
  prefix: string,
  pluginDir: string,
): Promise<LabWithCniState<H>> {
  let stateRoot: string;
  try {
    stateRoot = await mountPrivateVarLibCni(lab, prefix);
  } catch (e) {
    await lab.destroy();
    throw e;
  }
  return {
    lab,
    stateRoot,
    stateDir: join(stateRoot, pluginDir),
    ipamDir: join(stateRoot, 'ipam'),
    async destroy() {
      try {
        await lab.destroy();
      } finally {
        rmSync(stateRoot, { recursive: true, force: true });
      }
    },
  };
}

export interface CniCall {
  command: 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS' | 'VERSION';
  containerId?: string;
  netns?: string;
  ifName?: string;
  args?: string;
  /** CNI_PATH (default /usr/lib/cni, Debian's containernetworking-plugins). */
  path?: string;
  /** The netconf: an object (JSON-encoded) or the exact stdin text. */
  conf: unknown;
  env?: Record<string, string>;
}

export interface CniOutcome {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed, when it is JSON. */
  json: Record<string, unknown> | undefined;
}

/** The environment a runtime gives the plugin (PATH kept so the plugin's children resolve). */
export function cniEnv(call: CniCall): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    CNI_COMMAND: call.command,
    CNI_CONTAINERID: call.containerId ?? '',
    CNI_NETNS: call.netns ?? '',
    CNI_IFNAME: call.ifName ?? '',
    CNI_ARGS: call.args ?? '',
    CNI_PATH: call.path ?? DEFAULT_CNI_PATH,
    ...call.env,
  };
}

/** Runs `node <bundle>` inside the fake-sys namespace with the call's env and netconf on stdin. */
export async function runCniBundle(host: FakeSysHost, bundle: string, call: CniCall): Promise<CniOutcome> {
  const input = typeof call.conf === 'string' ? call.conf : JSON.stringify(call.conf);
  const r = await host.spawnInFakeSys(process.execPath, [bundle], { env: cniEnv(call), input });
  let json: Record<string, unknown> | undefined;
  try {
    json = r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

export const randomId = () => randomBytes(8).toString('hex');

/** `ip -j <args>`; netns is a path under /var/run/netns (its basename is the ip netns name). */
export function ipJson(args: string[], netns?: string): Record<string, unknown>[] {
  const full = netns ? ['-n', basename(netns), '-j', ...args] : ['-j', ...args];
  const out = execFileSync('ip', full, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.trim() ? JSON.parse(out) : [];
}

export type IpLink = Record<string, unknown> & {
  ifname: string;
  flags: string[];
  address?: string;
  mtu?: number;
  operstate?: string;
};

/** The link as `ip -j link show` prints it, or undefined when there is none. */
export function linkIn(name: string, netns?: string): IpLink | undefined {
  try {
    return ipJson(['link', 'show', 'dev', name], netns)[0] as IpLink | undefined;
  } catch {
    return undefined;
  }
}

/** Global-scope addresses (CIDR) of a link in a netns. */
export function addressesIn(name: string, netns: string): string[] {
  const info = ipJson(['addr', 'show', 'dev', name], netns)[0] as {
    addr_info?: { local: string; prefixlen: number; scope: string }[];
  };
  return (info?.addr_info ?? []).filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`);
}

/** host-local's lease files of a container in `<dataDir>/<network>` (each holds `<containerID>\r\n<ifname>`). */
export function hostLocalLeases(dataDir: string, network: string, containerId: string): string[] {
  const dir = join(dataDir, network);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter(
    (f) => /^\d+\.\d+\.\d+\.\d+$|:/.test(f) && readFileSync(join(dir, f), 'utf8').startsWith(containerId),
  );
}

/** Test clean-up: a VF netdev left in a pod goes back to the host under its name, then the pod netns goes. */
export function reclaimLink(host: FakeSysHost, netns: string, hostName: string, podName = 'net1'): void {
  try {
    if (linkIn(podName, netns))
      execFileSync('ip', ['-n', basename(netns), 'link', 'set', 'dev', podName, 'netns', '1', 'name', hostName]);
  } finally {
    host.deletePodNetns(netns);
  }
}
