// Device plugin benchmark on a simulated node: 8 PFs × 128 VFs (lab fake sysfs tree, no root needed).
// Measures discovery, first ListAndWatch, Allocate p50/p90, link-down → ListAndWatch update latency and RSS, and
// prints each against a peer measured in the same run (so machine speed cancels out):
//   discovery   vs a bare walk reading the same sysfs attributes (readdir + readFile + readlink, no logic)
//   Allocate    vs PreStartContainer (an empty unary RPC on the same connection: the gRPC floor)
//   link update vs a unary RPC round trip (what a poll-based health check would at least cost per check)
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPools } from '@sriov-ts/device-selection';
import { createLab } from '@sriov-ts/lab';
import { loadDevicePluginConfig } from '../src/config.js';
import { createSysfsHost } from '../src/host.js';
import { silentLogger } from '../src/logger.js';
import { DevicePlugin } from '../src/plugin.js';
import { FakeKubelet } from '../test/fake-kubelet.js';
import { FakeLinks, FakeNodes } from '../test/host-fixtures.js';

const PFS = 8;
const VFS = 128;
const TARGETS = { discoveryMs: 300, allocateP50Ms: 2, updateMs: 100, rssMb: 80 };

const now = () => Number(process.hrtime.bigint()) / 1e6;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const median = (xs: number[]) => pct(xs, 50);
const fmt = (n: number) => n.toFixed(n < 10 ? 3 : 1);

function bareWalk(root: string): number {
  const dir = join(root, 'sys/bus/pci/devices');
  let n = 0;
  for (const a of readdirSync(dir)) {
    const d = join(dir, a);
    const entries = readdirSync(d);
    for (const f of ['vendor', 'device', 'class', 'numa_node'])
      if (entries.includes(f)) n += readFileSync(join(d, f)).length;
    for (const l of ['driver', 'physfn', 'iommu_group']) if (entries.includes(l)) n += readlinkSync(join(d, l)).length;
    if (entries.includes('net')) n += readdirSync(join(d, 'net')).length;
  }
  return n;
}

