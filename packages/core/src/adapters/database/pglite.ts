import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { AtriumDb, Database } from './connect.js';
import { migrationsFolder } from './migrations-folder.js';
import * as schema from './schema/index.js';

export const openPglite = async (dataDir: string): Promise<Database> => {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(inMemory ? undefined : dataDir, { extensions: { vector } });
  const db = drizzle(client, { schema }) as unknown as AtriumDb;
  return {
    driver: 'pglite',
    db,
    async migrate() {
      await migrate(drizzle(client), { migrationsFolder: migrationsFolder() });
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
};
