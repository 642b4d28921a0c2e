#!/usr/bin/env node
// ADD / DEL latency of the bundled `sriov` executable against the Go host-device plugin (Debian
// containernetworking-plugins) on the same lab with host-local IPAM, `node -e 0` as the floor, interleaved in
// one run. Prints medians, p90s and the ratio (ours − floor) / host-device for ADD and DEL (target ≤ 1.25),
// then the wall time of 32 concurrent ADDs (and DELs) for both plugins.
//
// "The bundled executable" is measured as the README installs it: dist/sriov.mjs copied to <cni bin>/sriov (no
// extension, no package.json around) and executed directly, shebang and all — Node loads it as CommonJS. The same
// file run as `node dist/sriov.mjs` (an ES module: Node's ESM loader first) is measured in the same rounds too, and
// so is the single executable (`pnpm ship build sriov-cni` → dist/ship/sriov-cni/sriov, what the images install)
// when it exists.
//
// The same rounds also time what host-device pays as well, for reading the ratio: host-local alone (ADD, DEL) and
// the kernel's part of the netdev move, in-process through netlink-ops (into the pod renamed and up; back down and
// renamed).
//
// Run as root after `pnpm build` (the lab package is imported from its dist): node bench/add-del.mjs [rounds]
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLab } from '@sriov-ts/lab';
import { moveLink, setLink } from '@sriov-ts/netlink-ops';

delete process.env.NODE_EXTRA_CA_CERTS; // ≈100 ms per node start otherwise (lab-notes §3)
const ROUNDS = Number(process.argv[2] ?? 30);
const CONCURRENT = 32;
const BUNDLE = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist', 'sriov.mjs');
const HOST_DEVICE = '/usr/lib/cni/host-device';
const HOST_LOCAL = '/usr/lib/cni/host-local';
const SEA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'ship', 'sriov-cni', 'sriov');
const withSea = existsSync(SEA);

