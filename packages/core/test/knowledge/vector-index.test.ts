/**
 * The HNSW graphs' precision follows the driver (ADR 0016), and a database whose graphs
 * were made with the other precision (PGlite data from before that ADR) is brought in line
 * at start, without losing what the index finds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignVectorIndexes, createVectorIndex, graphPrecisionFor, graphType } from '../../src/adapters/database/vector-index.js';
import { createAtrium, type AtriumInstance } from '../../src/adapters/node/index.js';
import type { Actor } from '../../src/domain/identity.js';
import { testDatabaseTargets } from '../../src/test/index.js';
import { newTenant, openHarness, type Harness } from '../helpers.js';

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

const indexDefinitions = async (h: Harness): Promise<Map<string, string>> =>
  new Map(
    rowsOf<{ indexname: string; indexdef: string }>(
      await h.atrium.database.db.execute(
        sql`select indexname, indexdef from pg_indexes where tablename = 'chunks' and indexname like 'chunks_embedding_hnsw_%'`,
      ),
    ).map((r) => [r.indexname, r.indexdef]),
  );

describe('graphType', () => {
  it('is halfvec for half precision, vector for full up to 2000 dimensions, halfvec past them', () => {
    expect(graphType(384, 'half')).toBe('halfvec');
    expect(graphType(384, 'full')).toBe('vector');
    expect(graphType(2000, 'full')).toBe('vector');
    expect(graphType(2001, 'full')).toBe('halfvec');
    expect(graphPrecisionFor('pglite')).toBe('full');
    expect(graphPrecisionFor('postgres')).toBe('half');
  });
});

describe.each(await testDatabaseTargets())('HNSW graph precision on $name', (target) => {
  let h: Harness;

  beforeAll(async () => {
    h = await openHarness(target, { runJobs: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a new collection gets a graph of the precision its driver calls for', async () => {
    const tenant = await newTenant(h.core);
    const space = await h.core.spaces.create(tenant.actor, { name: 'Precision' });
    await h.core.collections.create(tenant.actor, space.id, { name: 'Default model' });
    const wanted = graphType(384, graphPrecisionFor(h.atrium.database.driver));
    expect((await indexDefinitions(h)).get('chunks_embedding_hnsw_384')).toContain(`(embedding)::${wanted}(384)) ${wanted}_cosine_ops`);
  });

  it('alignVectorIndexes rebuilds graphs of the other precision, leaves the rest, and is idempotent', async () => {
    const db = h.atrium.database.db;
    const precision = graphPrecisionFor(h.atrium.database.driver);
    const other = precision === 'full' ? 'half' : 'full';
    // As a version that chose the other precision left it; 2500 dimensions are halfvec either way.
    await db.execute(sql`drop index if exists chunks_embedding_hnsw_384`);
    await db.execute(createVectorIndex(384, other));
    await db.execute(createVectorIndex(2500, other));
    const before = await indexDefinitions(h);
    expect(before.get('chunks_embedding_hnsw_384')).toContain(`${graphType(384, other)}_cosine_ops`);

    expect(await alignVectorIndexes(db, precision)).toEqual(['chunks_embedding_hnsw_384']);
    const after = await indexDefinitions(h);
    expect(after.get('chunks_embedding_hnsw_384')).toContain(`(embedding)::${graphType(384, precision)}(384)) ${graphType(384, precision)}_cosine_ops`);
    expect(after.get('chunks_embedding_hnsw_2500')).toBe(before.get('chunks_embedding_hnsw_2500'));
    expect(await alignVectorIndexes(db, precision)).toEqual([]);
  });
});

describe('an embedded data directory made with half-precision graphs', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'atrium-graphs-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is opened with full-precision graphs, and vector search still finds its chunks', { timeout: 120_000 }, async () => {
    const first = await createAtrium({ dataDir, bcryptCost: 4 });
    let ids: { actor: Actor; collectionId: string; documentId: string };
    try {
      const tenant = await newTenant(first.core);
      const space = await first.core.spaces.create(tenant.actor, { name: 'Old graphs' });
      const collection = await first.core.collections.create(tenant.actor, space.id, { name: 'Docs' });
      // The graph as a version before ADR 0016 made it on PGlite.
      await first.database.db.execute(sql`drop index chunks_embedding_hnsw_384`);
      await first.database.db.execute(createVectorIndex(384, 'half'));
      const { document } = await first.core.documents.create(tenant.actor, collection.id, {
        kind: 'text',
        title: 'Refunds',
        text: 'Refunds are paid within 14 days of the return arriving at our warehouse.',
      });
      ids = { actor: tenant.actor, collectionId: collection.id, documentId: document.id };
      await waitUntilReady(first, ids.actor, ids.documentId);
    } finally {
      await first.close();
    }

    const second = await createAtrium({ dataDir, bcryptCost: 4 });
    try {
      const definitions = rowsOf<{ indexdef: string }>(
        await second.database.db.execute(sql`select indexdef from pg_indexes where indexname = 'chunks_embedding_hnsw_384'`),
      );
      expect(definitions.map((d) => d.indexdef)).toEqual([expect.stringContaining('((embedding)::vector(384)) vector_cosine_ops')]);
      const hits = await second.core.collections.search(ids.actor, ids.collectionId, { query: 'when are refunds paid', mode: 'vector' });
      expect(hits.map((hit) => hit.documentId)).toContain(ids.documentId);
    } finally {
      await second.close();
    }
  });
});

const waitUntilReady = async (atrium: AtriumInstance, actor: Actor, documentId: string) => {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const document = await atrium.core.documents.get(actor, documentId);
    if (document.status === 'ready') return;
    if (document.status === 'failed' || Date.now() > deadline) throw new Error(`not ingested: ${JSON.stringify(document)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
