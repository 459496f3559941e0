/**
 * Keyword search is Okapi BM25 (ADR 0024), checked against a reference computed here in
 * TypeScript over the same lexemes (PostgreSQL's analysis of each chunk, read back from
 * `search_vector`), on a generated corpus of 5 200 chunks in two collections: Lucene's
 * idf, k1 0.9, b 0.4, a repeated query term counted per occurrence, and the combined
 * statistics of the collections searched. The statistics are kept by triggers, so the
 * reference is recomputed after a document is deleted too.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BM25_DEFAULTS, bm25Statement } from '../../src/adapters/database/repositories/keyword-search.js';
import { createDatabaseStore } from '../../src/adapters/database/store.js';
import { graphPrecisionFor } from '../../src/adapters/database/vector-index.js';
import { testDatabaseTargets } from '../../src/test/index.js';
import { addSyntheticDocument, newTenant, openHarness, type Harness } from '../helpers.js';

const DIMS = 8;
const VOCABULARY = 3_000;
const { bm25K1: K1, bm25B: B } = BM25_DEFAULTS;

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be reproduced. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const SEED = 20261207;
// Reset for each database, so both get the same corpus and queries.
let next = random(SEED);
// Made-up words, so that the English stemmer leaves them distinct: "qab", "qac", ...
const word = (i: number) => `q${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + (Math.floor(i / 26) % 26))}${Math.floor(i / 676)}x`;
// Zipf-like: word i is drawn with probability ∝ 1 / (i + 1), so some words are in most chunks.
const cumulative = (() => {
  const weights = Array.from({ length: VOCABULARY }, (_, i) => 1 / (i + 1));
  let sum = 0;
  return weights.map((w) => (sum += w));
})();
const drawWord = () => {
  const x = next() * cumulative.at(-1)!;
  let lo = 0;
  let hi = VOCABULARY - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return word(lo);
};
const chunkText = () => Array.from({ length: 5 + Math.floor(next() * 120) }, drawWord).join(' ');
const embedding = () => Array.from({ length: DIMS }, () => next() - 0.5);

interface Reference {
  byChunk: Map<string, Map<string, number>>;
}

describe.each(await testDatabaseTargets())('keyword search is BM25, on $name', (target) => {
  let h: Harness;
  let tenantId: string;
  let first: string;
  let second: string;
  let deletable: string;
  const queries: string[] = [];
  const longQueries: string[] = [];

  beforeAll(async () => {
    next = random(SEED);
    h = await openHarness(target, { runJobs: false });
    const tenant = await newTenant(h.core);
    tenantId = tenant.tenantId;
    const space = await h.core.spaces.create(tenant.actor, { name: 'BM25' });
    first = (await h.core.collections.create(tenant.actor, space.id, { name: 'First' })).id;
    second = (await h.core.collections.create(tenant.actor, space.id, { name: 'Second' })).id;
    // 26 documents of 200 chunks: 16 in the first collection, 10 in the second.
    for (let d = 0; d < 26; d++) {
      const chunks = Array.from({ length: 200 }, () => ({ text: chunkText(), embedding: embedding() }));
      const collectionId = d < 16 ? first : second;
      const { documentId } = await addSyntheticDocument(h, tenantId, { spaceId: space.id, collectionId }, chunks);
      if (d === 3) deletable = documentId;
    }
    // Queries mix rare, middling and very common words; some repeat a word.
    for (let i = 0; i < 40; i++) {
      const words = Array.from({ length: 1 + Math.floor(next() * 6) }, () => word(Math.floor(next() ** 2 * VOCABULARY)));
      if (i % 5 === 0) words.push(words[0]!);
      queries.push(words.join(' '));
    }
    // And long ones (a pasted paragraph): bounded, they leave more common terms than are
    // looked up one by one, so the candidates' own lexemes are scanned for them instead.
    for (let i = 0; i < 8; i++) longQueries.push(Array.from({ length: 30 + Math.floor(next() * 20) }, () => word(Math.floor(next() ** 2 * VOCABULARY))).join(' '));
  }, 600_000);
  afterAll(async () => {
    await h?.close();
  });

  const db = () => h.atrium.database.db;
  const rows = async <T>(statement: ReturnType<typeof sql>) => (await db().execute(statement)) as unknown as { rows: T[] };

  /** Every chunk's lexemes and their frequencies, as PostgreSQL analysed the chunk. */
  const reference = async (collectionIds: string[]): Promise<Reference> => {
    const { rows: postings } = await rows<{ id: string; lexeme: string; tf: number }>(sql`
      select c.id, u.lexeme, array_length(u.positions, 1) as tf
      from chunks c, unnest(c.search_vector) u
      where c.collection_id in (${sql.join(collectionIds.map((id) => sql`${id}::uuid`), sql`, `)})`);
    const byChunk = new Map<string, Map<string, number>>();
    const { rows: all } = await rows<{ id: string }>(sql`
      select id from chunks where collection_id in (${sql.join(collectionIds.map((id) => sql`${id}::uuid`), sql`, `)})`);
    for (const { id } of all) byChunk.set(id, new Map());
    for (const p of postings) byChunk.get(p.id)!.set(p.lexeme, Number(p.tf));
    return { byChunk };
  };

  const queryLexemes = async (query: string) => {
    const { rows: lexemes } = await rows<{ lexeme: string; n: number }>(sql`
      select lexeme, array_length(positions, 1) as n from unnest(to_tsvector('english', ${query}))`);
    return lexemes.map((l) => ({ lexeme: l.lexeme, qtf: Number(l.n) }));
  };

  /** Lucene BM25 (with the (k1 + 1) factor, which does not change the order), best first, ties by id. */
  const referenceTop = (ref: Reference, terms: { lexeme: string; qtf: number }[], limit: number) => {
    const n = ref.byChunk.size;
    let total = 0;
    const df = new Map<string, number>();
    for (const lexemes of ref.byChunk.values()) {
      for (const [lexeme, tf] of lexemes) {
        total += tf;
        df.set(lexeme, (df.get(lexeme) ?? 0) + 1);
      }
    }
    const avgdl = total / n;
    const scored: { id: string; score: number }[] = [];
    for (const [id, lexemes] of ref.byChunk) {
      const length = [...lexemes.values()].reduce((a, b) => a + b, 0);
      let score = 0;
      for (const { lexeme, qtf } of terms) {
        const tf = lexemes.get(lexeme);
        if (!tf) continue;
        const d = df.get(lexeme)!;
        const idf = Math.log(1 + (n - d + 0.5) / (d + 0.5));
        score += qtf * idf * ((tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / avgdl)));
      }
      if (score > 0) scored.push({ id, score });
    }
    return scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, limit);
  };

  const store = (tuning: Parameters<typeof createDatabaseStore>[1] = {}) =>
    createDatabaseStore(db(), { graphPrecision: graphPrecisionFor(h.atrium.database.driver), ...tuning }).forTenant(tenantId);

  /** Compares the SQL's top 10 with the reference's: same chunks, same order (up to float ties), same scores. */
  const expectSameTop10 = async (collectionIds: string[], tuning: Parameters<typeof createDatabaseStore>[1] = {}) => {
    const ref = await reference(collectionIds);
    expect(ref.byChunk.size).toBeGreaterThan(1_900);
    let compared = 0;
    for (const query of queries) {
      const expected = referenceTop(ref, await queryLexemes(query), 10);
      const hits = await store(tuning).chunks.searchKeyword({ collectionIds, query, limit: 10 });
      expect(hits.map((hit) => hit.score)).toEqual(expected.map((e) => expect.closeTo(e.score, 6)) as unknown as number[]);
      // Ids in order, except where two reference scores tie to 1e-9 (either order is right).
      hits.forEach((hit, i) => {
        const tied = expected.filter((e) => Math.abs(e.score - expected[i]!.score) < 1e-9).map((e) => e.id);
        expect(tied).toContain(hit.chunkId);
      });
      compared += expected.length;
    }
    expect(compared).toBeGreaterThan(300);
  };

  it('one collection: the same top 10 as the reference, with every term scored exactly', async () => {
    await expectSameTop10([first], { keywordExactPostings: 10_000_000 });
  }, 120_000);

  it('one collection, bounded: common terms added to the best candidates only, same top 10', async () => {
    // A budget far under the common words' postings (each is in most of the 3 200 chunks).
    await expectSameTop10([first], { keywordExactPostings: 500 });
  }, 120_000);

  it('bounded: every hit has its full BM25 score, common terms added by lookup (a few) or from its own lexemes (many)', async () => {
    // Which chunks are candidates is bounded (the top 10 of a long question may differ from
    // the reference's); what each candidate scores is not.
    const ref = await reference([first]);
    let checked = 0;
    for (const query of [...queries, ...longQueries]) {
      const full = new Map(referenceTop(ref, await queryLexemes(query), Infinity).map((e) => [e.id, e.score]));
      const hits = await store({ keywordExactPostings: 500 }).chunks.searchKeyword({ collectionIds: [first], query, limit: 10 });
      for (const hit of hits) expect(hit.score).toBeCloseTo(full.get(hit.chunkId)!, 6);
      checked += hits.length;
    }
    expect(checked).toBeGreaterThan(400);
  }, 120_000);

  it('two collections are scored with their combined statistics', async () => {
    await expectSameTop10([first, second]);
  }, 120_000);

  it("another tenant neither ranks this tenant's chunks nor reads their text", async () => {
    const query = queries[1]!;
    const ranked = await store().chunks.rankKeyword({ collectionIds: [first], query, limit: 10 });
    expect(ranked).toHaveLength(10);
    expect((await store().chunks.hits(ranked)).map((hit) => hit.chunkId)).toEqual(ranked.map((r) => r.chunkId));
    const other = createDatabaseStore(db(), { graphPrecision: graphPrecisionFor(h.atrium.database.driver) }).forTenant(h.core.context.ids.next());
    expect(await other.chunks.rankKeyword({ collectionIds: [first], query, limit: 10 })).toEqual([]);
    expect(await other.chunks.hits(ranked)).toEqual([]);
  });

  it('after ingestion, postings are read from their index alone (index-only scan, no heap fetches)', async () => {
    // PGlite has no autovacuum: the store vacuums chunk_terms after ingestion jobs. On
    // PostgreSQL that is autovacuum's job, done here by hand so the plan is deterministic.
    if (h.atrium.database.driver === 'pglite') await h.core.context.store.system.chunksStored();
    else await db().execute(sql`vacuum chunk_terms`);
    const statement = bm25Statement(tenantId, {}, { collectionIds: [first], query: queries[1]!, limit: 10 });
    const { rows: plan } = await rows<Record<string, string>>(sql`explain (analyze, costs off) ${statement}`);
    const text = plan.map((row) => Object.values(row)[0]).join('\n');
    expect(text).toMatch(/Index Only Scan using chunk_terms_pkey on chunk_terms/);
    expect(text).not.toMatch(/Heap Fetches: [1-9]/);
  });

  it('a deleted document leaves the statistics as if it had never been there', async () => {
    expect(await h.core.context.store.forTenant(tenantId).documents.delete(deletable)).toBe(true);
    const { rows: stats } = await rows<{ chunk_count: number }>(sql`select chunk_count from collection_search_stats where collection_id = ${first}`);
    expect(Number(stats[0]!.chunk_count)).toBe(15 * 200);
    await expectSameTop10([first]);
  }, 120_000);

  it('a deleted collection takes its statistics and postings with it', async () => {
    expect(await h.core.context.store.forTenant(tenantId).collections.delete(second)).toBe(true);
    const { rows: left } = await rows<{ n: number }>(sql`
      select (select count(*) from chunk_terms where collection_id = ${second})::int
           + (select count(*) from collection_term_stats where collection_id = ${second})::int
           + (select count(*) from collection_search_stats where collection_id = ${second})::int as n`);
    expect(Number(left[0]!.n)).toBe(0);
  });
});