const lab = await createLab({ pfs: [{ vfs: 3 + CONCURRENT }] });
const state = mkdtempSync(join(tmpdir(), 'sriov-bench-'));
try {
  mkdirSync('/var/lib/cni', { recursive: true });
  await lab.spawnInFakeSys('mount', ['--bind', state, '/var/lib/cni']);
  const ipam = (subnet) => ({ type: 'host-local', dataDir: join(state, 'ipam'), ranges: [[{ subnet }]] });
  // Installed as the README says: the bundle as <cni bin>/sriov, its addon beside it.
  const cniBin = join(state, 'cnibin');
  mkdirSync(cniBin);
  const INSTALLED = join(cniBin, 'sriov');
  copyFileSync(BUNDLE, INSTALLED);
  copyFileSync(join(dirname(BUNDLE), 'netlink_ops.node'), join(cniBin, 'netlink_ops.node'));
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
    argv: [INSTALLED],
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
  const esm = (i, netns, id) => ({ ...ours(i, netns, id), argv: [process.execPath, BUNDLE] });
  const samples = {
    floor: [],
    version: [],
    oursAdd: [],
    oursDel: [],
    hdAdd: [],
    hdDel: [],
    seaAdd: [],
    seaDel: [],
    esmAdd: [],
    esmDel: [],
  };
  const bound = { hostLocalAdd: [], hostLocalDel: [], moveIn: [], moveOut: [] };
  const netnsA = lab.createPodNetns('ba');
  const netnsB = lab.createPodNetns('bb');
  const netnsM = lab.createPodNetns('bm');
  const hostLocalConf = JSON.stringify({ cniVersion: '1.0.0', name: 'benchhl', ipam: ipam('10.247.0.0/16') });
  const hostLocal = (command, id) =>
    timed([HOST_LOCAL], { CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: netnsM }, hostLocalConf);
  /** The kernel's part of an attachment: a VF into a pod (renamed, up) and back (down, renamed), in-process. */
  const kernelMoves = (vf) => {
    let t = process.hrtime.bigint();
    moveLink(vf.netdev, { toNetns: netnsM, newName: 'net1', up: true });
    const moveIn = Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    setLink('net1', { up: false }, { netns: netnsM });
    moveLink('net1', { netns: netnsM, toNetns: '/proc/self/ns/net', newName: vf.netdev });
    return { moveIn, moveOut: Number(process.hrtime.bigint() - t) / 1e6 };
  };
  for (let round = 0; round < ROUNDS + 3; round++) {
    const keep = round >= 3; // 3 warm-up rounds
    const a = ours(0, netnsA, `o${round}`);
    const b = hostDevice(1, netnsB, `h${round}`);
    const f = await timed([process.execPath, '-e', '0']);
    const v = await timed([INSTALLED], { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.0.0"}');
    const oa = await cni(a, 'ADD');
    const ha = await cni(b, 'ADD');
    const od = await cni(a, 'DEL');
    const hd = await cni(b, 'DEL');
    const sa = withSea ? await cni(sea(0, netnsA, `s${round}`), 'ADD') : 0;
    const sd = withSea ? await cni(sea(0, netnsA, `s${round}`), 'DEL') : 0;
    const ea = await cni(esm(0, netnsA, `e${round}`), 'ADD');
    const ed = await cni(esm(0, netnsA, `e${round}`), 'DEL');
    const la = await hostLocal('ADD', `l${round}`);
    const ld = await hostLocal('DEL', `l${round}`);
    const km = kernelMoves(lab.vf(0, 2));
    if (keep) {
      samples.esmAdd.push(ea);
      samples.esmDel.push(ed);
      bound.hostLocalAdd.push(la);
      bound.hostLocalDel.push(ld);
      bound.moveIn.push(km.moveIn);
      bound.moveOut.push(km.moveOut);
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
    await Promise.all(pods.map((netns, i) => cni(make(3 + i, netns, `c${i}`), command)));
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const oursAddWall = await wall(ours, 'ADD');
  const oursDelWall = await wall(ours, 'DEL');
  const hdAddWall = await wall(hostDevice, 'ADD');
  const hdDelWall = await wall(hostDevice, 'DEL');

  const q = (xs, p) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  const row = (name, xs) =>
    `${name.padEnd(26)} median ${q(xs, 0.5).toFixed(1).padStart(6)} ms   p90 ${q(xs, 0.9).toFixed(1).padStart(6)} ms`;
  console.log(`sriov bench: ${ROUNDS} interleaved rounds (+3 warm-up), 2 CPUs, NODE_EXTRA_CA_CERTS unset`);
  console.log(row('node -e 0 (floor)', samples.floor));
  console.log(row('sriov VERSION (installed)', samples.version));
  console.log(row('sriov ADD (installed)', samples.oursAdd));
  console.log(row('host-device ADD', samples.hdAdd));
  console.log(row('sriov DEL (installed)', samples.oursDel));
  console.log(row('host-device DEL', samples.hdDel));
  const floor = q(samples.floor, 0.5);
  const ratio = (o, h) => ((q(o, 0.5) - floor) / q(h, 0.5)).toFixed(2);
  console.log(
    `ratio (ours − floor) / host-device: ADD ${ratio(samples.oursAdd, samples.hdAdd)}   DEL ${ratio(samples.oursDel, samples.hdDel)}   (target ≤ 1.25)`,
  );
  console.log(row('node dist/sriov.mjs ADD', samples.esmAdd));
  console.log(row('node dist/sriov.mjs DEL', samples.esmDel));
  console.log(
    `ratio (node dist/sriov.mjs − floor) / host-device: ADD ${ratio(samples.esmAdd, samples.hdAdd)}   DEL ${ratio(samples.esmDel, samples.hdDel)}   (ESM loader first)`,
  );
  // What host-device pays too: the IPAM plugin and the kernel's move. Our ADD runs host-local while the kernel moves
  // the netdev, so only the longer of the two counts there; DEL runs them one after the other (IPAM first, as Go).
  console.log(row('host-local ADD alone', bound.hostLocalAdd));
  console.log(row('host-local DEL alone', bound.hostLocalDel));
  console.log(row('kernel move into pod', bound.moveIn));
  console.log(row('kernel move back', bound.moveOut));
  const kernelAdd = Math.max(q(bound.hostLocalAdd, 0.5), q(bound.moveIn, 0.5));
  const kernelDel = q(bound.hostLocalDel, 0.5) + q(bound.moveOut, 0.5);
  console.log(
    `our (installed) cost above IPAM + kernel move: ADD ${(q(samples.oursAdd, 0.5) - floor - kernelAdd).toFixed(1)} ms   DEL ${(q(samples.oursDel, 0.5) - floor - kernelDel).toFixed(1)} ms`,
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
