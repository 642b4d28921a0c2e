// The apps that ship as single executables and images. Adding an app (ib-sriov-cni, when it exists) is one entry here.

/** How an image starts: a CNI installer (copies the plugin to the host), or the executable itself as a daemon. */
export type ImageKind = 'cni' | 'daemon';

export interface ShipApp {
  /** Workspace directory, relative to the repository root. */
  dir: string;
  /** The program's main module, relative to `dir`: what runs when the executable starts. */
  entry: string;
  /** The executable's file name: the Go projects' names, so the binaries are drop-ins. */
  exe: string;
  /** Image repository name (tagged with the app's version). */
  image: string;
  kind: ImageKind;
  /** CNI installers: the Go entrypoint's flag naming the binary to copy (`--sriov-bin-file`, ...). */
  binFileFlag?: string;
  /** Extra esbuild `define`s the app's own code reads, given the app's version. */
  defines?: (version: string) => Record<string, string>;
}

export const SHIP_APPS: Readonly<Record<string, ShipApp>> = {
  'sriov-cni': {
    dir: 'apps/sriov-cni',
    entry: 'src/main.ts',
    exe: 'sriov',
    image: 'sriov-cni',
    kind: 'cni',
    binFileFlag: '--sriov-bin-file',
  },
  'ib-sriov-cni': {
    dir: 'apps/ib-sriov-cni',
    entry: 'src/main.ts',
    exe: 'ib-sriov',
    image: 'ib-sriov-cni',
    kind: 'cni',
    // The Go ib-sriov-cni thin entrypoint's spelling.
    binFileFlag: '--ib-sriov-cni-bin-file',
  },
  'sriov-device-plugin': {
    dir: 'apps/sriov-device-plugin',
    entry: 'src/sriovdp.ts',
    exe: 'sriovdp',
    image: 'sriov-network-device-plugin',
    kind: 'daemon',
    defines: (version) => ({ __SRIOVDP_VERSION__: JSON.stringify(version) }),
  },
};

export class UnknownAppError extends Error {
  constructor(name: string) {
    super(`unknown app ${JSON.stringify(name)}; known: ${Object.keys(SHIP_APPS).join(', ')}`);
    this.name = 'UnknownAppError';
  }
}

export function shipApp(name: string): ShipApp {
  const app = Object.hasOwn(SHIP_APPS, name) ? SHIP_APPS[name] : undefined;
  if (app === undefined) throw new UnknownAppError(name);
  return app;
}
