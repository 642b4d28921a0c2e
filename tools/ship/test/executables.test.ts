// The real single executables, built once for this file: --version, CNI VERSION, the installer mode, the embedded
// addon extracted on first use by concurrent starts, and a bundle that needs nothing but Node built-ins.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIP_APPS } from '../src/apps.js';
import { appPresent, type BuildInfo, buildExecutable, REPO_ROOT } from '../src/build-exe.js';
import { addonFileName } from '../src/runtime/addon-file.js';

const root = mkdtempSync(join(tmpdir(), 'ship-exe-'));
const addonDir = join(root, 'var-lib', 'native');
mkdirSync(join(root, 'var-lib'), { mode: 0o700 });
afterAll(() => rmSync(root, { recursive: true, force: true }));

const built = new Map<string, BuildInfo>();
// Every listed app is in the repo; in CI a missing one fails instead of shrinking the suite.
missingPrerequisites(
  'ship: the apps it builds',
  Object.keys(SHIP_APPS).map((a) => ({ what: SHIP_APPS[a]!.dir, ok: appPresent(REPO_ROOT, SHIP_APPS[a]!) })),
);
const present = Object.keys(SHIP_APPS).filter((a) => appPresent(REPO_ROOT, SHIP_APPS[a]!));
const cniApps = present.filter((a) => SHIP_APPS[a]!.kind === 'cni');

beforeAll(async () => {
  for (const app of present) built.set(app, await buildExecutable(app, { outDir: join(root, app), addonDir }));
}, 600_000);

function version(app: string): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, SHIP_APPS[app]!.dir, 'package.json'), 'utf8')) as { version: string })
    .version;
}

function run(file: string, args: string[], env: Record<string, string> = {}, argv0?: string) {
  return spawnSync(file, args, {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(argv0 ? { argv0 } : {}),
  });
}

describe.each(present)('%s executable', (app) => {
  it('has the Go project name and prints version, commit and build date', () => {
    const info = built.get(app)!;
    expect(info.exePath.endsWith(`/${SHIP_APPS[app]!.exe}`)).toBe(true);
    const r = run(info.exePath, ['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^${SHIP_APPS[app]!.exe} version ${version(app).replace(/\./g, '\\.')}, commit [0-9a-f]{12}(-dirty)?, built \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\n$`,
      ),
    );
    expect(r.stdout).toContain(info.commit);
  });

  it('its bundle requires nothing but Node built-ins (a SEA cannot load anything else)', () => {
    const bundle = readFileSync(built.get(app)!.bundlePath, 'utf8');
    const required = [...bundle.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
    expect(required.length).toBeGreaterThan(0);
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    expect(required.filter((m) => !builtins.has(m))).toEqual([]);
  });
});

describe.each(cniApps)('%s as a CNI plugin and installer', (app) => {
  it('answers CNI VERSION', () => {
    const r = run(built.get(app)!.exePath, [], { CNI_COMMAND: 'VERSION' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ supportedVersions: expect.arrayContaining(['0.4.0', '1.0.0']) });
  });

  it('started as `entrypoint`, installs itself atomically with the Go flags and the copy answers VERSION', () => {
    const info = built.get(app)!;
    const flag = SHIP_APPS[app]!.binFileFlag!;
    const host = join(root, `${app}-host`);
    mkdirSync(host);
    writeFileSync(join(host, info.exe), 'an older plugin');
    const r = run(info.exePath, [`--cni-bin-dir=${host}`, `${flag}=${info.exePath}`, '--no-sleep'], {}, 'entrypoint');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(host)).toEqual([info.exe]);
    const installed = join(host, info.exe);
    expect(createHash('sha256').update(readFileSync(installed)).digest('hex')).toBe(info.sha256);
    const v = run(installed, [], { CNI_COMMAND: 'VERSION' });
    expect(JSON.parse(v.stdout).supportedVersions).toContain('1.0.0');
    // Under its own name the same file is the plugin, not the installer: flags are not for it.
    expect(run(info.exePath, ['-h'], { CNI_COMMAND: 'VERSION' }).stdout).toContain('supportedVersions');
  });
});

describe.skipIf(!present.includes('sriov-device-plugin'))('sriovdp executable', () => {
  it('concurrent first starts extract the embedded netlink addon once, privately, and run on it', async () => {
    const info = built.get('sriov-device-plugin')!;
    const dirs = ['dp', 'reg', 'di', 'cfg'].map((d) => join(root, 'sriovdp', d));
    for (const d of dirs) mkdirSync(d, { recursive: true });
    const config = join(dirs[3]!, 'config.json');
    writeFileSync(config, JSON.stringify({ resourceList: [{ resourceName: 'x', selectors: { vendors: ['8086'] } }] }));
    // Three first starts at once; each has discovered (which reads the default routes over netlink, so the addon
    // is loaded) once it reports on its pool.
    const runs = [0, 1, 2].map((i) => {
      const child = spawn(
        info.exePath,
        [
          `-config-file=${config}`,
          `-device-plugin-path=${dirs[0]}/${i}`,
          `-plugins-registry-path=${dirs[1]}/${i}`,
          `-device-info-path=${dirs[2]}/${i}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let err = '';
      const discovered = new Promise<void>((resolve) =>
        child.stderr!.on('data', (d) => {
          err += d;
          if (/no devices in device pool/.test(err)) resolve();
        }),
      );
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal, err })),
      );
      return { child, discovered, exited };
    });
    await Promise.race([
      Promise.all(runs.map((r) => r.discovered)),
      Promise.all(runs.map((r) => r.exited)).then((e) => {
        throw new Error(`sriovdp exited early: ${JSON.stringify(e)}`);
      }),
    ]);
    // The daemon may open its first netlink socket (the link watcher) just after reporting its pools: wait, bounded,
    // for the extracted file before stopping them, so the stop never races the first use.
    const extracted = join(addonDir, addonFileName(info.addon.sha256));
    for (let i = 0; i < 300 && !existsSync(extracted); i++) await new Promise((r) => setTimeout(r, 100));
    for (const r of runs) r.child.kill('SIGTERM');
    const results = await Promise.all(runs.map((r) => r.exited));
    for (const r of results) {
      // Only the addon's own failures: the daemon watches every host link, and the lab suites running in parallel
      // create and delete links, which it may log about.
      expect(r.err).not.toMatch(/cannot load its native addon|AddonFileError|addon directory|refusing /);
      // Known sriovdp start-up race (reported, not this suite's subject): a SIGTERM within ~0.5 s of start kills it
      // by the default action in about 4% of runs instead of its graceful stop. Either is an ordinary end here.
      expect(r.code === 0 || r.signal === 'SIGTERM', `exit ${r.code}/${r.signal}: ${r.err}`).toBe(true);
    }
    expect(readdirSync(addonDir)).toEqual([addonFileName(info.addon.sha256)]);
    expect(createHash('sha256').update(readFileSync(extracted)).digest('hex')).toBe(info.addon.sha256);
  });
});

it('the apps the tree does not have yet are reported, not silently passed', () => {
  const missing = Object.keys(SHIP_APPS).filter((a) => !present.includes(a));
  if (missing.length > 0) process.stderr.write(`ship executables: not in the tree yet: ${missing.join(', ')}\n`);
  expect(present.length + missing.length).toBe(3);
});
