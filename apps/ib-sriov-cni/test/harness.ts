// Test harness for the *.netns.test.ts suites: an InfiniBand lab (MLX5_CX6_IB PF/VFs in the fake sysfs, macvlan
// stand-ins for the IPoIB netdevs), a private state dir mounted over /var/lib/cni inside the lab's fake-sys mount
// namespace, and the bundled executable run exactly as a runtime runs it (env + stdin).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLab, type Lab, MLX5_CX6_IB } from '@sriov-ts/lab';

export const APP_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const BUNDLE = join(APP_DIR, 'dist', 'ib-sriov.mjs');
export const CNI_BIN = '/usr/lib/cni';
export const VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];

/** Builds dist/ib-sriov.mjs when it is missing or older than a source file of this app. */
export function ensureBuilt(): void {
  const newest = Math.max(
    ...readdirSync(join(APP_DIR, 'src'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => statSync(join(e.parentPath, e.name)).mtimeMs),
  );
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newest) return;
  const r = spawnSync('pnpm', ['exec', 'tsup'], { cwd: APP_DIR, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the ib-sriov bundle failed: ${r.stdout}${r.stderr}`);
}

export interface TestLab {
  lab: Lab;
  /** Mounted over /var/lib/cni inside the fake-sys namespace: the plugin's state dir is <stateRoot>/ib-sriov. */
  stateRoot: string;
  stateDir: string;
  ipamDir: string;
  destroy(): Promise<void>;
}

export async function startLab(vfs: number, extra: { dpdkVfs?: number[] } = {}): Promise<TestLab> {
  const lab = await createLab({ pfs: [{ model: MLX5_CX6_IB, vfs, ...extra }] });
  const stateRoot = mkdtempSync(join(tmpdir(), 'ib-sriov-state-'));
  try {
    mkdirSync('/var/lib/cni', { recursive: true });
    const r = await lab.spawnInFakeSys('mount', ['--bind', stateRoot, '/var/lib/cni']);
    if (r.status !== 0) throw new Error(`mount --bind: ${r.stderr}`);
  } catch (e) {
    await lab.destroy();
    throw e;
  }
  return {
    lab,
    stateRoot,
    stateDir: join(stateRoot, 'ib-sriov'),
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
  conf: unknown;
}

export interface CniOutcome {
  status: number | null;
  stdout: string;
  stderr: string;
  json: Record<string, unknown> | undefined;
}

export function pluginEnv(call: Omit<CniCall, 'conf'>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    CNI_COMMAND: call.command,
    CNI_CONTAINERID: call.containerId ?? '',
    CNI_NETNS: call.netns ?? '',
    CNI_IFNAME: call.ifName ?? '',
    CNI_ARGS: '',
    CNI_PATH: CNI_BIN,
  };
}

/** Runs the bundled plugin inside the lab's fake-sys mount namespace, as a runtime would. */
export async function runPlugin(t: TestLab, call: CniCall): Promise<CniOutcome> {
  const input = typeof call.conf === 'string' ? call.conf : JSON.stringify(call.conf);
  const r = await t.lab.spawnInFakeSys(process.execPath, [BUNDLE], { env: pluginEnv(call), input });
  let json: Record<string, unknown> | undefined;
  try {
    json = r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

export const randomId = () => randomBytes(8).toString('hex');

/** `ip -j` as an independent oracle. netns: a path under /var/run/netns (its basename is the ip netns name). */
export function linkIn(name: string, netns?: string): { ifname: string; flags: string[] } | undefined {
  try {
    const args = ['-j', 'link', 'show', 'dev', name];
    const out = execFileSync('ip', netns ? ['-n', basename(netns), ...args] : args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return JSON.parse(out)[0];
  } catch {
    return undefined;
  }
}

export function addressesIn(name: string, netns: string): string[] {
  const out = execFileSync('ip', ['-n', basename(netns), '-j', 'addr', 'show', 'dev', name], { encoding: 'utf8' });
  const info = JSON.parse(out)[0] as { addr_info?: { local: string; prefixlen: number; scope: string }[] };
  return (info?.addr_info ?? []).filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`);
}

export function hostLocal(t: TestLab, subnet = '10.241.0.0/16') {
  return {
    type: 'host-local',
    dataDir: t.ipamDir,
    ranges: [[{ subnet, gateway: subnet.replace(/0\.0\/16$/, '0.1') }]],
    routes: [{ dst: '10.242.0.0/16' }],
  };
}

/** host-local's lease files of a container. */
export function leases(t: TestLab, containerId: string, network: string): string[] {
  const dir = join(t.ipamDir, network);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter(
    (f) => /^\d+\.\d+\.\d+\.\d+$/.test(f) && readFileSync(join(dir, f), 'utf8').startsWith(containerId),
  );
}

/** Clean-up: a VF netdev left in a pod goes back to the host under its name, then the pod netns goes. */
export function reclaim(t: { lab: Lab }, netns: string, hostName: string, podName = 'net1'): void {
  try {
    if (linkIn(podName, netns))
      execFileSync('ip', ['-n', basename(netns), 'link', 'set', 'dev', podName, 'netns', '1', 'name', hostName]);
  } finally {
    t.lab.deletePodNetns(netns);
  }
}
