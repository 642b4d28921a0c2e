import { defineConfig } from 'vitest/config';

// One run over every workspace project (used by `pnpm test:all` and CI). Each project's own
// vitest.config.ts decides what its tests are.
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'apps/*/vitest.config.ts',
      'tools/*/vitest.config.ts',
      'e2e/vitest.config.ts',
    ],
  },
});
