#!/usr/bin/env node
// Start-up cost of the bundled plugin: `sriov` VERSION against `node -e 0`, interleaved, NODE_EXTRA_CA_CERTS unset.
// The bundle runs as installed (copied to a directory as `sriov`, executed directly: Node loads it as CommonJS) and as
// `node dist/sriov.mjs` (an ES module). Usage: node bench/startup.mjs [rounds]
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

delete process.env.NODE_EXTRA_CA_CERTS;
const ROUNDS = Number(process.argv[2] ?? 40);
const BUNDLE = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist', 'sriov.mjs');
const bin = mkdtempSync(join(tmpdir(), 'sriov-startup-'));
const INSTALLED = join(bin, 'sriov');
copyFileSync(BUNDLE, INSTALLED);
const env = { PATH: process.env.PATH, CNI_COMMAND: 'VERSION' };
const time = (argv, input) => {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env, input });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const samples = { floor: [], installed: [], esm: [] };
try {
  for (let i = 0; i < ROUNDS + 3; i++) {
    const f = time([process.execPath, '-e', '0'], '');
    const v = time([INSTALLED], '{"cniVersion":"1.0.0"}');
    const e = time([process.execPath, BUNDLE], '{"cniVersion":"1.0.0"}');
    if (i >= 3) {
      samples.floor.push(f);
      samples.installed.push(v);
      samples.esm.push(e);
    }
  }
} finally {
  rmSync(bin, { recursive: true, force: true });
}
const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const row = (name, xs) => `${name.padEnd(30)} median ${q(xs, 0.5).toFixed(1)} ms   p90 ${q(xs, 0.9).toFixed(1)} ms`;
console.log(row('node -e 0', samples.floor));
console.log(row('sriov VERSION (installed)', samples.installed));
console.log(row('node dist/sriov.mjs VERSION', samples.esm));
const above = (xs) => (q(xs, 0.5) - q(samples.floor, 0.5)).toFixed(1);
console.log(
  `start-up above the floor: installed ${above(samples.installed)} ms, node dist/sriov.mjs ${above(samples.esm)} ms`,
);
