import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (the `@atrium/source`
// export condition), so tests never need a build first.
export const sourceConditions = ['@atrium/source', 'import', 'module', 'node', 'default'];

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    projects: ['packages/*/vitest.config.ts'],
  },
});
