// A private mount namespace in which /sys (and /dev/vfio, /dev/infiniband) show the lab's fake tree, so unmodified
// binaries (the Go plugins, our own CLIs, `ls`) see the simulated node. Technique: lab-notes §6, but without a
// shell: a holder process `unshare -m --propagation slave -- cat` keeps the namespace alive; mounts and commands
// enter it with `nsenter -t <holder> -m`. The holder reads a pipe from this process, so it exits (and the namespace
// with all its mounts vanishes) when the lab is destroyed *or* when this process dies, even by SIGKILL.
//
// Propagation is slave so that netns files bind-mounted on the host later (in a shared /run/netns) still appear
// inside as nsfs; with private they show up as empty files and setns fails.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from './errors.js';

export interface SpawnOptions {
  /** Environment of the command (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Bytes or text written to the command's stdin (then closed). */
  input?: string | Buffer;
  /** Working directory inside the namespace (default: this process's cwd). */
  cwd?: string;
  /** Kill the command with SIGKILL after this many ms (default 60 000). */
  timeoutMs?: number;
}

export interface SpawnResult {
  /** Exit code, null when killed by a signal. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface MountPlanEntry {
  /** Fake directory (absolute). */
  source: string;
  /** Where it appears inside the namespace. */
  target: string;
  how: 'bind' | 'overlay';
}

function which(name: string): string {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  for (const dir of ['/usr/bin', '/usr/sbin', '/bin', '/sbin']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new LabError(`lab: ${name} (util-linux) is not installed`);
}

/** Runs argv (no shell) and collects its output. */
export function run(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new LabError(`lab: cannot run ${command}: ${error.message}`, { cause: error }));
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({
        status,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {}); // the command may exit without reading its input
    child.stdin.end(options.input ?? '');
  });
}

/** Mount points below `/dev` in this process's namespace (devpts, shm, mqueue, hugepages...), shallowest first. */
function devSubmounts(): string[] {
  const points = new Set<string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const point = line.split(' ')[4];
    if (point?.startsWith('/dev/')) points.add(point.replace(/\\040/g, ' '));
  }
  return [...points].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}

export class FakeSysNamespace {
  private constructor(
    private readonly holder: ChildProcess,
    readonly holderPid: number,
    private readonly nsenter: string,
  ) {}

