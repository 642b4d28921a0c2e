#!/usr/bin/env node
// Start-up cost of parsing one sriov netconf in a fresh node process, as a CNI plugin pays it on every pod:
// an esbuild-minified, tree-shaken ESM bundle that imports parseSriovNetConf and parses one config, against an
// empty ESM script (and an import-only bundle), interleaved in the same run. Prints medians and the deltas of
// the wall time of the whole process, of the process's CPU time (user+sys, robust on a busy machine) and of
// performance.now() at the end of the script (time since the process's time origin).
//   node bench/startup.mjs [rounds]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const rounds = Number(process.argv[2] ?? 40);
const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'netconf-bench-'));
const netconf = JSON.stringify({
  cniVersion: '1.0.0',
  name: 'sriov-net',
  type: 'sriov',
  deviceID: '0000:af:06.0',
  vlan: 100,
  vlanQoS: 2,
  spoofchk: 'on',
  trust: 'off',
  link_state: 'enable',
  max_tx_rate: 1000,
  ipam: { type: 'host-local', subnet: '10.56.217.0/24' },
  runtimeConfig: { mac: 'CA:FE:C0:FF:EE:01' },
});

async function bundle(name, contents) {
  const file = join(dir, `${name}.mjs`);
  await build({
    stdin: { contents, resolveDir: pkg, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: file,
  });
  return file;
}

const REPORT = `const u = process.cpuUsage(); console.log(JSON.stringify({ cpu: (u.user + u.system) / 1000, now: performance.now() }));`;
const variants = {
  'empty ESM script': join(dir, 'empty.mjs'),
  'import only': await bundle(
    'import-only',
    `import { parseSriovNetConf } from './src/index.ts'; globalThis.p = parseSriovNetConf; ${REPORT}`,
  ),
  'import + parse one netconf': await bundle(
    'parse',
    `import { parseSriovNetConf } from './src/index.ts';
     const r = parseSriovNetConf(${JSON.stringify(netconf)}, { cniArgs: { IgnoreUnknown: '1', K8S_POD_NAME: 'p' } });
     if (!r.ok) { console.error(r.error.message); process.exit(1); }
     ${REPORT}`,
  ),
};
writeFileSync(variants['empty ESM script'], `${REPORT}\n`);

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS; // parsing a CA bundle would dominate a node start (lab-notes)
const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, { wall: [], cpu: [], now: [] }]));
for (let i = 0; i < rounds + 2; i++) {
  for (const [name, file] of Object.entries(variants)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [file], { env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    const { cpu, now } = JSON.parse(r.stdout);
    if (i >= 2) {
      // two warm-up rounds
      samples[name].wall.push(ms);
      samples[name].cpu.push(cpu);
      samples[name].now.push(now);
    }
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = (metric) => median(samples['empty ESM script'][metric]);
const cell = (name, metric) => {
  const m = median(samples[name][metric]);
  const d = m - base(metric);
  return `${m.toFixed(1).padStart(6)} ms (${d >= 0 ? '+' : ''}${d.toFixed(1)}, ×${(m / base(metric)).toFixed(2)})`;
};
console.log(
  `node ${process.version}, ${rounds} interleaved rounds, medians; deltas and ratios against the empty script`,
);
console.log(
  `${'process'.padEnd(28)} ${'wall'.padEnd(26)} ${'cpu user+sys'.padEnd(26)} ${'performance.now() at exit'.padEnd(26)} bundle`,
);
for (const [name, file] of Object.entries(variants)) {
  const size = `${(statSync(file).size / 1024).toFixed(1)} KB`;
  console.log(
    `${name.padEnd(28)} ${cell(name, 'wall').padEnd(26)} ${cell(name, 'cpu').padEnd(26)} ${cell(name, 'now').padEnd(26)} ${size}`,
  );
}
rmSync(dir, { recursive: true, force: true });
