// Bundles the lab demo (e2e/src/demo/main.ts → dist/demo.js) for scripts/demo.mjs. Workspace packages and npm
// dependencies stay external and resolve to their built dist/ (`pnpm --filter @sriov-ts/e2e... build` builds them).
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { demo: 'src/demo/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  bundle: true,
  splitting: false,
  dts: false,
  sourcemap: true,
  clean: true,
});
