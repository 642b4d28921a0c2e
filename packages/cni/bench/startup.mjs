// Start-up cost of a plugin built on @sriov-ts/cni, against an empty ESM script measured in the same run
// (interleaved, so machine load hits every variant alike). Run: pnpm --filter @sriov-ts/cni bench
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'cni-bench-'));
const rounds = Number(process.env.ROUNDS ?? 30);

await build({
  entry: { plugin: join(pkgDir, 'test/fixtures/tiny-plugin.ts') },
  outDir: out,
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  treeshake: true,
  minify: true,
  external: ['@sriov-ts/netlink-ops'],
  dts: false,
  silent: true,
  config: false,
});
writeFileSync(join(out, 'empty.mjs'), 'console.log("{}");\n');

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const add = JSON.stringify({ cniVersion: '1.0.0', name: 'tiny', type: 'tiny', device: 'vf0' });
const variants = {
  'empty ESM script': { args: [join(out, 'empty.mjs')], env, input: '' },
  'plugin VERSION': {
    args: [join(out, 'plugin.js')],
    env: { ...env, CNI_COMMAND: 'VERSION' },
    input: '{"cniVersion":"1.0.0"}',
  },
  'plugin ADD (no device work)': {
    args: [join(out, 'plugin.js')],
    env: {
      ...env,
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: 'c1',
      CNI_NETNS: '/run/netns/x',
      CNI_IFNAME: 'net1',
      CNI_PATH: '/opt/cni/bin',
    },
    input: add,
  },
};
const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let i = 0; i < rounds; i++) {
  for (const [name, v] of Object.entries(variants)) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, v.args, { env: v.env, input: v.input, stdio: ['pipe', 'pipe', 'pipe'] });
    const dt = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stdout}${r.stderr}`);
    samples[name].push(dt);
  }
}
rmSync(out, { recursive: true, force: true });
const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const base = q(samples['empty ESM script'], 0.5);
console.log(`rounds=${rounds} (interleaved), wall time per process, ms`);
for (const [name, xs] of Object.entries(samples)) {
  const med = q(xs, 0.5);
  console.log(
    `${name.padEnd(30)} median ${med.toFixed(1).padStart(6)}  p90 ${q(xs, 0.9).toFixed(1).padStart(6)}  ` +
      `ratio ${(med / base).toFixed(2)}  (+${(med - base).toFixed(1)} ms over empty)`,
  );
}
