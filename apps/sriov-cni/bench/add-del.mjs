#!/usr/bin/env node
// ADD / DEL latency of the bundled `sriov` executable against the Go host-device plugin (Debian
// containernetworking-plugins) on the same lab with host-local IPAM, `node -e 0` as the floor, interleaved in
// one run. Prints medians, p90s and the ratio (ours − floor) / host-device for ADD and DEL (target ≤ 1.25),
// then the wall time of 32 concurrent ADDs (and DELs) for both plugins.
//
// When the single executable exists (`pnpm ship build sriov-cni` → dist/ship/sriov-cni/sriov, what the images
// install), its ADD/DEL are measured in the same rounds too.
//
// Run as root after `pnpm build` (the lab package is imported from its dist): node bench/add-del.mjs [rounds]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLab } from '@sriov-ts/lab';

delete process.env.NODE_EXTRA_CA_CERTS; // ≈100 ms per node start otherwise (lab-notes §3)
const ROUNDS = Number(process.argv[2] ?? 30);
const CONCURRENT = 32;
const BUNDLE = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist', 'sriov.mjs');
const HOST_DEVICE = '/usr/lib/cni/host-device';
const SEA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'ship', 'sriov-cni', 'sriov');
const withSea = existsSync(SEA);

const lab = await createLab({ pfs: [{ vfs: 2 + CONCURRENT }] });
const state = mkdtempSync(join(tmpdir(), 'sriov-bench-'));
try {
  mkdirSync('/var/lib/cni', { recursive: true });
  await lab.spawnInFakeSys('mount', ['--bind', state, '/var/lib/cni']);
  const ipam = (subnet) => ({ type: 'host-local', dataDir: join(state, 'ipam'), ranges: [[{ subnet }]] });
  const ours = (i, netns, id) => ({
    conf: {
      cniVersion: '1.0.0',
      name: 'benchsriov',
      type: 'sriov',
      deviceID: lab.vf(0, i).address,
      ipam: ipam('10.249.0.0/16'),
    },
    netns,
    id,
    argv: [process.execPath, BUNDLE],
  });
  const hostDevice = (i, netns, id) => ({
    conf: {
      cniVersion: '1.0.0',
      name: 'benchhd',
      type: 'host-device',
      device: lab.vf(0, i).netdev,
      ipam: ipam('10.248.0.0/16'),
    },
    netns,
    id,
    argv: [HOST_DEVICE],
  });

  /** Runs argv in the lab's fake-sys namespace (nsenter, as every variant) and returns the wall time in ms. */
  async function timed(argv, env = {}, input = '') {
    const { command, args } = await lab.fakeSysArgv(argv[0], argv.slice(1));
    const start = process.hrtime.bigint();
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH, CNI_PATH: '/usr/lib/cni', CNI_IFNAME: 'net1', CNI_ARGS: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.stdin.end(input);
    const code = await new Promise((r) => child.once('exit', r));
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (code !== 0) throw new Error(`${argv.join(' ')} ${env.CNI_COMMAND ?? ''} failed (${code}): ${out}`);
    return ms;
  }
  const cni = (p, command) =>
    timed(p.argv, { CNI_COMMAND: command, CNI_CONTAINERID: p.id, CNI_NETNS: p.netns }, JSON.stringify(p.conf));

  const sea = (i, netns, id) => ({ ...ours(i, netns, id), argv: [SEA] });
  const samples = { floor: [], version: [], oursAdd: [], oursDel: [], hdAdd: [], hdDel: [], seaAdd: [], seaDel: [] };
  const netnsA = lab.createPodNetns('ba');
  const netnsB = lab.createPodNetns('bb');
  for (let round = 0; round < ROUNDS + 3; round++) {
    const keep = round >= 3; // 3 warm-up rounds
    const a = ours(0, netnsA, `o${round}`);
    const b = hostDevice(1, netnsB, `h${round}`);
    const f = await timed([process.execPath, '-e', '0']);
    const v = await timed([process.execPath, BUNDLE], { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.0.0"}');
    const oa = await cni(a, 'ADD');
    const ha = await cni(b, 'ADD');
    const od = await cni(a, 'DEL');
    const hd = await cni(b, 'DEL');
    const sa = withSea ? await cni(sea(0, netnsA, `s${round}`), 'ADD') : 0;
    const sd = withSea ? await cni(sea(0, netnsA, `s${round}`), 'DEL') : 0;
    if (keep) {
      samples.seaAdd.push(sa);
      samples.seaDel.push(sd);
      samples.floor.push(f);
      samples.version.push(v);
      samples.oursAdd.push(oa);
      samples.hdAdd.push(ha);
      samples.oursDel.push(od);
      samples.hdDel.push(hd);
    }
  }

  const pods = Array.from({ length: CONCURRENT }, (_, i) => lab.createPodNetns(`bc${i}`));
  const wall = async (make, command) => {
    const start = process.hrtime.bigint();
    await Promise.all(pods.map((netns, i) => cni(make(2 + i, netns, `c${i}`), command)));
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const oursAddWall = await wall(ours, 'ADD');
  const oursDelWall = await wall(ours, 'DEL');
  const hdAddWall = await wall(hostDevice, 'ADD');
  const hdDelWall = await wall(hostDevice, 'DEL');

  const q = (xs, p) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  const row = (name, xs) =>
    `${name.padEnd(22)} median ${q(xs, 0.5).toFixed(1).padStart(6)} ms   p90 ${q(xs, 0.9).toFixed(1).padStart(6)} ms`;
  console.log(`sriov bench: ${ROUNDS} interleaved rounds (+3 warm-up), 2 CPUs, NODE_EXTRA_CA_CERTS unset`);
  console.log(row('node -e 0 (floor)', samples.floor));
  console.log(row('sriov VERSION', samples.version));
  console.log(row('sriov ADD', samples.oursAdd));
  console.log(row('host-device ADD', samples.hdAdd));
  console.log(row('sriov DEL', samples.oursDel));
  console.log(row('host-device DEL', samples.hdDel));
  const floor = q(samples.floor, 0.5);
  const ratio = (o, h) => ((q(o, 0.5) - floor) / q(h, 0.5)).toFixed(2);
  console.log(
    `ratio (ours − floor) / host-device: ADD ${ratio(samples.oursAdd, samples.hdAdd)}   DEL ${ratio(samples.oursDel, samples.hdDel)}   (target ≤ 1.25)`,
  );
  if (withSea) {
    console.log(row('sriov single exe ADD', samples.seaAdd));
    console.log(row('sriov single exe DEL', samples.seaDel));
    console.log(
      `ratio (single exe − floor) / host-device: ADD ${ratio(samples.seaAdd, samples.hdAdd)}   DEL ${ratio(samples.seaDel, samples.hdDel)}`,
    );
  } else {
    console.log(`(no single executable at ${SEA}: run \`pnpm ship build sriov-cni\` to measure it too)`);
  }
  console.log(
    `${CONCURRENT} concurrent ADD wall: sriov ${oursAddWall.toFixed(0)} ms, host-device ${hdAddWall.toFixed(0)} ms`,
  );
  console.log(
    `${CONCURRENT} concurrent DEL wall: sriov ${oursDelWall.toFixed(0)} ms, host-device ${hdDelWall.toFixed(0)} ms`,
  );
} finally {
  await lab.destroy();
  rmSync(state, { recursive: true, force: true });
}
