// A real CNI client for the lab suites: podman 4 with its CNI backend and runc (lab-notes §4: crun fails on this
// kernel's hybrid cgroups; the nofile limit must stay under the VM's hard limit), a private configuration in one
// directory (nothing under /etc is touched), a busybox rootfs, and the plugin bundles under test in the first
// `cni_plugin_dirs` entry. Run podman inside the lab's fake-sys view (host.spawnInFakeSys) with `env`.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FakeSysHost } from './cni-bundle.js';

export interface PodmanCniSandbox {
  /** Conflists go here (podman's `network_config_dir`). */
  netd: string;
  /** The busybox root filesystem for `podman run --rootfs`. */
  rootfs: string;
  /** CONTAINERS_CONF / CONTAINERS_STORAGE_CONF (and PATH) selecting this configuration. */
  env: NodeJS.ProcessEnv;
}

/**
 * Prepares `dir` for podman and installs each bundle (`{ sriov: '/…/dist/sriov.mjs' }`) as a CNI plugin of that
 * name, with the netlink addon that sits beside the bundle. The lab's /dev is a read-only overlay, so a tmpfs is
 * mounted on /dev/shm in its fake-sys namespace (podman keeps its lock table there).
 */
export async function podmanCniSandbox(
  host: FakeSysHost,
  dir: string,
  plugins: Record<string, string>,
): Promise<PodmanCniSandbox> {
  const shm = await host.spawnInFakeSys('mount', ['-t', 'tmpfs', '-o', 'mode=1777', 'tmpfs', '/dev/shm']);
  if (shm.status !== 0) throw new Error(`mount /dev/shm: ${shm.stderr}`);
  const cnibin = join(dir, 'cnibin');
  const netd = join(dir, 'netd');
  const rootfs = join(dir, 'rootfs');
  for (const d of [cnibin, netd, ...['bin', 'proc', 'sys', 'dev', 'etc', 'tmp', 'run'].map((x) => join(rootfs, x))]) {
    mkdirSync(d, { recursive: true });
  }
  for (const [name, bundle] of Object.entries(plugins)) {
    copyFileSync(bundle, join(cnibin, name));
    copyFileSync(join(dirname(bundle), 'netlink_ops.node'), join(cnibin, 'netlink_ops.node'));
  }
  copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
  writeFileSync(
    join(dir, 'containers.conf'),
    [
      '[containers]',
      'default_ulimits = ["nofile=20000:20000", "nproc=1024:1024"]',
      '[engine]',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `events_logfile_path = "${dir}/events.log"`,
      'runtime = "runc"',
      `tmp_dir = "${dir}/tmp"`,
      '[network]',
      'network_backend = "cni"',
      `network_config_dir = "${netd}"`,
      `cni_plugin_dirs = ["${cnibin}", "/usr/lib/cni"]`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'storage.conf'),
    `[storage]\ndriver = "vfs"\ngraphroot = "${dir}/root"\nrunroot = "${dir}/runroot"\n`,
  );
  return {
    netd,
    rootfs,
    env: {
      PATH: process.env.PATH,
      CONTAINERS_CONF: join(dir, 'containers.conf'),
      CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
    },
  };
}