async function main() {
  const lab = await createLab({
    pfs: Array.from({ length: PFS }, (_, i) => ({ vfs: VFS, totalVfs: VFS, numaNode: i % 2, dpdkVfs: [0, 1, 2, 3] })),
    realNetdevs: false,
  });
  const work = mkdtempSync(join(tmpdir(), 'sriovdp-bench-'));
  const results: string[] = [];
  try {
    const links = new FakeLinks();
    for (const pf of lab.pfs) links.state.set(pf.netdev, true);
    const sysHost = createSysfsHost({
      sysfs: lab.sysfs,
      log: silentLogger,
      defaultRouteNetdevs: async () => new Set(),
    });
    const host = { snapshot: () => sysHost.snapshot(), nodes: new FakeNodes(), links };
    const config = {
      resourceList: [
        ...lab.pfs.map((pf, i) => ({
          resourceName: `pf${i}`,
          selectors: [{ pfNames: [pf.netdev], drivers: ['iavf'] }],
        })),
        { resourceName: 'dpdk', selectors: [{ drivers: ['vfio-pci'] }] },
      ],
    };
    const resources = loadDevicePluginConfig(JSON.stringify(config), 'intel.com');

    // Discovery: sysfs snapshot + pools, repeated; first run (cold caches) reported separately.
    const disc: number[] = [];
    const walk: number[] = [];
    const pooling: number[] = [];
    let devices = 0;
    for (let i = 0; i < 7; i++) {
      let t = now();
      const snap = await host.snapshot();
      const t1 = now();
      const pools = buildPools(snap, resources, silentLogger);
      pooling.push(now() - t1);
      disc.push(now() - t);
      devices = pools.reduce((n, p) => n + p.devices.length, 0);
      t = now();
      bareWalk(lab.root);
      walk.push(now() - t);
    }
    results.push(
      `discovery (${PFS} PFs x ${VFS} VFs, ${devices} pool devices): first ${fmt(disc[0]!)} ms, median ${fmt(median(disc))} ms ` +
        `(target <= ${TARGETS.discoveryMs}); bare attribute walk median ${fmt(median(walk))} ms; ratio ${(median(disc) / median(walk)).toFixed(2)}x; of which pool building (selectors) ${fmt(median(pooling))} ms`,
    );

    // First ListAndWatch: plugin start → fake kubelet holds the first list of every pool.
    const dp = join(work, 'dp');
    mkdirSync(dp);
    const configFile = join(work, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
    const kubelet = new FakeKubelet(dp);
    await kubelet.start();
    const plugin = new DevicePlugin({
      configFile,
      resourcePrefix: 'intel.com',
      useCdi: false,
      loadConfig: (t, p) => loadDevicePluginConfig(t, p),
      host,
      log: silentLogger,
      devicePluginDir: dp,
      pluginsRegistryDir: join(work, 'no-registry'),
      deviceInfoDir: join(work, 'devinfo'),
      cdiDirs: [join(work, 'cdi')],
      rescanIntervalMs: 0,
      watchConfig: false,
    });
    const t0 = now();
    await plugin.start();
    await kubelet.waitFor(
      () => kubelet.plugins.size === PFS + 1 && [...kubelet.plugins.values()].every((p) => p.updates.length > 0),
      'all pools listed',
      60_000,
    );
    const firstList = now() - t0;
    results.push(
      `start → first ListAndWatch of all ${PFS + 1} pools (incl. discovery + registration): ${fmt(firstList)} ms`,
    );

    // Allocate p50/p90 (one VF per call, device-info file written each time) vs PreStartContainer.
    const R = 'intel.com/pf0';
    const ids = kubelet.latest(R)!.map((d) => d.ID);
    const conn = kubelet.plugins.get(R)!;
    const alloc: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < 2000; i++) {
      let t = now();
      await kubelet.allocate(R, [ids[i % ids.length]!]);
      alloc.push(now() - t);
      t = now();
      await new Promise<void>((res, rej) =>
        conn.client.preStartContainer({ devicesIds: [] }, (e) => (e ? rej(e) : res())),
      );
      floor.push(now() - t);
    }
    const a = alloc.slice(200);
    const f = floor.slice(200);
    results.push(
      `Allocate: p50 ${fmt(median(a))} ms, p90 ${fmt(pct(a, 90))} ms (target p50 <= ${TARGETS.allocateP50Ms}); ` +
        `PreStartContainer floor p50 ${fmt(median(f))} ms; ratio ${(median(a) / median(f)).toFixed(2)}x`,
    );

    // Link down → Unhealthy update at the kubelet (127 VFs of one PF change in one update).
    const lat: number[] = [];
    const pf = lab.pfs[1]!.netdev;
    const R1 = 'intel.com/pf1';
    for (let i = 0; i < 50; i++) {
      const down = i % 2 === 0;
      const before = kubelet.plugins.get(R1)!.updates.length;
      const t = now();
      links.emit({ name: pf, up: !down, deleted: false });
      await kubelet.waitFor(() => kubelet.plugins.get(R1)!.updates.length > before, 'health update');
      lat.push(now() - t);
      const last = kubelet.latest(R1)!;
      if (last.some((d) => d.health !== (down ? 'Unhealthy' : 'Healthy'))) throw new Error('wrong health state');
    }
    const rtt: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = now();
      await new Promise<void>((res, rej) =>
        conn.client.preStartContainer({ devicesIds: [] }, (e) => (e ? rej(e) : res())),
      );
      rtt.push(now() - t);
    }
    results.push(
      `link event → ListAndWatch update at kubelet: p50 ${fmt(median(lat))} ms, max ${fmt(Math.max(...lat))} ms ` +
        `(target <= ${TARGETS.updateMs}); unary RPC round trip p50 ${fmt(median(rtt))} ms; ratio ${(median(lat) / median(rtt)).toFixed(2)}x`,
    );

    await plugin.stop();
    await kubelet.stop();

    // RSS of the real binary (bundle) serving these pools, read from /proc once every pool is listed.
    const bin = join(dirname(fileURLToPath(import.meta.url)), '../../dist/sriovdp.js');
    if (existsSync(bin)) {
      const dp2 = join(work, 'dp2');
      mkdirSync(dp2);
      const k2 = new FakeKubelet(dp2);
      await k2.start();
      const child = spawn(
        process.execPath,
        [
          bin,
          `--config-file=${configFile}`,
          `--device-plugin-path=${dp2}`,
          `--plugins-registry-path=${join(work, 'no-registry')}`,
          `--device-info-path=${join(work, 'devinfo2')}`,
          `--cdi-root=${join(work, 'cdi2')}`,
          `--host-root=${lab.root}`,
        ],
        { stdio: 'ignore', env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } },
      );
      const t = now();
      await k2.waitFor(
        () => k2.plugins.size === PFS + 1 && [...k2.plugins.values()].every((p) => p.updates.length > 0),
        'binary: all pools listed',
        60_000,
      );
      const startToList = now() - t;
      for (let i = 0; i < 200; i++) await k2.allocate(R, [ids[i % ids.length]!]);
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
      await k2.stop();
      results.push(
        `sriovdp binary: process start → all ${PFS + 1} pools listed ${fmt(startToList)} ms; RSS after 200 Allocates ` +
          `${(rssKb / 1024).toFixed(1)} MB (target <= ${TARGETS.rssMb}); bench process (plugin + fake kubelet + lab) ` +
          `${(process.memoryUsage().rss / 2 ** 20).toFixed(1)} MB`,
      );
    } else {
      results.push('sriovdp binary RSS: skipped (dist/sriovdp.js missing; run pnpm build first)');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    await lab.destroy();
  }
  for (const r of results) console.log(r);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
