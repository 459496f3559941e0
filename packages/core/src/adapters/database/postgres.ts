import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { AtriumDb, Database } from './connect.js';
import { migrationsFolder } from './migrations-folder.js';
import * as schema from './schema/index.js';

/** Drizzle hides the driver's reason in `cause`; the usual one deserves a plain hint. */
export const explainMigrationError = (error: unknown): Error => {
  const cause = (error as { cause?: { message?: string; code?: string } }).cause;
  // The migrations enable pgvector (`vector`) and contrib's `btree_gin`.
  const extension = /extension "(vector|btree_gin)"/.exec(cause?.message ?? '')?.[1];
  if (cause?.code === '42501' || extension) {
    const name = extension ?? 'vector';
    const label = name === 'vector' ? 'pgvector' : name;
    return new Error(
      `Cannot enable ${label} (${cause?.message}). Install ${label} on the server and run "CREATE EXTENSION ${name}" as a superuser in this database, or connect as a role that may.`,
    );
  }
  return cause?.message ? new Error(`Migration failed: ${cause.message}`, { cause: error }) : (error as Error);
};

// Any constant shared by every Atrium process: serialises migrations across replicas.
const MIGRATION_LOCK_ID = 727_274_861;

export const openPostgres = async (url: string, maxConnections: number): Promise<Database> => {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = drizzle(pool, { schema }) as unknown as AtriumDb;
  return {
    driver: 'postgres',
    db,
    async migrate() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        await migrate(drizzle(client), { migrationsFolder: migrationsFolder() }).catch((error: unknown) => {
          throw explainMigrationError(error);
        });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => {});
        await client.end();
      }
    },
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      await pool.end();
    },
  };
};
