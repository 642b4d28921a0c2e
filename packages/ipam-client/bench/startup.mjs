// Start-up cost of importing @sriov-ts/ipam-client (built dist) in a fresh Node process, against two peers measured
// in the same run: `node -e 0` (the floor) and importing @sriov-ts/cni (which every plugin imports anyway).
// Also checks that the import loads neither node:child_process nor the netlink addon.
// Run: pnpm --filter @sriov-ts/ipam-client build && node bench/startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 30);
const cwd = fileURLToPath(new URL('..', import.meta.url));
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS; // parsing a CA bundle would dominate every start (lab-notes §3)

const cases = {
  'node -e 0': ['-e', '0'],
  'import @sriov-ts/cni': ['--input-type=module', '-e', "await import('@sriov-ts/cni')"],
  'import @sriov-ts/ipam-client': ['--input-type=module', '-e', "await import('@sriov-ts/ipam-client')"],
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs + 3; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd, env, stdio: 'inherit' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${name} failed`);
    if (i >= 3) times[name].push(ms);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const floor = median(times['node -e 0']);
for (const [name, t] of Object.entries(times)) {
  console.log(`${name.padEnd(30)} median ${median(t).toFixed(1)} ms  ratio to floor ${(median(t) / floor).toFixed(2)}`);
}
const probe = spawnSync(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    "await import('@sriov-ts/ipam-client'); const l = process.moduleLoadList.join(' ');" +
      "console.log(JSON.stringify({ childProcess: l.includes('NativeModule child_process'), " +
      "addon: Object.keys((await import('node:module')).createRequire(import.meta.url).cache).some((k) => k.endsWith('.node')) }))",
  ],
  { cwd, env, encoding: 'utf8' },
);
console.log(`loaded at import: ${probe.stdout.trim()}`);
