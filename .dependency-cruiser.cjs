// The direction of dependencies (DESIGN.md §1), enforced rather than hoped for.
// Run: pnpm run check:deps
//
// Paths are matched against *resolved* modules: an npm package resolves to
// `node_modules/.pnpm/<pkg>@<v>/node_modules/<pkg>/...` (or stays its bare name when it
// is not installed), a workspace package to its TypeScript source through the
// `@atrium/source` export condition (packages/<name>/src/...).

/** Matches a resolved npm package (installed or not) by name, with its @types twin. */
const npm = (...names) => `(^|node_modules/)(@types/)?(${names.join('|')})(/|$)`;
/** Matches a Node built-in, with or without the `node:` prefix. */
const builtin = (...names) => `^(node:)?(${names.join('|')})(/|$)`;

const TEST_FILE = '\\.test\\.ts$';

const INFRASTRUCTURE = [
  npm(
    'pg',
    'postgres',
    'drizzle-orm',
    'drizzle-kit',
    '@electric-sql/[^/]+',
    'bullmq',
    'ioredis',
    'openai',
    'hono',
    '@hono/[^/]+',
    'bcrypt',
    'jose',
    'pino',
    'rate-limiter-flexible',
    'undici',
    'ipaddr.js',
    'robots-parser',
  ),
  builtin('fs', 'dns', 'net', 'tls', 'http', 'https'),
  '^packages/core/src/adapters/',
];

const DATABASE_DRIVERS = [npm('pg', 'postgres', 'drizzle-orm', '@electric-sql/[^/]+')];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-inner-no-infrastructure',
      severity: 'error',
      comment:
        'core domain, use cases (services), retrieval, chat and ports talk to the world through ports only: ' +
        'no database, queue, HTTP, crypto-library, logger or filesystem imports, and nothing from core/adapters. ' +
        'Implement a port in packages/core/src/adapters/<name>/ instead.',
      from: {
        path: '^packages/core/src/(domain|services|retrieval|chat|ports)/',
        pathNot: TEST_FILE,
      },
      to: { path: INFRASTRUCTURE },
    },
    {
      name: 'server-worker-no-database-driver',
      severity: 'error',
      comment:
        'server and worker are thin: they compose core (`@atrium/core`, `@atrium/core/database`, ...) ' +
        'and never talk to a database driver or ORM directly. No SQL outside core.',
      from: {
        path: '^packages/(server|worker)/src/',
        pathNot: TEST_FILE,
      },
      to: { path: DATABASE_DRIVERS },
    },
    {
      name: 'sdk-not-to-core',
      severity: 'error',
      comment: 'The SDK follows the OpenAPI document, not core; it must not import @atrium/core.',
      from: { path: '^packages/sdk/' },
      to: { path: ['^packages/core/', npm('@atrium/core')] },
    },
    {
      name: 'sdk-self-contained',
      severity: 'error',
      comment:
        'The published SDK has no runtime dependencies and runs in browsers and edge runtimes: its sources import ' +
        'only each other (no npm package, no node: built-in). Tests and build scripts may use anything.',
      from: {
        path: '^packages/sdk/src/',
        pathNot: '\\.test(-d)?\\.ts$',
      },
      to: { pathNot: '^packages/sdk/src/' },
    },
    {
      name: 'widget-only-lit-and-sdk',
      severity: 'error',
      comment: "The widget depends on lit, the SDK's widget entry and its Markdown parser only (plus its own files).",
      from: {
        path: '^packages/widget/src/',
        pathNot: TEST_FILE,
      },
      to: {
        pathNot: ['^packages/widget/src/', '^packages/sdk/src/widget/', npm('lit', 'lit-html', 'lit-element', '@lit/[^/]+', 'streaming-markdown')],
      },
    },
    {
      name: 'no-circular',
      severity: 'warn',
      comment:
        'Circular dependencies make modules hard to reason about and to load; break the cycle. ' +
        '(Cycles through a type-only import are erased at compile time and do not count.)',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'This import does not resolve: a typo, or a package missing from package.json. ' +
        '(Also keeps the rules above honest: they match resolved paths.)',
      // bin/ shims load the build output (../dist/...), which does not exist before a build.
      from: { pathNot: '^packages/[^/]+/bin/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Our own build output only: npm packages' `dist/` folders must stay visible to the rules.
    exclude: { path: '^packages/[^/]+/(dist|coverage|\\.api)/' },
    // Type-only imports count too: a port that imports drizzle's types depends on drizzle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      // Workspace packages resolve to their sources, like tsc (customConditions) and vitest do.
      conditionNames: ['@atrium/source', 'import', 'types', 'node', 'default'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