  /**
   * Starts the holder and mounts the fake tree. `fakeRoot` holds `sys/` and `dev/`; `stageDir` is an empty
   * lab-owned directory used to assemble the /dev overlay.
   */
  static async start(fakeRoot: string, pciRootName: string, stageDir: string): Promise<FakeSysNamespace> {
    const unshare = which('unshare');
    const nsenter = which('nsenter');
    const holder = spawn(unshare, ['-m', '--propagation', 'slave', '--', 'cat'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const holderError = new Promise<never>((_, reject) => {
      holder.once('error', (error) => reject(new LabError(`lab: cannot start unshare: ${error.message}`)));
    });
    if (holder.pid === undefined) await holderError;
    const pid = holder.pid!;
    const namespace = new FakeSysNamespace(holder, pid, nsenter);
    try {
      await namespace.waitForOwnMountNamespace();
      await namespace.mountFakeTree(fakeRoot, pciRootName, stageDir);
    } catch (error) {
      await namespace.stop();
      throw error;
    }
    return namespace;
  }

  /** unshare execs cat only after unshare(CLONE_NEWNS); until then nsenter would enter the host namespace. */
  private async waitForOwnMountNamespace(): Promise<void> {
    const own = readlinkSync('/proc/self/ns/mnt');
    for (let i = 0; i < 500; i++) {
      let theirs: string | null = null;
      try {
        theirs = readlinkSync(`/proc/${this.holderPid}/ns/mnt`);
      } catch {
        throw new LabError('lab: the unshare holder exited before its mount namespace was ready');
      }
      if (theirs !== own) return;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    throw new LabError('lab: unshare did not create a mount namespace within 1 s');
  }

  private async mount(args: string[]): Promise<SpawnResult> {
    return run(this.nsenter, ['-t', String(this.holderPid), '-m', '--', 'mount', ...args]);
  }

  private async mustMount(args: string[], what: string): Promise<void> {
    const result = await this.mount(args);
    if (result.status !== 0) {
      throw new LabError(`lab: mount ${args.join(' ')} (${what}) failed: ${result.stderr.trim()}`);
    }
  }

  private async mountFakeTree(fakeRoot: string, pciRootName: string, stageDir: string): Promise<void> {
    const fakeSys = join(fakeRoot, 'sys');
    // /sys/bus/auxiliary need not exist on the host: union the fake buses over the real ones first (read-only),
    // then bind the fake PCI bus (writable: bind/unbind, sriov_numvfs) on top.
    await this.mustMount(
      ['-t', 'overlay', 'overlay', '-o', `lowerdir=${join(fakeSys, 'bus')}:/sys/bus`, '/sys/bus'],
      'bus overlay',
    );
    await this.mustMount(['--bind', join(fakeSys, 'bus/pci'), '/sys/bus/pci'], 'PCI bus');
    await this.mustMount(
      ['--bind', join(fakeSys, 'devices', pciRootName), `/sys/devices/${pciRootName}`],
      `PCI root ${pciRootName}; the host must have /sys/devices/${pciRootName}`,
    );
    // /sys/class/infiniband* need not exist on the host and sysfs has no mkdir: union the fake classes over the
    // real ones (fake entries win, read-only), then put the fake class/net alone on top.
    await this.mustMount(
      ['-t', 'overlay', 'overlay', '-o', `lowerdir=${join(fakeSys, 'class')}:/sys/class`, '/sys/class'],
      'class overlay',
    );
    await this.mustMount(['--bind', join(fakeSys, 'class/net'), '/sys/class/net'], 'class/net');
    const groups = await this.mount(['--bind', join(fakeSys, 'kernel/iommu_groups'), '/sys/kernel/iommu_groups']);
    if (groups.status !== 0) {
      await this.mustMount(
        ['-t', 'overlay', 'overlay', '-o', `lowerdir=${join(fakeSys, 'kernel')}:/sys/kernel`, '/sys/kernel'],
        'kernel overlay for iommu_groups',
      );
    }
    // /dev/vfio and /dev/infiniband usually do not exist here: assemble an overlay of the fake dev over the real
    // /dev in a stage directory, re-attach /dev's submounts (pts, shm, ...) inside it, then move it onto /dev.
    mkdirSync(stageDir, { recursive: true });
    await this.mustMount(
      ['-t', 'overlay', 'overlay', '-o', `lowerdir=${join(fakeRoot, 'dev')}:/dev`, stageDir],
      '/dev overlay',
    );
    for (const point of devSubmounts()) {
      const inside = join(stageDir, point.slice('/dev/'.length));
      if (!existsSync(inside)) continue;
      await this.mustMount(['--rbind', point, inside], `re-attach ${point}`);
    }
    await this.mustMount(['--move', stageDir, '/dev'], 'move /dev overlay');
  }

  /** argv that runs `command args` inside the namespace (for callers that spawn themselves, e.g. a daemon). */
  argv(command: string, args: readonly string[], cwd = process.cwd()): { command: string; args: string[] } {
    return {
      command: this.nsenter,
      args: ['-t', String(this.holderPid), '-m', `--wd=${cwd}`, '--', command, ...args],
    };
  }

  spawn(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<SpawnResult> {
    const argv = this.argv(command, args, options.cwd);
    const { cwd: _cwd, ...rest } = options;
    return run(argv.command, argv.args, rest);
  }

  /** Ends the holder; the namespace and every mount in it disappear with it. Idempotent. */
  async stop(): Promise<void> {
    const holder = this.holder;
    if (holder.exitCode !== null || holder.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
    holder.stdin?.end();
    holder.kill('SIGKILL');
    await exited;
  }
}
