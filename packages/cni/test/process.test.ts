// The package as a real process sees it: the ESM bundle (as tsup builds it) loaded by plain Node, and a tiny plugin
// on pluginMain driven exactly like a runtime drives a plugin (env + stdin pipe, stdout/exit code read back).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { executable, missingPrerequisites } from '@sriov-ts/test-support';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
// Outside the repository, with only the package's one dependency beside it (node_modules/@sriov-ts/netlink-ops,
// as an install has it): the bundle resolves nothing else.
const out = mkdtempSync(join(tmpdir(), 'cni-bundle-'));
mkdirSync(join(out, 'node_modules', '@sriov-ts'), { recursive: true });
symlinkSync(join(pkgDir, '..', 'netlink-ops'), join(out, 'node_modules', '@sriov-ts', 'netlink-ops'));

beforeAll(async () => {
  await build({
    entry: { index: join(pkgDir, 'src/index.ts'), plugin: join(pkgDir, 'test/fixtures/tiny-plugin.ts') },
    outDir: out,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: true,
    treeshake: true,
    external: ['@sriov-ts/netlink-ops'],
    dts: false,
    silent: true,
    config: false,
  });
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const noPython = missingPrerequisites('cni non-blocking stdin test (python3 as a non-libuv parent)', [
  executable('python3'),
]);

const baseEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  CNI_COMMAND: 'ADD',
  CNI_CONTAINERID: 'c0ffee',
  CNI_NETNS: '/var/run/netns/pod1',
  CNI_IFNAME: 'net1',
  CNI_ARGS: 'IgnoreUnknown=1',
  CNI_PATH: '/opt/cni/bin',
};

function runPlugin(env: Record<string, string>, stdin: string | null) {
  const r = spawnSync(process.execPath, [join(out, 'plugin.js')], {
    env,
    input: stdin ?? undefined,
    stdio: [stdin === null ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('import cost boundaries', () => {
  it('importing the bundle does not load the native addon (netlink-ops loads it on its first call)', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(join(out, 'index.js'))});
         const maps = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8');
         console.log(JSON.stringify({ exports: Object.keys(m).length, addon: maps.includes('netlink_ops.node') }));`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toStrictEqual({ exports: expect.any(Number), addon: false });
  });
  it('the bundle has no zod and imports from netlink-ops by name only (no namespace, no dynamic import)', () => {
    const text = readdirSync(out)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(out, f), 'utf8'))
      .join('\n');
    expect(text).not.toMatch(/zod/);
    // A namespace or a dynamic import makes a bundler keep all of netlink-ops (and build its namespace object).
    expect(text).toMatch(/import\s*\{[^}]*\btryFlock\b[^}]*\}\s*from\s*["']@sriov-ts\/netlink-ops["']/);
    expect(text).not.toMatch(/import\s*\*\s*as\s*\w+\s*from\s*["']@sriov-ts\/netlink-ops["']/);
    expect(text).not.toMatch(/import\(["']@sriov-ts\/netlink-ops["']\)/);
  });
});

describe('tree-shaking', () => {
  it('a consumer of the result model alone gets neither the skeleton, the logger nor the lock code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cni-shake-'));
    try {
      const entry = join(dir, 'entry.ts');
      writeFileSync(
        entry,
        `import { parseResult, formatResult } from ${JSON.stringify(join(pkgDir, 'src/index.ts'))};\n` +
          `console.log(JSON.stringify(formatResult(parseResult(null, '1.0.0'), '0.4.0')));\n`,
      );
      await build({
        entry: { shaken: entry },
        outDir: dir,
        format: ['esm'],
        target: 'node20',
        platform: 'node',
        treeshake: true,
        external: ['@sriov-ts/netlink-ops'],
        dts: false,
        silent: true,
        config: false,
      });
      const text = readFileSync(join(dir, 'shaken.js'), 'utf8');
      expect(text).not.toMatch(/CNI_COMMAND|cni-log|netlink-ops|vf_lock/);
      const r = spawnSync(process.execPath, [join(dir, 'shaken.js')], { encoding: 'utf8' });
      expect(JSON.parse(r.stdout)).toStrictEqual({ cniVersion: '0.4.0', dns: {} });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pluginMain in a real process', () => {
  it("VERSION with stdin from /dev/null (never read) and podman's dummy env", () => {
    const r = runPlugin(
      { PATH: baseEnv.PATH, CNI_COMMAND: 'VERSION', CNI_NETNS: 'dummy', CNI_IFNAME: 'dummy', CNI_PATH: 'dummy' },
      null,
    );
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      '{"cniVersion":"1.1.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}\n',
    );
  });
  it('VERSION echoes a piped {"cniVersion":"1.0.0"}', () => {
    const r = runPlugin({ PATH: baseEnv.PATH, CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.0.0"}');
    expect(JSON.parse(r.stdout).cniVersion).toBe('1.0.0');
  });
  it('ADD prints the result in the config version and exits 0, logging to stderr only', () => {
    const r = runPlugin(baseEnv, JSON.stringify({ cniVersion: '0.4.0', name: 'tiny', type: 'tiny', device: 'vf0' }));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toStrictEqual({
      cniVersion: '0.4.0',
      interfaces: [{ name: 'net1', mac: '02:00:00:00:00:01', sandbox: '/var/run/netns/pod1' }],
      ips: [{ version: '4', interface: 0, address: '10.0.0.2/24' }],
      dns: {},
    });
    expect(r.stderr).toMatch(/level="info" msg="adding" cniName="tiny-cni" containerID="c0ffee" .* device="vf0"\n$/);
  });
  it('a large stdin is read whole', () => {
    const big = 'x'.repeat(300_000);
    const r = runPlugin(baseEnv, JSON.stringify({ cniVersion: '1.0.0', name: 'tiny', device: 'vf0', pad: big }));
    expect(r.code).toBe(0);
  });
  it('stdin written late by an async parent is still read whole', async () => {
    const child = spawn(process.execPath, [join(out, 'plugin.js')], { env: baseEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const conf = JSON.stringify({ cniVersion: '1.0.0', name: 'tiny', device: 'vf0' });
    child.stdin.write(conf.slice(0, 10));
    await new Promise((r) => setTimeout(r, 200));
    child.stdin.end(conf.slice(10));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(JSON.parse(stdout).cniVersion).toBe('1.0.0');
  });
  it.skipIf(noPython !== null)(
    'a non-blocking stdin (EAGAIN on the first read) falls back to the stream reader',
    () => {
      // libuv makes a child's stdio blocking, so a non-Node parent sets the stage: python3 hands the plugin the read
      // end of a pipe with O_NONBLOCK set and writes the config only later.
      const launcher = `
import fcntl, json, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(r, fcntl.F_SETFL, fcntl.fcntl(r, fcntl.F_GETFL) | os.O_NONBLOCK)
p = subprocess.Popen([sys.argv[1], sys.argv[2]], stdin=r, stdout=subprocess.PIPE, env=json.loads(sys.argv[3]))
os.close(r)
time.sleep(0.3)
os.write(w, sys.argv[4].encode())
os.close(w)
out = p.stdout.read().decode()
print(json.dumps({"code": p.wait(), "stdout": out}))`;
      const conf = JSON.stringify({ cniVersion: '0.3.1', name: 'tiny', device: 'vf0' });
      const r = spawnSync(
        'python3',
        ['-c', launcher, process.execPath, join(out, 'plugin.js'), JSON.stringify(baseEnv), conf],
        { encoding: 'utf8', timeout: 20_000 },
      );
      const { code, stdout } = JSON.parse(r.stdout) as { code: number; stdout: string };
      expect(code).toBe(0);
      expect(JSON.parse(stdout).cniVersion).toBe('0.3.1');
    },
  );
  it('missing env: exit 1 with the error object on stdout', () => {
    const r = runPlugin({ PATH: baseEnv.PATH, CNI_COMMAND: 'DEL' }, '{}');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toStrictEqual({
      cniVersion: '1.1.0',
      code: 4,
      msg: 'required env variables [CNI_CONTAINERID,CNI_IFNAME,CNI_PATH] missing',
    });
  });
  it('no CNI_COMMAND: the about text on stderr, exit 0 (Go skel)', () => {
    const r = runPlugin({ PATH: baseEnv.PATH }, '');
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toBe(
      'CNI tiny plugin v0.0.1\nCNI protocol versions supported: 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0\n',
    );
  });
  it('a typed plugin error keeps its code', () => {
    const r = runPlugin(baseEnv, JSON.stringify({ cniVersion: '1.0.0', name: 'tiny' }));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toStrictEqual({ cniVersion: '1.0.0', code: 7, msg: 'device is required' });
  });
  it('an exception: code 999 on stdout, stack only on stderr', () => {
    const r = runPlugin(baseEnv, JSON.stringify({ cniVersion: '1.0.0', name: 'tiny', mode: 'throw' }));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toStrictEqual({ cniVersion: '1.0.0', code: 999, msg: 'handler blew up' });
    expect(r.stderr).toContain('RangeError: handler blew up');
  });
  it("an exception outside the handler's promise still yields one well-formed error", () => {
    const r = runPlugin(baseEnv, JSON.stringify({ cniVersion: '1.0.0', name: 'tiny', mode: 'stray' }));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 999, msg: 'stray async failure' });
  });
});
