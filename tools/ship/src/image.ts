// `ship image <app>`: an OCI image built with buildah from `scratch`. The root filesystem holds the executable, the
// shared libraries it links (found with ldd: node's libstdc++/libm/libgcc_s/libc... and the dynamic loader) and
// nothing else: no shell, no package manager. CNI images start the executable under the name /entrypoint (the
// installer mode); the device plugin image starts the executable itself.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { shipApp } from './apps.js';
import type { BuildInfo } from './build-exe.js';
import { addonFileName } from './runtime/addon-file.js';

export class ImageBuildError extends Error {
  override name = 'ImageBuildError';
}

/** Absolute paths of the shared objects (and loader) that `files` need, from `ldd`. */
export function sharedLibraries(files: readonly string[]): string[] {
  const libs = new Set<string>();
  for (const file of files) {
    const r = spawnSync('ldd', [file], { encoding: 'utf8' });
    if (r.status !== 0) {
      if (/not a dynamic executable/.test(r.stdout + r.stderr)) continue;
      throw new ImageBuildError(`ldd ${file} failed: ${r.stderr.trim()}`);
    }
    for (const line of r.stdout.split('\n')) {
      if (/=> not found/.test(line)) throw new ImageBuildError(`${file}: missing library: ${line.trim()}`);
      // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)";
      // linux-vdso has no file.
      const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
      if (m?.[1]) libs.add(m[1]);
    }
  }
  return [...libs].sort();
}

export interface Rootfs {
  dir: string;
  entrypoint: string[];
  files: string[];
}

/** Lays out the image's root filesystem in `dir` (replaced). */
export function assembleRootfs(appName: string, info: BuildInfo, dir: string): Rootfs {
  const app = shipApp(appName);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const files: string[] = [];
  const put = (source: string, target: string, mode: number) => {
    const dest = join(dir, target);
    mkdirSync(dirname(dest), { recursive: true, mode: 0o755 });
    copyFileSync(realpathSync(source), dest);
    chmodSync(dest, mode);
    files.push(target);
  };
  put(info.exePath, `/usr/bin/${app.exe}`, 0o755);
  // Libraries keep the path ldd printed (the loader finds /lib/x86_64-linux-gnu without an ld.so.cache, and
  // /lib64/ld-linux-x86-64.so.2 is the executable's PT_INTERP).
  for (const lib of sharedLibraries([info.exePath, info.addon.source])) put(lib, lib, 0o755);
  // The addon pre-extracted where the executable looks for it: nothing is written at run time, so the root
  // filesystem can be read-only. The CNI installer never loads it (the plugin extracts on the host when run).
  if (app.kind === 'daemon') {
    mkdirSync(join(dir, info.addon.dir), { recursive: true, mode: 0o700 });
    put(info.addon.source, `${info.addon.dir}/${addonFileName(info.addon.sha256)}`, 0o500);
  }
  let entrypoint = [`/usr/bin/${app.exe}`];
  if (app.kind === 'cni') {
    symlinkSync(`usr/bin/${app.exe}`, join(dir, 'entrypoint'));
    files.push('/entrypoint');
    entrypoint = ['/entrypoint'];
  }
  return { dir, entrypoint, files: files.sort() };
}

function run(cmd: string, args: string[], log: (l: string) => void, env?: Record<string, string>): string {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  if (r.error) throw new ImageBuildError(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new ImageBuildError(`${cmd} ${args[0]} failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

export interface ImageOptions {
  log?: (line: string) => void;
  /** Default `<image>:<version>` (buildah stores it as localhost/<image>:<version>). */
  tag?: string;
  /** Where the root filesystem is assembled; default beside the executable. */
  rootfsDir?: string;
  /** Also write an OCI archive (docker-archive is not needed by anything here). */
  ociArchive?: string;
  /** Extra environment for buildah (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF, ...). */
  env?: Record<string, string>;
}

export interface ImageResult {
  reference: string;
  id: string;
  labels: Record<string, string>;
  rootfs: Rootfs;
}

export function imageLabels(appName: string, info: BuildInfo): Record<string, string> {
  const app = shipApp(appName);
  return {
    'org.opencontainers.image.title': app.image,
    'org.opencontainers.image.version': info.version,
    'org.opencontainers.image.revision': info.commit,
    'org.opencontainers.image.created': info.date,
    'org.opencontainers.image.licenses': 'Apache-2.0',
    'org.opencontainers.image.base.name': 'scratch',
    'org.opencontainers.image.description':
      app.kind === 'cni'
        ? `Installs the ${app.exe} CNI plugin into the host's CNI bin directory`
        : `${app.exe}: SR-IOV network device plugin`,
    'io.sriov-ts.node-version': info.node,
    'io.sriov-ts.executable-sha256': info.sha256,
  };
}

export async function buildImage(appName: string, info: BuildInfo, options: ImageOptions = {}): Promise<ImageResult> {
  const app = shipApp(appName);
  const log = options.log ?? (() => {});
  const rootfs = assembleRootfs(appName, info, options.rootfsDir ?? join(dirname(info.exePath), 'rootfs'));
  const tag = options.tag ?? `${app.image}:${info.version}`;
  const labels = imageLabels(appName, info);
  const ctr = run('buildah', ['from', '--quiet', 'scratch'], log, options.env);
  try {
    run('buildah', ['copy', '--quiet', '--chown', '0:0', ctr, `${rootfs.dir}/`, '/'], log, options.env);
    const config = [
      'config',
      '--entrypoint',
      JSON.stringify(rootfs.entrypoint),
      '--cmd',
      '',
      // uid 0 on purpose, see images/README.md: the installer must create root-owned plugin binaries in the host's
      // root-owned CNI directory, and the device plugin owns sockets in kubelet's root-owned directories. Neither
      // needs capabilities for that (the DaemonSets drop them where they can).
      '--user',
      '0:0',
      '--workingdir',
      '/',
      '--env',
      'PATH=/usr/bin',
      '--os',
      'linux',
      '--arch',
      'amd64',
    ];
    for (const [k, v] of Object.entries(labels)) config.push('--label', `${k}=${v}`);
    run('buildah', [...config, ctr], log, options.env);
    const id = run('buildah', ['commit', '--quiet', '--rm', ctr, tag], log, options.env);
    if (options.ociArchive)
      run('buildah', ['push', '--quiet', tag, `oci-archive:${options.ociArchive}:${tag}`], log, options.env);
    return { reference: tag.includes('/') ? tag : `localhost/${tag}`, id, labels, rootfs };
  } catch (e) {
    spawnSync('buildah', ['rm', ctr], { stdio: 'ignore', env: { ...process.env, ...options.env } });
    throw e;
  }
}
