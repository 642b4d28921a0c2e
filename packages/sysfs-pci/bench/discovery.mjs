// Discovery cost of 1000 VFs (2 PFs x 500) on a fake tree: sysfs-pci's synchronous scanDevices() against a peer
// measured in the same run, the same reads done with fs/promises (Promise.all per device, all devices at once).
// Prints medians and the ratio; the device plugin's budget for this is 300 ms. Run: pnpm --filter @sriov-ts/sysfs-pci bench
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createSysfs, pciAddressPlus } from '../dist/index.js';

const root = mkdtempSync(join(tmpdir(), 'sysfs-pci-bench-'));
const sys = join(root, 'sys');
const link = (at, target) => {
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(relative(dirname(at), target), at);
};
const file = (path, content) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
};
let group = 0;
function device(address, vendor, dev, driver, extra = {}) {
  const dir = join(sys, 'devices/pci0000:00', address);
  const files = { vendor: `0x${vendor}\n`, device: `0x${dev}\n`, class: '0x020000\n', numa_node: '0\n', ...extra };
  for (const [k, v] of Object.entries(files)) file(join(dir, k), v);
  file(join(dir, 'subsystem_vendor'), `0x${vendor}\n`);
  file(join(dir, 'subsystem_device'), '0x0000\n');
  const up = (h) => h.toUpperCase();
  file(join(dir, 'modalias'), `pci:v0000${up(vendor)}d0000${up(dev)}sv0000${up(vendor)}sd00000000bc02sc00i00\n`);
  link(join(sys, 'bus/pci/devices', address), dir);
  mkdirSync(join(sys, 'bus/pci/drivers', driver), { recursive: true });
  link(join(dir, 'driver'), join(sys, 'bus/pci/drivers', driver));
  const g = join(sys, 'kernel/iommu_groups', String(group++));
  link(join(dir, 'iommu_group'), g);
  return dir;
}
function netdev(dir, name) {
  file(join(dir, 'net', name, 'type'), '1\n');
  link(join(sys, 'class/net', name), join(dir, 'net', name));
}
for (let p = 0; p < 2; p++) {
  const pf = `0000:${(0x3b + p * 4).toString(16)}:00.0`;
  const pfDir = device(pf, '8086', '158b', 'i40e', { sriov_totalvfs: '500\n', sriov_numvfs: '500\n' });
  netdev(pfDir, `ens${p}f0`);
  for (let v = 0; v < 500; v++) {
    const vf = pciAddressPlus(pf, 2 + v);
    const vfDir = device(vf, '8086', '154c', 'iavf');
    link(join(vfDir, 'physfn'), pfDir);
    link(join(pfDir, `virtfn${v}`), vfDir);
    netdev(vfDir, `ens${p}f0v${v}`);
  }
}

// Peer: the same facts read asynchronously.
async function asyncScan() {
  const base = join(sys, 'bus/pci/devices');
  const names = (await readdir(base)).sort();
  const pfIndex = new Map();
  const txt = (p) =>
    readFile(p, 'utf8').then(
      (s) => s.trim(),
      () => null,
    );
  const lnk = (p) =>
    readlink(p).then(
      (s) => s.slice(s.lastIndexOf('/') + 1),
      () => null,
    );
  const ls = (p) =>
    readdir(p).then(
      (e) => e.sort(),
      () => [],
    );
  async function indexOf(pf) {
    if (!pfIndex.has(pf)) {
      pfIndex.set(
        pf,
        (async () => {
          const dir = join(base, pf);
          const entries = (await ls(dir)).filter((e) => e.startsWith('virtfn'));
          const targets = await Promise.all(entries.map((e) => lnk(join(dir, e))));
          return new Map(targets.map((t, i) => [t, Number(entries[i].slice(6))]));
        })(),
      );
    }
    return pfIndex.get(pf);
  }
  return Promise.all(
    names.map(async (a) => {
      const d = join(base, a);
      // The same reads as scanDevices: IDs and class from modalias, the rest from their own files.
      const [modalias, numa, driver, group, physfn, total, numvfs, net] = await Promise.all([
        txt(join(d, 'modalias')),
        txt(join(d, 'numa_node')),
        lnk(join(d, 'driver')),
        lnk(join(d, 'iommu_group')),
        lnk(join(d, 'physfn')),
        txt(join(d, 'sriov_totalvfs')),
        txt(join(d, 'sriov_numvfs')),
        ls(join(d, 'net')),
      ]);
      const m = /^pci:v0000(.{4})d0000(.{4})sv0000(.{4})sd0000(.{4})bc(..)sc(..)i(..)$/.exec(modalias ?? '');
      const [vendor, dev, sv, sd, cls] = m === null ? [] : [m[1], m[2], m[3], m[4], m[5] + m[6] + m[7]];
      const vfIndex = physfn === null ? null : (await indexOf(physfn)).get(a);
      const type = net[0] === undefined ? null : await txt(join(sys, 'class/net', net[0], 'type'));
      return { a, vendor, dev, cls, sv, sd, modalias, numa, driver, group, physfn, total, numvfs, net, vfIndex, type };
    }),
  );
}

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const sysfs = createSysfs({ root });
const syncTimes = [];
const asyncTimes = [];
let count = 0;
for (let round = 0; round < 15; round++) {
  let t = process.hrtime.bigint();
  count = sysfs.scanDevices().length;
  syncTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
  t = process.hrtime.bigint();
  await asyncScan();
  asyncTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
}
rmSync(root, { recursive: true, force: true });
const s = median(syncTimes);
const a = median(asyncTimes);
console.log(`devices scanned: ${count} (2 PFs + 1000 VFs), 15 interleaved rounds`);
console.log(`sysfs-pci scanDevices (sync):      median ${s.toFixed(1)} ms`);
console.log(`peer: same reads via fs/promises:  median ${a.toFixed(1)} ms`);
console.log(`ratio sync/async: ${(s / a).toFixed(2)}  (budget for discovery: 300 ms)`);
