// A private podman/buildah configuration in one directory (lab-notes §4): vfs storage, cgroupfs, runc (crun fails
// on this kernel's hybrid cgroups), the nofile limit under the VM's hard limit. Nothing under /etc is touched;
// commands select it through CONTAINERS_CONF / CONTAINERS_STORAGE_CONF / BUILDAH_ISOLATION.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function containersEnv(dir: string): Record<string, string> {
  for (const sub of ['podman/tmp', 'podman/root', 'podman/runroot', 'netd'])
    mkdirSync(join(dir, sub), { recursive: true });
  const conf = join(dir, 'containers.conf');
  const storage = join(dir, 'storage.conf');
  writeFileSync(
    conf,
    `[containers]
default_ulimits = ["nofile=20000:20000", "nproc=1024:1024"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "${dir}/podman/events.log"
runtime = "runc"
tmp_dir = "${dir}/podman/tmp"
[network]
# Containers here run with --network none or host; keep podman's network state out of /etc/cni/net.d.
network_backend = "cni"
network_config_dir = "${dir}/netd"
`,
  );
  writeFileSync(
    storage,
    `[storage]
driver = "vfs"
graphroot = "${dir}/podman/root"
runroot = "${dir}/podman/runroot"
`,
  );
  return {
    CONTAINERS_CONF: conf,
    CONTAINERS_STORAGE_CONF: storage,
    BUILDAH_ISOLATION: 'chroot',
    TMPDIR: join(dir, 'podman/tmp'),
  };
}
