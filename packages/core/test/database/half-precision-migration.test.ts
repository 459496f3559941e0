/**
 * Migration 0005 rebuilds the per-dimension HNSW indexes made before the graphs held
 * half-precision vectors (ADR 0015). Those indexes are created at run time, so the
 * migration finds them by name: this test makes one the old way and runs the migration's
 * own SQL on it, on both drivers.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/adapters/database/index.js';
import { testDatabaseTargets } from '../../src/test/index.js';

const MIGRATION = readFileSync(new URL('../../migrations/0005_hnsw_graphs_half_precision.sql', import.meta.url), 'utf8');

const indexDefinitions = async (database: Database) =>
  (
    (await database.db.execute(
      sql`select indexname, indexdef from pg_indexes where tablename = 'chunks' and indexname like 'chunks_embedding_hnsw_%' order by indexname`,
    )) as unknown as { rows: { indexname: string; indexdef: string }[] }
  ).rows;

describe.each(await testDatabaseTargets())('migration 0005 on $name', (target) => {
  let database: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const created = await target.create();
    drop = created.drop;
    database = await openDatabase({ url: created.databaseUrl, dataDir: created.dataDir });
    await database.migrate();
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  it('rebuilds indexes over vector(d) as halfvec(d) graphs, leaving halfvec ones alone', async () => {
    await database.db.execute(
      sql.raw('create index chunks_embedding_hnsw_8 on chunks using hnsw ((embedding::vector(8)) vector_cosine_ops) where embedding_dims = 8'),
    );
    await database.db.execute(
      sql.raw('create index chunks_embedding_hnsw_3072 on chunks using hnsw ((embedding::halfvec(3072)) halfvec_cosine_ops) where embedding_dims = 3072'),
    );
    const before = await indexDefinitions(database);
    await database.db.execute(sql.raw(MIGRATION));
    const after = await indexDefinitions(database);

    expect(after.map((i) => i.indexname)).toEqual(['chunks_embedding_hnsw_3072', 'chunks_embedding_hnsw_8']);
    const eight = after.find((i) => i.indexname === 'chunks_embedding_hnsw_8')!.indexdef;
    expect(eight).toMatch(/USING hnsw \(\(\(embedding\)::halfvec\(8\)\) halfvec_cosine_ops\) WHERE \(embedding_dims = 8\)/);
    expect(after.find((i) => i.indexname === 'chunks_embedding_hnsw_3072')).toEqual(before.find((i) => i.indexname === 'chunks_embedding_hnsw_3072'));
  });
});
