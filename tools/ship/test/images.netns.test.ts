// The images, built once for this file with buildah from scratch and run with podman (runc, vfs storage, a private
// containers.conf; lab-notes §4). Root only: buildah/podman storage and runc need it here.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab } from '@sriov-ts/lab';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIP_APPS } from '../src/apps.js';
import { appPresent, type BuildInfo, buildExecutable, REPO_ROOT } from '../src/build-exe.js';
import { containersEnv } from '../src/containers-env.js';
import { buildImage, type ImageResult } from '../src/image.js';

const reason = missingPrerequisites('ship images', [
  isRoot(),
  executable('buildah'),
  executable('podman'),
  executable('runc'),
]);
// Every listed app is in the repo; in CI a missing one fails instead of shrinking the suite.
missingPrerequisites(
  'ship: the apps it builds',
  Object.keys(SHIP_APPS).map((a) => ({ what: SHIP_APPS[a]!.dir, ok: appPresent(REPO_ROOT, SHIP_APPS[a]!) })),
);
const present = Object.keys(SHIP_APPS).filter((a) => appPresent(REPO_ROOT, SHIP_APPS[a]!));
const cniApps = present.filter((a) => SHIP_APPS[a]!.kind === 'cni');
const tag = `t${Math.random().toString(36).slice(2, 8)}`;

