#!/usr/bin/env node
// Start-up cost of the bundled plugin: `sriov` VERSION against `node -e 0`, interleaved, NODE_EXTRA_CA_CERTS unset.
// Usage: node bench/startup.mjs [rounds]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.argv[2] ?? 40);
const BUNDLE = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist', 'sriov.mjs');
const env = { PATH: process.env.PATH, CNI_COMMAND: 'VERSION' };
const time = (args, input) => {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, input });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const floor = [];
const version = [];
for (let i = 0; i < ROUNDS + 3; i++) {
  const f = time(['-e', '0'], '');
  const v = time([BUNDLE], '{"cniVersion":"1.0.0"}');
  if (i >= 3) {
    floor.push(f);
    version.push(v);
  }
}
const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const row = (name, xs) => `${name.padEnd(20)} median ${q(xs, 0.5).toFixed(1)} ms   p90 ${q(xs, 0.9).toFixed(1)} ms`;
console.log(row('node -e 0', floor));
console.log(row('sriov VERSION', version));
console.log(`start-up above the floor: ${(q(version, 0.5) - q(floor, 0.5)).toFixed(1)} ms (median)`);
