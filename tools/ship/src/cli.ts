// `pnpm ship <command> [app...]`. Commands: build (single executables), image (buildah images, builds the
// executable first), list. "all" or no app name means every app that exists in the tree.
import { dirname, join } from 'node:path';
import { SHIP_APPS, shipApp } from './apps.js';
import { appPresent, buildExecutable, REPO_ROOT } from './build-exe.js';

const USAGE = `usage: pnpm ship <build|image|list> [--out=DIR] [--no-code-cache] [--no-strip] [--oci-archive] [app...|all]
  build  single executable dist/ship/<app>/<exe> (esbuild + node SEA + postject)
  image  OCI image <image>:<version> with buildah from scratch (builds the executable first);
         --oci-archive also writes dist/ship/<app>/<image>-<version>.oci.tar (a release artefact)
  list   the apps and whether they exist yet
apps: ${Object.keys(SHIP_APPS).join(', ')}
`;

function selectApps(names: string[]): string[] {
  if (names.length === 0 || (names.length === 1 && names[0] === 'all')) {
    const present = Object.keys(SHIP_APPS).filter((n) => appPresent(REPO_ROOT, SHIP_APPS[n]!));
    for (const n of Object.keys(SHIP_APPS)) {
      if (!present.includes(n)) process.stderr.write(`ship: skipping ${n} (not in the tree yet)\n`);
    }
    return present;
  }
  for (const n of names) shipApp(n);
  return names;
}

export async function cli(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const out = args.find((a) => a.startsWith('--out='))?.slice('--out='.length);
  const codeCache = !args.includes('--no-code-cache');
  const strip = !args.includes('--no-strip');
  const rest = args.filter((a) => !a.startsWith('--'));
  switch (command) {
    case 'build':
      for (const app of selectApps(rest)) {
        await buildExecutable(app, { log, codeCache, strip, ...(out ? { outDir: join(out, app) } : {}) });
      }
      return 0;
    case 'image': {
      const { buildImage } = await import('./image.js');
      for (const app of selectApps(rest)) {
        const info = await buildExecutable(app, { log, codeCache, strip, ...(out ? { outDir: join(out, app) } : {}) });
        const archive = args.includes('--oci-archive')
          ? join(dirname(info.exePath), `${shipApp(app).image}-${info.version}.oci.tar`)
          : undefined;
        const image = await buildImage(app, info, { log, ...(archive ? { ociArchive: archive } : {}) });
        if (archive) log(`${app}: ${archive}`);
        process.stdout.write(`${image.reference}\n`);
      }
      return 0;
    }
    case 'list':
      for (const [name, app] of Object.entries(SHIP_APPS)) {
        const state = appPresent(REPO_ROOT, app) ? 'present' : 'missing';
        process.stdout.write(`${name}\t${app.exe}\t${app.image}\t${app.kind}\t${state}\n`);
      }
      return 0;
    case '-h':
    case '--help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(USAGE);
      return 2;
  }
}
