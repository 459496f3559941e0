import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (the `@atrium/source`
// export condition), so tests never need a build first.
export const sourceConditions = ['@atrium/source', 'import', 'module', 'node', 'default'];

// Vitest also hands the root's ssr conditions to Node (`--conditions` on every worker),
// where they apply to require() too: `import` there makes require('pg-pool') load its
// ESM build and breaks `pg`. Vite adds import/require/default by itself, so Node only
// gets the conditions that are safe for both.
const nodeSafeConditions = ['@atrium/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: nodeSafeConditions } },
  test: {
    projects: ['packages/*/vitest.config.ts', 'e2e/vitest.config.ts'],
  },
});
