// The main module of every single executable. esbuild bundles it with the app's own main (`ship:app-main`) into
// one CommonJS file. Order matters: this decides what the process is (version query, CNI installer, the app),
// points netlink-ops at the embedded addon, and only then loads the app, whose main runs at import.
import { setNativeAddonPath } from '@sriov-ts/netlink-ops';
import { ensureAddonFile } from './addon-file.js';
import { installerMain, sleepUntilSignalled } from './cni-installer.js';

/** Filled in by the build (esbuild `define`). */
declare const __SHIP_BUILD__: {
  exe: string;
  version: string;
  commit: string;
  date: string;
  addonSha256: string;
  addonSize: number;
  addonDir: string;
  /** Set for CNI plugins: the installer mode's binary flag. */
  binFileFlag: string | null;
};

export const ADDON_ASSET = 'netlink_ops.node';

function start(): void {
  const build = __SHIP_BUILD__;
  const args = process.argv.slice(2);
  // argv0 is the name the process was started under: the image's /entrypoint symlink selects the installer.
  const invokedAs = process.argv0.slice(process.argv0.lastIndexOf('/') + 1);
  if (build.binFileFlag !== null && invokedAs === 'entrypoint') {
    const result = installerMain(args, build.exe, build.binFileFlag);
    if (result === 'sleep') sleepUntilSignalled();
    else process.exit(result);
    return;
  }
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-version')) {
    process.stdout.write(`${build.exe} version ${build.version}, commit ${build.commit}, built ${build.date}\n`);
    process.exit(0);
  }
  setNativeAddonPath(() =>
    ensureAddonFile({
      dir: build.addonDir,
      sha256: build.addonSha256,
      size: build.addonSize,
      read: () => new Uint8Array(process.getBuiltinModule('node:sea').getRawAsset(ADDON_ASSET) as ArrayBuffer),
    }),
  );
  void import('ship:app-main');
}

start();
