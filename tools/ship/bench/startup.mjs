#!/usr/bin/env node
// Start-up of the single executables against `node <same bundle>` and `node -e 0`, interleaved: every round runs
// each variant once in a shuffled order, so load changes hit all variants alike. Prints medians, p90 and ratios.
// Usage: pnpm ship build && node tools/ship/bench/startup.mjs [rounds]   (NODE_EXTRA_CA_CERTS is removed: lab-notes §3)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const rounds = Number(process.argv[2] ?? 40);
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const plain = mkdtempSync(join(tmpdir(), 'ship-bench-'));

// The same executables without a V8 code cache, to see what the cache buys.
const r = spawnSync(
  process.execPath,
  [join(repo, 'tools/ship/bin/ship.mjs'), 'build', `--out=${plain}`, '--no-code-cache'],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
if (r.status !== 0) process.exit(1);

const variants = [['node -e 0', process.execPath, ['-e', '0'], {}]];
for (const [app, exe, args, extraEnv] of [
  ['sriov-cni', 'sriov', [], { CNI_COMMAND: 'VERSION' }],
  ['ib-sriov-cni', 'ib-sriov', [], { CNI_COMMAND: 'VERSION' }],
  ['sriov-device-plugin', 'sriovdp', ['--version'], {}],
]) {
  const dir = join(repo, 'dist/ship', app);
  if (!existsSync(join(dir, exe))) continue;
  const what = Object.keys(extraEnv).length ? 'VERSION' : args.join(' ');
  variants.push([`${exe} ${what} (SEA, code cache)`, join(dir, exe), args, extraEnv]);
  variants.push([`${exe} ${what} (SEA, no code cache)`, join(plain, app, exe), args, extraEnv]);
  variants.push([
    `node ${exe}.bundle.cjs ${what}`,
    process.execPath,
    [join(dir, `${exe}.bundle.cjs`), ...args],
    extraEnv,
  ]);
}

const times = variants.map(() => []);
// Children's CPU (user+sys) from /proc/self/stat cutime+cstime, in clock ticks (1/100 s): coarse per run, exact in
// sum, and much less sensitive to other load on the machine than wall time.
const cpuTicks = variants.map(() => 0);
const childTicks = () => {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[13]) + Number(fields[14]);
};
const order = variants.map((_, i) => i);
for (let round = 0; round < rounds + 3; round++) {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const i of order) {
    const [, file, args, extraEnv] = variants[i];
    const c0 = childTicks();
    const t0 = process.hrtime.bigint();
    const res = spawnSync(file, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'ignore'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.status !== 0) throw new Error(`${variants[i][0]} exited ${res.status}`);
    if (round >= 3) {
      times[i].push(ms); // 3 warm-up rounds
      cpuTicks[i] += childTicks() - c0;
    }
  }
}
rmSync(plain, { recursive: true, force: true });

const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const floor = q(times[0], 0.5);
console.log(`${rounds} interleaved rounds, load average ${(await import('node:os')).loadavg()[0].toFixed(2)}`);
const cpuFloor = cpuTicks[0] / rounds;
console.log('| variant | wall median ms | wall p90 ms | wall median / node -e 0 | CPU mean ms | CPU / node -e 0 |');
console.log('| --- | --- | --- | --- | --- | --- |');
variants.forEach(([name], i) => {
  const med = q(times[i], 0.5);
  const cpu = cpuTicks[i] / rounds;
  console.log(
    `| ${name} | ${med.toFixed(1)} | ${q(times[i], 0.9).toFixed(1)} | ${(med / floor).toFixed(2)} | ${(cpu * 10).toFixed(1)} | ${(cpu / cpuFloor).toFixed(2)} |`,
  );
});
