#!/usr/bin/env node
// netlink-ops benchmarks (not tests): each measurement next to `ip` doing the same in the same run.
//   1. module load in a fresh process, addon loaded (import + first native call), vs a fresh `ip -j link show lo`
//   2. one RTM_GETLINK (socket open + request + close) vs `ip -j link show dev lo`
//   3. move + rename + up in one request vs the kernel's plain move, vs `ip link set X netns N name Y up`
// Needs root (netns, veth) and a built package (`pnpm build`; the npm script does it). Medians of N runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const N = Number(process.env.BENCH_RUNS ?? 31);
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const lib = await import(dist);
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS; // parsing a CA bundle at every node start would dwarf what is measured

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
const time = (fn) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
const rows = [];
const report = (name, ours, peerName, peer, target) => {
  const ratio = ours / peer;
  rows.push({ name, ours, peerName, peer, ratio, target });
  console.log(
    `${name.padEnd(34)} ${fmt(ours).padStart(10)}   ${peerName.padEnd(40)} ${fmt(peer).padStart(10)}   ratio ${ratio.toFixed(3)}${target ? `   target ${target}` : ''}`,
  );
};

if (process.getuid?.() !== 0) {
  console.error('bench needs root (network namespaces, veth)');
  process.exit(1);
}
console.log(`netlink-ops bench: medians of ${N} runs, node ${process.version}, ${new Date().toISOString()}`);

// 1. Module load in a fresh process: import the package and make the first native call (loads the .node addon).
// The first dynamic import() of any file initialises Node's ESM loader; that fixed cost is measured separately by
// importing an empty module the same way, and the package's cost is the difference. Wall time and CPU time
// (user+system of the process, which a busy machine inflates less) are both reported.
const empty = fileURLToPath(new URL('./empty.mjs', import.meta.url));
const loadScript = (target, native) => `
const fd = process.getBuiltinModule('node:fs').openSync('/dev/null', 'r');
const c0 = process.cpuUsage();
const t0 = performance.now();
const m = await import(${JSON.stringify(target)});
${native ? "m.tryFlock(fd, 'shared'); m.unflock(fd);" : ''}
const wall = performance.now() - t0;
const c = process.cpuUsage(c0);
process.stdout.write(JSON.stringify([wall, (c.user + c.system) / 1000]));`;
const fresh = (target, native) => {
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', loadScript(target, native)], {
    env,
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(out.stderr);
  return JSON.parse(out.stdout);
};
const loads = [];
const baselines = [];
const ipSpawns = [];
for (let i = 0; i < N; i++) {
  baselines.push(fresh(empty, false));
  loads.push(fresh(dist, true));
  ipSpawns.push(time(() => spawnSync('ip', ['-j', 'link', 'show', 'dev', 'lo'])));
}
const wallDelta = median(loads.map((l) => l[0])) - median(baselines.map((b) => b[0]));
const cpuDelta = median(loads.map((l) => l[1])) - median(baselines.map((b) => b[1]));
console.log(
  `(fresh process, first import(): empty module ${fmt(median(baselines.map((b) => b[0])))} wall / ${fmt(median(baselines.map((b) => b[1])))} CPU; ` +
    `netlink-ops + addon ${fmt(median(loads.map((l) => l[0])))} wall / ${fmt(median(loads.map((l) => l[1])))} CPU)`,
);
report('module load + addon, wall', wallDelta, 'spawn `ip -j link show dev lo`', median(ipSpawns), '<= 6 ms');
report('module load + addon, CPU', cpuDelta, 'spawn `ip -j link show dev lo`', median(ipSpawns), '<= 6 ms');

// 2. One GETLINK by name: socket open, request, reply parse, close.
for (let i = 0; i < 50; i++) lib.getLink('lo');
const gets = [];
for (let i = 0; i < Math.max(N, 1000); i++) gets.push(time(() => lib.getLink('lo')));
const ipGets = [];
for (let i = 0; i < N; i++)
  ipGets.push(time(() => JSON.parse(execFileSync('ip', ['-j', 'link', 'show', 'dev', 'lo'], { encoding: 'utf8' }))));
report('getLink("lo")', median(gets), '`ip -j link show dev lo` + JSON.parse', median(ipGets), '<= 0.1 ms');

// 3. Moves, interleaved so background load affects all three alike.
const tag = `bn${Math.random().toString(36).slice(2, 6)}`;
const nsName = `${tag}ns`;
const nsPath = lib.createNetns(nsName);
const plain = [];
const combined = [];
const viaIp = [];
try {
  for (let i = 0; i < N; i++) {
    for (const kind of ['plain', 'combined', 'ip']) {
      const a = `${tag}a${i}${kind[0]}`;
      const b = `${tag}b${i}${kind[0]}`;
      lib.createVeth(a, b);
      const target = `${tag}p${i}${kind[0]}`;
      if (kind === 'plain') plain.push(time(() => lib.moveLink(a, { toNetns: nsPath })));
      else if (kind === 'combined')
        combined.push(time(() => lib.moveLink(a, { toNetns: nsPath, newName: target, up: true })));
      else viaIp.push(time(() => execFileSync('ip', ['link', 'set', 'dev', a, 'netns', nsName, 'name', target, 'up'])));
      lib.deleteLink(b); // deletes the moved end too
    }
  }
} finally {
  lib.deleteNetns(nsPath);
}
report(
  'moveLink + rename + up (1 request)',
  median(combined),
  'kernel move alone (moveLink, no rename/up)',
  median(plain),
  '<= 1.10',
);
report('moveLink + rename + up (1 request)', median(combined), '`ip link set … netns … name … up`', median(viaIp));
console.log(JSON.stringify({ runs: N, results: rows }));
