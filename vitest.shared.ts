// Shared vitest project settings. Every workspace package's vitest.config.ts calls workspaceProject().
// The `source` export condition makes in-repo packages resolve each other's TypeScript sources, so tests
// on a fresh clone need no prior build.
import { defineProject } from 'vitest/config';

const conditions = ['source', 'node', 'import', 'module', 'default'];

export function workspaceProject(name: string, options: { testTimeout?: number } = {}) {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: conditions } },
    test: {
      name,
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 30_000,
      hookTimeout: 60_000,
    },
  });
}
