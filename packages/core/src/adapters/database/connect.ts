import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
/** The drizzle handle both drivers produce; repositories are written against this type only. */
export type AtriumDb = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseOptions {
  /** PostgreSQL connection string (connected mode). When absent, PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory; `memory://` keeps everything in memory (tests). */
  dataDir?: string | undefined;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
}

export interface Database {
  readonly driver: 'postgres' | 'pglite';
  readonly db: AtriumDb;
  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the database chosen by configuration: node-postgres when a URL is given,
 * PGlite (with pgvector) otherwise. Drivers are imported lazily so that a connected
 * deployment never loads the WASM build and an embedded one never needs `pg`.
 */
export const openDatabase = async (options: DatabaseOptions): Promise<Database> => {
  if (options.url) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(options.url, options.maxConnections ?? 10);
  }
  const { openPglite } = await import('./pglite.js');
  return openPglite(options.dataDir ?? './.atrium/db');
};
