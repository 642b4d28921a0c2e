import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'tsup';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
// Tests bundle into a temp folder (SRIOVDP_BUILD_DIR) so they never replace dist/ under a running e2e suite.
const outDir = process.env.SRIOVDP_BUILD_DIR ?? 'dist';

// The netlink-ops native addon cannot be bundled; it is copied next to the bundle, where src/sriovdp.ts points
// netlink-ops at it (setNativeAddonPath).
function copyNetlinkAddon() {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('@sriov-ts/netlink-ops/package.json'));
  const addon = join(pkgDir, 'build/Release/netlink_ops.node');
  if (!existsSync(addon)) {
    console.warn(`sriov-device-plugin: ${addon} missing (netlink-ops not built); the bundle will lack link health`);
    return;
  }
  copyFileSync(addon, join(outDir, 'netlink_ops.node'));
}

export default defineConfig({
  entry: { sriovdp: 'src/sriovdp.ts' },
  outDir,
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  bundle: true,
  splitting: false,
  // Apps bundle their workspace packages from source and every npm dependency: one file to ship.
  noExternal: [/.*/],
  dts: false,
  sourcemap: true,
  clean: true,
  define: { __SRIOVDP_VERSION__: JSON.stringify(pkg.version) },
  esbuildOptions(options) {
    options.conditions = ['source'];
  },
  // CommonJS dependencies (grpc-js, prom-client) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
  onSuccess: async () => copyNetlinkAddon(),
});
