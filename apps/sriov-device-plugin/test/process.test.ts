// The bundled `sriovdp` binary as a process: flags, config errors, legacy config, a fake kubelet, and SIGTERM with
// open ListAndWatch streams (the process must exit and remove its sockets and device-info files).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeKubelet } from './fake-kubelet.js';
import { FakeSysfs } from './fake-sysfs.js';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = mkdtempSync(join(tmpdir(), 'sriovdp-bundle-'));
const bin = join(buildDir, 'sriovdp.js');

beforeAll(() => {
  // Test the current sources: bundle them (a few seconds) into a temp folder, addon beside the bundle.
  execFileSync('pnpm', ['exec', 'tsup'], {
    cwd: app,
    stdio: 'ignore',
    env: { ...process.env, SRIOVDP_BUILD_DIR: buildDir },
  });
}, 120_000);

let root: string;
let kubelet: FakeKubelet | null = null;
let child: ChildProcess | null = null;

function setup() {
  root = mkdtempSync(join(tmpdir(), 'sriovdp-proc-'));
  const fs = new FakeSysfs(join(root, 'host'));
  fs.addPfWithVfs({ bus: '3b', pfName: 'zzpf0', count: 3, vfDriver: (i) => (i === 2 ? 'vfio-pci' : 'iavf') });
  mkdirSync(join(root, 'dp'));
  return fs;
}

function args(config: string, extra: string[] = []) {
  const file = join(root, 'config.json');
  writeFileSync(file, config);
  return [
    bin,
    `--config-file=${file}`,
    '-device-plugin-path',
    join(root, 'dp'),
    `--plugins-registry-path=${join(root, 'no-registry')}`,
    `--device-info-path=${join(root, 'devinfo')}`,
    `--cdi-root=${join(root, 'cdi')}`,
    `--host-root=${join(root, 'host')}`,
    '--rescan-interval=0',
    ...extra,
  ];
}

function run(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

afterEach(async () => {
  child?.kill('SIGKILL');
  child = null;
  await kubelet?.stop();
  kubelet = null;
  rmSync(root, { recursive: true, force: true });
});
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

describe('sriovdp binary', () => {
  it('--version prints the version; an unknown flag exits 2 with usage', async () => {
    setup();
    const v = await run([bin, '--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^sriovdp version \d+\.\d+\.\d+\n$/);
    const bad = await run([bin, '-no-such-flag']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('flag provided but not defined: -no-such-flag');
  });

  it('an invalid config exits non-zero with an error naming the entry and key', async () => {
    setup();
    const r = await run(
      args(
        JSON.stringify({
          resourceList: [
            { resourceName: 'ok', selectors: {} },
            { resourceName: 'bad/name', selectors: {} },
          ],
        }),
      ),
    );
    expect(r.code).toBe(1);
    const line = r.stderr.split('\n').find((l) => l.includes('cannot start'))!;
    expect(JSON.parse(line).err).toMatch(/resourceList\[1\]\.resourceName/);
  });

  it('serves the legacy seed format, and on SIGTERM with open streams exits and removes sockets and device-info files', async () => {
    setup();
    kubelet = new FakeKubelet(join(root, 'dp'));
    await kubelet.start();
    const legacy = JSON.stringify({
      resourceList: [
        { resourceName: 'legacy_net', rootDevices: ['3b:02.0', '3b:02.1'], sriovMode: false, deviceType: 'netdevice' },
      ],
    });
    child = spawn(process.execPath, args(legacy, ['--resource-prefix=example.org', '--metrics-port=0']), {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
      kubelet!.emit('change'); // lets waitFor() re-check conditions on log output too
    });
    const R = 'example.org/legacy_net';
    await kubelet.waitFor(() => (kubelet!.latest(R)?.length ?? 0) === 2, `legacy pool (stderr: ${stderr})`);
    expect(kubelet.latest(R)!.map((d) => d.ID)).toEqual(['0000:3b:02.0', '0000:3b:02.1']);
    const alloc = await kubelet.allocate(R, ['0000:3b:02.1']);
    expect(alloc.containerResponses[0]!.envs.PCIDEVICE_EXAMPLE_ORG_LEGACY_NET).toBe('0000:3b:02.1');
    expect(readdirSync(join(root, 'devinfo'))).toEqual(['example.org-legacy_net-0000:3b:02.1-device.json']);
    expect(statSync(join(root, 'devinfo', 'example.org-legacy_net-0000:3b:02.1-device.json')).mode & 0o777).toBe(0o444);
    expect(existsSync(join(root, 'dp', 'example.org_legacy_net.sock'))).toBe(true);
    // Opt-in metrics on 127.0.0.1 (port 0 → the log line says which).
    const metricsLine = stderr.split('\n').find((l) => l.includes('"msg":"serving metrics"'))!;
    const { address, port } = JSON.parse(metricsLine) as { address: string; port: number };
    expect(address).toBe('127.0.0.1');
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    // The fake tree's PF netdev (zzpf0) does not exist on this host, so real link health reports its VFs Unhealthy.
    expect(body).toContain('sriovdp_pool_devices{resource="example.org/legacy_net",health="Unhealthy"} 2');
    expect(kubelet.latest(R)!.map((d) => d.health)).toEqual(['Unhealthy', 'Unhealthy']);
    expect(body).toContain('sriovdp_rpc_total{resource="example.org/legacy_net",method="Allocate",code="OK"} 1');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    // SIGHUP reloads (the Go plugin would stop): the process keeps serving.
    child.kill('SIGHUP');
    await kubelet.waitFor(() => stderr.includes('SIGHUP: reloading'), 'SIGHUP log line');
    const afterHup = await kubelet.allocate(R, ['0000:3b:02.0']);
    expect(afterHup.containerResponses[0]!.envs.PCIDEVICE_EXAMPLE_ORG_LEGACY_NET).toBe('0000:3b:02.0');

    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = null;
    await kubelet.waitFor(() => kubelet!.plugins.get(R)!.ended, 'stream ended');
    expect(readdirSync(join(root, 'dp'))).toEqual(['kubelet.sock']);
    expect(readdirSync(join(root, 'devinfo'))).toEqual([]);
    expect(stderr).toContain('"msg":"received signal; shutting down","signal":"SIGTERM"');
  });
});
