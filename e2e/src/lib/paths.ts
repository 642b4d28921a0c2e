// Where the repository's built executables are. Found by walking up to pnpm-workspace.yaml, so the same code works
// from e2e/src (vitest) and from the bundled demo in e2e/dist.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (pnpm-workspace.yaml) above the e2e module');
    dir = up;
  }
}

export interface Executables {
  /** The bundled sriov CNI plugin (netlink addon beside it). */
  sriovCni: string;
  /** The bundled device plugin. */
  sriovdp: string;
  /** The node inspector. */
  sriovctl: string;
  /** The bundled ib-sriov CNI plugin. */
  ibSriovCni: string;
}

export function executables(root = repoRoot()): Executables {
  return {
    sriovCni: join(root, 'apps/sriov-cni/dist/sriov.mjs'),
    sriovdp: join(root, 'apps/sriov-device-plugin/dist/sriovdp.js'),
    sriovctl: join(root, 'apps/sriovctl/dist/sriovctl.mjs'),
    ibSriovCni: join(root, 'apps/ib-sriov-cni/dist/ib-sriov.mjs'),
  };
}

const PACKAGE_OF: Record<keyof Executables, string> = {
  sriovCni: '@sriov-ts/sriov-cni',
  sriovdp: '@sriov-ts/sriov-device-plugin',
  sriovctl: '@sriov-ts/sriovctl',
  ibSriovCni: '@sriov-ts/ib-sriov-cni',
};

/** Builds the apps whose executables are missing (pnpm --filter <app>... build: the app and what it depends on). */
export function ensureExecutables(which: (keyof Executables)[], root = repoRoot()): Executables {
  const exe = executables(root);
  const missing = which.filter((k) => !existsSync(exe[k]));
  if (missing.length > 0) {
    const filters = missing.flatMap((k) => ['--filter', `${PACKAGE_OF[k]}...`]);
    const r = spawnSync('pnpm', [...filters, 'build'], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building ${missing.join(', ')} failed:\n${r.stdout}${r.stderr}`);
  }
  return exe;
}
