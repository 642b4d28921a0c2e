#!/usr/bin/env node
// `pnpm demo`: the lab demo on a simulated SR-IOV node (README's main job). Needs root (network namespaces, mounts).
// Builds what it runs (the sriov CNI, sriovdp and sriovctl bundles, the lab and its packages, the demo bundle), then runs
// e2e/dist/demo.js. No shell: every command is spawned with an argv.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
  console.error(
    'pnpm demo needs root: it creates network namespaces, veth/macvlan links and a private mount namespace for the\n' +
      'simulated SR-IOV node. Run it as root (for example: sudo pnpm demo). Nothing was changed.',
  );
  process.exit(1);
}

const packages = ['@sriov-ts/e2e', '@sriov-ts/sriov-cni', '@sriov-ts/sriov-device-plugin', '@sriov-ts/sriovctl'];
const args = [...packages.flatMap((p) => ['--filter', `${p}...`]), 'build'];
console.log(`building the demo and the plugins: pnpm ${args.join(' ')}`);
const started = Date.now();
const build = spawnSync('pnpm', args, { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
if (build.error || build.status !== 0) {
  console.error(build.stdout ?? '', build.stderr ?? '');
  console.error(`building failed (${build.error?.message ?? `exit ${build.status}`})`);
  process.exit(1);
}
console.log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

await import(pathToFileURL(join(root, 'e2e', 'dist', 'demo.js')).href);
