// Test harness for the *.netns.test.ts suites: a lab, a private state dir mounted over /var/lib/cni inside the
// lab's fake-sys mount namespace, and the bundled executable run exactly as a runtime runs it (env + stdin).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLab, type Lab, type LabSpec } from '@sriov-ts/lab';
import { tryFlock } from '@sriov-ts/netlink-ops';

export const APP_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const BUNDLE = join(APP_DIR, 'dist', 'sriov.mjs');
export const CNI_BIN = '/usr/lib/cni';

// Only the app's own sources: a rebuild cleans dist/, and packages edited while suites run must not trigger one
// (after changing a package, run `pnpm build`; CI always builds first).
const SOURCE_DIRS = [join(APP_DIR, 'src')];

function bundleIsFresh(): boolean {
  const newest = Math.max(
    ...SOURCE_DIRS.flatMap((dir) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
        .map((e) => statSync(join(e.parentPath, e.name)).mtimeMs),
    ),
  );
  return existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newest;
}

/**
 * Builds dist/sriov.mjs when it is missing or older than a source file of this app. Several suites call this in
 * parallel: the build runs under a flock and the freshness is checked again once it is held, so one suite never
 * cleans dist/ under another one's feet. (CI builds before testing, so there it is only a check.)
 */
export async function ensureBuilt(): Promise<void> {
  if (bundleIsFresh()) return;
  const fd = openSync(join(tmpdir(), 'sriov-cni-bundle.lock'), 'w');
  try {
    while (!tryFlock(fd, 'exclusive')) await new Promise((r) => setTimeout(r, 50));
    if (bundleIsFresh()) return;
    const r = spawnSync('pnpm', ['exec', 'tsup'], { cwd: APP_DIR, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building the sriov bundle failed: ${r.stdout}${r.stderr}`);
  } finally {
    closeSync(fd);
  }
}

export interface TestLab {
  lab: Lab;
  /** Mounted over /var/lib/cni inside the fake-sys namespace: the plugin's /var/lib/cni/sriov is <stateRoot>/sriov. */
  stateRoot: string;
  stateDir: string;
  ipamDir: string;
  destroy(): Promise<void>;
}

export async function startLab(spec: LabSpec): Promise<TestLab> {
  const lab = await createLab(spec);
  const stateRoot = mkdtempSync(join(tmpdir(), 'sriov-cni-state-'));
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
    stateDir: join(stateRoot, 'sriov'),
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
  path?: string;
  conf: unknown;
  env?: Record<string, string>;
}

export interface CniOutcome {
  status: number | null;
  stdout: string;
  stderr: string;
  json: Record<string, unknown> | undefined;
}

export function pluginEnv(call: CniCall): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    CNI_COMMAND: call.command,
    CNI_CONTAINERID: call.containerId ?? '',
    CNI_NETNS: call.netns ?? '',
    CNI_IFNAME: call.ifName ?? '',
    CNI_ARGS: call.args ?? '',
    CNI_PATH: call.path ?? CNI_BIN,
    ...call.env,
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
export function ipJson(args: string[], netns?: string): Record<string, unknown>[] {
  const full = netns ? ['-n', basename(netns), '-j', ...args] : ['-j', ...args];
  const out = execFileSync('ip', full, { encoding: 'utf8' });
  return out.trim() ? JSON.parse(out) : [];
}

export function linkIn(name: string, netns?: string): Record<string, unknown> | undefined {
  try {
    return ipJson(['link', 'show', 'dev', name], netns)[0];
  } catch {
    return undefined;
  }
}

export function addressesIn(name: string, netns: string): string[] {
  const info = ipJson(['addr', 'show', 'dev', name], netns)[0] as {
    addr_info?: { local: string; prefixlen: number; scope: string }[];
  };
  return (info?.addr_info ?? []).filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`);
}

export function hostLocalConf(
  t: TestLab,
  version: string,
  extra: Record<string, unknown> = {},
  subnet = '10.251.0.0/16',
) {
  return {
    cniVersion: version,
    name: 'sriovnet',
    type: 'sriov',
    ipam: {
      type: 'host-local',
      dataDir: t.ipamDir,
      ranges: [[{ subnet, gateway: subnet.replace(/0\.0\/16$/, '0.1') }]],
      routes: [{ dst: '10.252.0.0/16' }, { dst: '0.0.0.0/0' }],
    },
    ...extra,
  };
}

/** host-local's lease files (one per reserved IP, holding `<containerID>\r\n<ifname>`) of a container. */
export function leases(t: TestLab, containerId: string, network = 'sriovnet'): string[] {
  const dir = join(t.ipamDir, network);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter(
    (f) => /^\d+\.\d+\.\d+\.\d+$|:/.test(f) && readFileSync(join(dir, f), 'utf8').startsWith(containerId),
  );
}

/** Test clean-up: put a VF left in a pod back into the host under its name, then delete the pod netns. */
export function reclaim(t: { lab: Lab }, netns: string, hostName: string, podName = 'net1'): void {
  try {
    if (linkIn(podName, netns))
      execFileSync('ip', ['-n', basename(netns), 'link', 'set', 'dev', podName, 'netns', '1', 'name', hostName]);
  } finally {
    t.lab.deletePodNetns(netns);
  }
}

/**
 * Starts an ADD whose IPAM plugin blocks, waits until the VF has moved and IPAM is running, then SIGKILLs the
 * plugin (and reaps the orphaned IPAM child). Returns the CNI_PATH dir holding that IPAM plugin (`slow`).
 */
export async function addKilledDuringIpam(t: TestLab, call: Omit<CniCall, 'command' | 'path'>): Promise<string> {
  const bin = mkdtempSync(join(tmpdir(), 'sriov-slow-ipam-'));
  const marker = join(bin, 'started');
  writeFileSync(
    join(bin, 'slow'),
    `#!/bin/sh\nif [ "$CNI_COMMAND" = ADD ]; then echo $$ > ${marker}.tmp; mv ${marker}.tmp ${marker}; exec sleep 20; fi\nexit 0\n`,
  );
  chmodSync(join(bin, 'slow'), 0o755);
  const argv = await t.lab.fakeSysArgv(process.execPath, [BUNDLE]);
  const child = spawn(argv.command, argv.args, {
    env: pluginEnv({ ...call, command: 'ADD', path: bin }),
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.stdin.end(typeof call.conf === 'string' ? call.conf : JSON.stringify(call.conf));
  for (let i = 0; i < 1000 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  if (!existsSync(marker)) throw new Error('the slow IPAM plugin never started');
  try {
    process.kill(Number(readFileSync(marker, 'utf8').trim()), 'SIGKILL');
  } catch {
    // already gone
  }
  return bin;
}
