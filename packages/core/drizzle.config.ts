import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the schema (`pnpm db:generate`), committed, and never
// edited by hand; both PostgreSQL and PGlite apply the same files on start.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/adapters/database/schema/index.ts',
  out: './migrations',
  casing: 'snake_case',
});