describe.skipIf(reason !== null)('images', () => {
  let root: string;
  let env: Record<string, string>;
  const images = new Map<string, { info: BuildInfo; image: ImageResult }>();

  function podman(args: string[]) {
    return spawnSync('podman', args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ship-img-'));
    env = containersEnv(join(root, 'containers'));
    for (const app of present) {
      const info = await buildExecutable(app, { outDir: join(root, app) });
      const image = await buildImage(app, info, { env, tag: `${SHIP_APPS[app]!.image}:${info.version}-${tag}` });
      images.set(app, { info, image });
    }
  }, 900_000);

  afterAll(() => {
    if (root === undefined) return;
    podman(['rm', '--all', '--force']);
    for (const { image } of images.values()) podman(['rmi', '--force', image.reference]);
    rmSync(root, { recursive: true, force: true });
  });

  it.each(present)('%s: from scratch, only the executable, its libraries and the loader; labelled; uid 0', (app) => {
    const { info, image } = images.get(app)!;
    const exe = SHIP_APPS[app]!.exe;
    for (const f of image.rootfs.files) {
      expect(f).toMatch(
        new RegExp(
          `^(/usr/bin/${exe}|/entrypoint|/lib/x86_64-linux-gnu/lib[a-z+_]+\\.so\\.\\d+|/lib64/ld-linux-x86-64\\.so\\.2|/var/lib/sriov-ts/native/netlink_ops-[0-9a-f]{64}\\.node)$`,
        ),
      );
    }
    expect(image.rootfs.files).toContain('/lib64/ld-linux-x86-64.so.2');
    const inspect = podman(['image', 'inspect', image.reference]);
    expect(inspect.status).toBe(0);
    const config = (
      JSON.parse(inspect.stdout) as { Config: { Labels: Record<string, string>; User: string; Entrypoint: string[] } }[]
    )[0]!.Config;
    expect(config.Labels['org.opencontainers.image.version']).toBe(info.version);
    expect(config.Labels['org.opencontainers.image.revision']).toBe(info.commit);
    expect(config.User).toBe('0:0');
    expect(config.Entrypoint).toEqual(SHIP_APPS[app]!.kind === 'cni' ? ['/entrypoint'] : [`/usr/bin/${exe}`]);
  });

  describe.each(cniApps)('%s image', (app) => {
    it('installs the plugin into the host directory (read-only root), and the installed copy answers VERSION', () => {
      const { info, image } = images.get(app)!;
      const host = join(root, `${app}-host`);
      mkdirSync(host);
      writeFileSync(join(host, 'host-local'), 'another plugin, left alone');
      const r = podman([
        'run',
        '--rm',
        '--network',
        'none',
        '--read-only',
        '-v',
        `${host}:/host/opt/cni/bin`,
        image.reference,
        '--no-sleep',
      ]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`installed /host/opt/cni/bin/${info.exe}`);
      expect(readdirSync(host).sort()).toEqual(['host-local', info.exe]);
      const installed = join(host, info.exe);
      expect(createHash('sha256').update(readFileSync(installed)).digest('hex')).toBe(info.sha256);
      const v = spawnSync(installed, [], {
        encoding: 'utf8',
        env: { CNI_COMMAND: 'VERSION' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(JSON.parse(v.stdout).supportedVersions).toContain('1.0.0');
      expect(readFileSync(join(host, 'host-local'), 'utf8')).toBe('another plugin, left alone');
    });

    it('honours --cni-bin-dir and the bin-file flag, refuses unknown flags, and -h prints the flags', () => {
      const { info, image } = images.get(app)!;
      const flag = SHIP_APPS[app]!.binFileFlag!;
      const out = join(root, `${app}-out`);
      mkdirSync(out);
      const r = podman([
        'run',
        '--rm',
        '--network',
        'none',
        '-v',
        `${out}:/out`,
        image.reference,
        '--cni-bin-dir=/out',
        `${flag}=/usr/bin/${info.exe}`,
        '--no-sleep',
      ]);
      expect(r.status).toBe(0);
      expect(readdirSync(out)).toEqual([info.exe]);
      const bad = podman(['run', '--rm', '--network', 'none', image.reference, '--bogus']);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('unknown parameter "--bogus"');
      const help = podman(['run', '--rm', '--network', 'none', image.reference, '-h']);
      expect(help.status).toBe(0);
      expect(help.stdout).toContain(`${flag}=/usr/bin/${info.exe}`);
    });

    it('by default stays up after installing and exits 0 on SIGTERM (podman stop)', async () => {
      const { info, image } = images.get(app)!;
      const host = join(root, `${app}-sleep`);
      mkdirSync(host);
      const name = `${tag}-${app}`;
      const started = podman([
        'run',
        '-d',
        '--name',
        name,
        '--network',
        'none',
        '-v',
        `${host}:/host/opt/cni/bin`,
        image.reference,
      ]);
      expect(started.status).toBe(0);
      for (let i = 0; i < 600 && !existsSync(join(host, info.exe)); i++) await new Promise((r) => setTimeout(r, 100));
      expect(podman(['inspect', name, '--format', '{{.State.Running}}']).stdout.trim()).toBe('true');
      expect(podman(['stop', '--time', '30', name]).status).toBe(0);
      expect(podman(['inspect', name, '--format', '{{.State.ExitCode}}']).stdout.trim()).toBe('0');
      podman(['rm', name]);
    });
  });

  describe.skipIf(!present.includes('sriov-device-plugin'))('device plugin image', () => {
    it('prints its version', () => {
      const { info, image } = images.get('sriov-device-plugin')!;
      const r = podman(['run', '--rm', '--network', 'none', image.reference, '--version']);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`sriovdp version ${info.version}, commit ${info.commit}, built ${info.date}\n`);
    });

    it('starts on a read-only root with the ConfigMap mounted, loads the pre-extracted addon, stops on SIGTERM', async () => {
      const { image } = images.get('sriov-device-plugin')!;
      const dirs = Object.fromEntries(['cfg', 'dp', 'reg', 'devinfo'].map((d) => [d, join(root, 'dp', d)]));
      for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
      writeFileSync(
        join(dirs.cfg!, 'config.json'),
        JSON.stringify({ resourceList: [{ resourceName: 'x', selectors: { vendors: ['8086'] } }] }),
      );
      chmodSync(dirs.cfg!, 0o755);
      const name = `${tag}-sriovdp`;
      const started = podman([
        'run',
        '-d',
        '--name',
        name,
        '--network',
        'none',
        '--read-only',
        '-v',
        `${dirs.cfg}:/etc/pcidp:ro`,
        '-v',
        `${dirs.dp}:/var/lib/kubelet/device-plugins`,
        '-v',
        `${dirs.reg}:/var/lib/kubelet/plugins_registry`,
        '-v',
        `${dirs.devinfo}:/var/run/k8s.cni.cncf.io/devinfo/dp`,
        image.reference,
      ]);
      expect(started.status).toBe(0);
      let logs = '';
      for (let i = 0; i < 600 && !/no devices in device pool|"level":"error"/.test(logs); i++) {
        await new Promise((r) => setTimeout(r, 100));
        logs = podman(['logs', name]).stderr + podman(['logs', name]).stdout;
      }
      expect(logs).toContain('no devices in device pool'); // discovery ran, default routes read over netlink
      expect(logs).not.toMatch(/"level":"error"|AddonFileError|native addon/);
      expect(podman(['stop', '--time', '30', name]).status).toBe(0);
      // 143: the known sriovdp start-up race (a SIGTERM soon after start ends it by the default action).
      expect(['0', '143']).toContain(podman(['inspect', name, '--format', '{{.State.ExitCode}}']).stdout.trim());
      podman(['rm', name]);
    });

    it('on the lab node (fake sysfs + real netdevs, host network) discovers the VFs and serves them', async () => {
      const { image } = images.get('sriov-device-plugin')!;
      const lab = await createLab({ pfs: [{ vfs: 3 }] });
      const name = `${tag}-sriovdp-lab`;
      try {
        const pf = lab.pfs[0]!;
        const dirs = Object.fromEntries(['labcfg', 'labdp', 'labreg', 'labinfo'].map((d) => [d, join(root, 'dp', d)]));
        for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
        writeFileSync(
          join(dirs.labcfg!, 'config.json'),
          JSON.stringify({ resourceList: [{ resourceName: 'lab_vfs', selectors: [{ pfNames: [pf.netdev] }] }] }),
        );
        const started = podman([
          'run',
          '-d',
          '--name',
          name,
          '--network',
          'host',
          '--read-only',
          '-v',
          `${lab.root}:/host:ro`,
          '-v',
          `${dirs.labcfg}:/etc/pcidp:ro`,
          '-v',
          `${dirs.labdp}:/var/lib/kubelet/device-plugins`,
          '-v',
          `${dirs.labreg}:/var/lib/kubelet/plugins_registry`,
          '-v',
          `${dirs.labinfo}:/var/run/k8s.cni.cncf.io/devinfo/dp`,
          image.reference,
          '-host-root=/host',
          '-resource-prefix=lab.example',
        ]);
        expect(started.stderr).toBe('');
        expect(started.status).toBe(0);
        let logs = '';
        for (let i = 0; i < 600 && !/serving device plugin|"level":"error"/.test(logs); i++) {
          await new Promise((r) => setTimeout(r, 100));
          const l = podman(['logs', name]);
          logs = l.stdout + l.stderr;
        }
        const serving = logs.split('\n').find((l) => l.includes('serving device plugin'));
        expect(serving, logs).toBeDefined();
        expect(JSON.parse(serving!)).toMatchObject({ resource: 'lab.example/lab_vfs', devices: pf.vfs.length });
        // The gRPC socket exists on the host side of the kubelet directory mount.
        const socket = (JSON.parse(serving!) as { socket: string }).socket;
        const hostSide = socket
          .replace(/^\/var\/lib\/kubelet\/device-plugins\//, `${dirs.labdp}/`)
          .replace(/^\/var\/lib\/kubelet\/plugins_registry\//, `${dirs.labreg}/`);
        expect(hostSide).not.toBe(socket);
        expect(statSync(hostSide).isSocket()).toBe(true);
        expect(podman(['stop', '--time', '30', name]).status).toBe(0);
        // 143: the known sriovdp start-up race (a SIGTERM soon after start ends it by the default action).
        expect(['0', '143']).toContain(podman(['inspect', name, '--format', '{{.State.ExitCode}}']).stdout.trim());
      } finally {
        podman(['rm', '--force', name]);
        await lab.destroy();
      }
    });
  });
});
