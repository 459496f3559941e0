/**
 * Retrieval quality of search's three modes on the labelled set (bench/fixtures/retrieval:
 * 40 documents, 88 queries with their relevant documents and a kind): nDCG@10, recall@10
 * and MRR@10 for hybrid, vector and keyword, overall and by kind of query.
 *
 * The 40 documents are ingested through the real pipeline into one collection of a fresh
 * embedded Atrium (PGlite, in-process queue, the real extractor in worker threads,
 * local-hash-v1, default chunking 400/60); every query runs through
 * `core.collections.search` with each mode and topK 10, and documents are ranked by
 * their best chunk (the order of first appearance in the hits). Metrics are those of
 * packages/core/src/retrieval/metrics.ts. Requirement: hybrid beats both vector and keyword.
 *
 * Then, to see why hybrid does or does not, the candidate lists are fetched once per query
 * (vector through the repository; keyword through the repository and through variants of
 * its SQL on the same database) and alternative fusions and keyword queries are scored in
 * this script: RRF k, candidate counts, weights, document-level fusion, score fusion, AND
 * vs OR queries, rank functions. Nothing in packages/ is changed; the first prototype row
 * reproduces the shipped hybrid exactly, as a check that the prototypes are faithful.
 */
import { sql } from 'drizzle-orm';
import type { SearchHit, SearchMode } from '@atrium/core';
import { reciprocalRankFusion } from '@atrium/core';
import { createAtrium } from '@atrium/core/node';
import { mean, ndcgAt, recallAt, reciprocalRankAt } from '../packages/core/src/retrieval/metrics.js';
import { queryTerms } from '../packages/core/src/retrieval/query-terms.js';
import { recordResult, BENCH_JWT_SECRET, load, sleep, table, tempDir, verdict } from './lib/common.js';
import { fmt, loadFixtures, tenantAndSpace, type FixtureQuery } from './lib/knowledge.js';
import { runDatasetBenchmark } from './lib/dataset-quality.js';
import { scoreFusion as fuseByScore, weightedRrf as fuseByRank } from './lib/fusion-experiments.js';

const K = 10;
const MODES: SearchMode[] = ['hybrid', 'vector', 'keyword'];
const POOL = 200; // candidates fetched once per query for the prototypes

interface Scored {
  ndcg: number;
  recall: number;
  rr: number;
}

const score = (ranked: string[], relevant: string[]): Scored => ({
  ndcg: ndcgAt(K, ranked, relevant),
  recall: recallAt(K, ranked, relevant),
  rr: reciprocalRankAt(K, ranked, relevant),
});

const summary = (queries: FixtureQuery[], scored: Scored[]) => {
  const kinds = [...new Set(queries.map((q) => q.kind))];
  const byKind = Object.fromEntries(
    kinds.map((kind) => {
      const of = scored.filter((_, i) => queries[i]!.kind === kind);
      return [kind, { ndcg: mean(of.map((s) => s.ndcg)), n: of.length }];
    }),
  );
  return { ndcg: mean(scored.map((s) => s.ndcg)), recall: mean(scored.map((s) => s.recall)), mrr: mean(scored.map((s) => s.rr)), byKind };
};

/** Weighted reciprocal rank fusion, the best `limit`. */
const weightedRrf = (lists: SearchHit[][], weights: number[], k: number, limit: number): SearchHit[] => fuseByRank(lists, weights, k).slice(0, limit);

/** Convex combination of min-max normalised scores; a chunk missing from a list scores 0 there. */
const scoreFusion = (vector: SearchHit[], keyword: SearchHit[], alpha: number, limit: number): SearchHit[] =>
  fuseByScore(vector, keyword, alpha, 'minmax').slice(0, limit);

const main = async () => {
  const loadBefore = load();
  const { documents, queries } = loadFixtures();
  console.log(`retrieval-quality: ${documents.length} documents, ${queries.length} queries, modes ${MODES.join(', ')}, topK ${K}`);
  const instance = await createAtrium({ dataDir: tempDir('quality'), bcryptCost: 4, jwtSecret: BENCH_JWT_SECRET });
  try {
    const { core } = instance;
    const { actor, spaceId, tenantId } = await tenantAndSpace(instance);
    const collection = await core.collections.create(actor, spaceId, { name: 'Fixtures' });
    const repos = core.context.store.forTenant(tenantId);

    // --- ingest through the real pipeline -------------------------------------------------
    const t0 = performance.now();
    const nameOf = new Map<string, string>();
    for (const doc of documents) {
      const created = await core.documents.create(actor, collection.id, {
        kind: 'file',
        bytes: new TextEncoder().encode(doc.text),
        filename: doc.name,
        declaredType: 'text/markdown',
      });
      nameOf.set(created.document.id, doc.name);
    }
    for (;;) {
      const counts = await repos.collections.countDocuments(collection.id);
      if (counts.failed > 0) throw new Error(`${counts.failed} fixture documents failed to ingest`);
      if (counts.ready === documents.length) break;
      if (performance.now() - t0 > 10 * 60_000) throw new Error('ingestion did not finish in 10 minutes');
      await sleep(50);
    }
    const ingestS = (performance.now() - t0) / 1000;
    const chunkRows = await instance.database.db.execute(sql`select count(*)::int as n from chunks where collection_id = ${collection.id}`);
    const chunkCount = Number((chunkRows as unknown as { rows: { n: number }[] }).rows[0]!.n);
    console.log(`  ingested ${documents.length} documents (${chunkCount} chunks) in ${fmt(ingestS, 1)} s`);

    const docsOf = (hits: SearchHit[]): string[] => [...new Set(hits.map((h) => nameOf.get(h.documentId) ?? h.documentId))];

    // --- the three modes through core ----------------------------------------------------
    const byMode = new Map<SearchMode, { ranked: string[][]; scored: Scored[] }>();
    for (const mode of MODES) {
      const ranked: string[][] = [];
      for (const q of queries) ranked.push(docsOf(await core.collections.search(actor, collection.id, { query: q.query, topK: K, mode })));
      byMode.set(mode, { ranked, scored: ranked.map((r, i) => score(r, queries[i]!.relevant)) });
    }
    const kinds = [...new Set(queries.map((q) => q.kind))];
    const results = MODES.map((mode) => ({ mode, ...summary(queries, byMode.get(mode)!.scored) }));
    for (const r of results)
      console.log(
        `  ${r.mode.padEnd(8)} nDCG@10 ${fmt(r.ndcg, 3)}  recall@10 ${fmt(r.recall, 3)}  MRR@10 ${fmt(r.mrr, 3)}  ` +
          kinds.map((k) => `${k} ${fmt(r.byKind[k]!.ndcg, 3)}`).join('  '),
      );
    const [hybrid, vector, keyword] = results as [(typeof results)[number], (typeof results)[number], (typeof results)[number]];
    const beatsVector = hybrid.ndcg > vector.ndcg;
    const beatsKeyword = hybrid.ndcg > keyword.ndcg;
    const pass = beatsVector && beatsKeyword;

    // Queries where hybrid ranks worse than vector alone, with what keyword search put first.
    const losses = queries
      .map((q, i) => ({
        q,
        hybrid: byMode.get('hybrid')!.scored[i]!.ndcg,
        vector: byMode.get('vector')!.scored[i]!.ndcg,
        keywordTop: byMode.get('keyword')!.ranked[i]!.slice(0, 3),
        hybridTop: byMode.get('hybrid')!.ranked[i]!.slice(0, 3),
        vectorTop: byMode.get('vector')!.ranked[i]!.slice(0, 3),
      }))
      .filter((x) => x.hybrid < x.vector - 1e-9)
      .sort((a, b) => b.vector - b.hybrid - (a.vector - a.hybrid));
    const wins = queries.filter((_, i) => byMode.get('hybrid')!.scored[i]!.ndcg > byMode.get('vector')!.scored[i]!.ndcg + 1e-9).length;

    // --- prototypes: candidate lists fetched once, fused and scored here --------------------
    console.log('  prototypes');
    const model = core.context.embeddings.get(collection.embeddingModel)!;
    const ids = [collection.id];
    const db = instance.database.db;
    type KeywordVariant = { name: string; query: (q: string) => ReturnType<typeof sql> | null; rank: ReturnType<typeof sql> };
    const orQuery = (q: string) => {
      const words = queryTerms(q).filter((t) => /^[\p{L}\p{N}]+$/u.test(t));
      return words.length ? sql`to_tsquery('english', ${words.join(' | ')})` : null;
    };
    const rankCd1 = sql`ts_rank_cd(c.search_vector, q.query, 1)`;
    const keywordVariants: KeywordVariant[] = [
      { name: 'OR of terms, ts_rank_cd norm 1 (shipped)', query: orQuery, rank: rankCd1 },
      { name: 'OR of terms, ts_rank_cd norm 0', query: orQuery, rank: sql`ts_rank_cd(c.search_vector, q.query, 0)` },
      { name: 'OR of terms, ts_rank norm 1', query: orQuery, rank: sql`ts_rank(c.search_vector, q.query, 1)` },
      { name: 'OR of terms, ts_rank norm 0', query: orQuery, rank: sql`ts_rank(c.search_vector, q.query, 0)` },
      {
        name: 'OR of prefixes (`term:*`), ts_rank_cd norm 1',
        query: (q) => {
          const words = queryTerms(q).filter((t) => /^[\p{L}\p{N}]+$/u.test(t));
          return words.length ? sql`to_tsquery('english', ${words.map((w) => `${w}:*`).join(' | ')})` : null;
        },
        rank: rankCd1,
      },
      { name: 'AND (`plainto_tsquery`), ts_rank_cd norm 1', query: (q) => sql`plainto_tsquery('english', ${q})`, rank: rankCd1 },
    ];
    // Document frequency of each lexeme in this collection, for a variant that drops common terms.
    const dfResult = await db.execute(sql`select word, ndoc from ts_stat(${`select search_vector from chunks where collection_id = '${collection.id}'`})`);
    const documentFrequency = new Map((dfResult as unknown as { rows: { word: string; ndoc: number }[] }).rows.map((r) => [r.word, Number(r.ndoc)]));
    const lexemesOf = async (q: string) => {
      const result = await db.execute(sql`select lexeme from unnest(to_tsvector('english', ${q}))`);
      return (result as unknown as { rows: { lexeme: string }[] }).rows.map((r) => r.lexeme).filter((l) => /^[\p{L}\p{N}]+$/u.test(l));
    };
    const queryLexemes = new Map<string, string[]>();
    for (const q of queries) queryLexemes.set(q.query, await lexemesOf(q.query));
    for (const [share, rank] of [[0.1, 'cd1'], [0.25, 'cd1'], [0.25, 'rank0']] as const)
      keywordVariants.push({
        name: `OR of the terms in ≤ ${share * 100}% of chunks, ${rank === 'cd1' ? 'ts_rank_cd norm 1' : 'ts_rank norm 0'}`,
        query: (q) => {
          const lexemes = [...queryLexemes.get(q)!].sort((a, b) => (documentFrequency.get(a) ?? 0) - (documentFrequency.get(b) ?? 0));
          const kept = lexemes.filter((l) => (documentFrequency.get(l) ?? 0) <= share * chunkCount);
          const terms = kept.length > 0 ? kept : lexemes.slice(0, 1);
          return terms.length ? sql`${terms.map((t) => `'${t}'`).join(' | ')}::tsquery` : null;
        },
        rank: rank === 'cd1' ? rankCd1 : sql`ts_rank(c.search_vector, q.query, 0)`,
      });
    keywordVariants.push({ name: 'AND (`plainto_tsquery`), ts_rank norm 0', query: (q) => sql`plainto_tsquery('english', ${q})`, rank: sql`ts_rank(c.search_vector, q.query, 0)` });
    const keywordList = async (variant: KeywordVariant, q: string): Promise<SearchHit[]> => {
      const tsquery = variant.query(q);
      if (!tsquery) return [];
      const result = await db.execute(sql`
        with q as (select ${tsquery} as query)
        select c.id, c.document_id, ${variant.rank} as score
        from chunks c cross join q
        where c.tenant_id = ${tenantId} and c.collection_id = ${collection.id} and c.search_vector @@ q.query
        order by score desc, c.id
        limit ${POOL}`);
      return (result as unknown as { rows: { id: string; document_id: string; score: number | string }[] }).rows.map(
        (r) => ({ chunkId: r.id, documentId: r.document_id, score: Number(r.score) }) as SearchHit,
      );
    };
    const pools: { vectorPool: SearchHit[]; keywordPool: SearchHit[]; variants: SearchHit[][]; andOrOr: SearchHit[]; andOrOrRank0: SearchHit[] }[] = [];
    for (const q of queries) {
      const [embedding] = await model.embed([q.query]);
      const vectorPool = await repos.chunks.searchVector({ collectionIds: ids, dimensions: model.dimensions, embedding: embedding!, limit: POOL });
      const keywordPool = await repos.chunks.searchKeyword({ collectionIds: ids, query: q.query, limit: POOL });
      const variants: SearchHit[][] = [];
      for (const v of keywordVariants) variants.push(await keywordList(v, q.query));
      const variant = (name: string) => variants[keywordVariants.findIndex((v) => v.name === name)]!;
      const andList = variant('AND (`plainto_tsquery`), ts_rank_cd norm 1');
      const andRank0 = variant('AND (`plainto_tsquery`), ts_rank norm 0');
      pools.push({
        vectorPool,
        keywordPool,
        variants,
        andOrOr: andList.length > 0 ? andList : variants[0]!,
        andOrOrRank0: andRank0.length > 0 ? andRank0 : variant('OR of terms, ts_rank norm 0'),
      });
    }
    const evaluate = (fuse: (i: number) => SearchHit[]) => {
      const scored = queries.map((q, i) => score(docsOf(fuse(i)), q.relevant));
      return { ...summary(queries, scored), scored };
    };
    const base = byMode.get('hybrid')!.scored;
    const prototypes: { name: string; result: ReturnType<typeof evaluate> }[] = [];
    const proto = (name: string, fuse: (i: number) => SearchHit[]) => prototypes.push({ name, result: evaluate(fuse) });
    const top = (list: SearchHit[], n: number) => list.slice(0, n);
    const rrf = (i: number, n: number, k: number, kw: SearchHit[] = pools[i]!.keywordPool) =>
      reciprocalRankFusion([top(pools[i]!.vectorPool, n), top(kw, n)], K, k);

    proto('shipped: RRF k 60, 40 candidates each (reproduces hybrid)', (i) => rrf(i, 40, 60));
    proto('vector alone (repository, topK 10)', (i) => top(pools[i]!.vectorPool, K));
    for (const [v, variant] of keywordVariants.entries()) proto(`keyword alone: ${variant.name}`, (i) => top(pools[i]!.variants[v]!, K));
    for (const k of [1, 5, 10, 20, 30, 100]) proto(`RRF k ${k}, 40 candidates`, (i) => rrf(i, 40, k));
    for (const n of [10, 20, 100, 200]) proto(`RRF k 60, ${n} candidates each`, (i) => rrf(i, n, 60));
    for (const w of [1.5, 2, 3]) proto(`weighted RRF k 60: vector × ${w}, keyword × 1`, (i) => weightedRrf([top(pools[i]!.vectorPool, 40), top(pools[i]!.keywordPool, 40)], [w, 1], 60, K));
    for (const w of [2, 3]) proto(`weighted RRF k 10: vector × ${w}, keyword × 1`, (i) => weightedRrf([top(pools[i]!.vectorPool, 40), top(pools[i]!.keywordPool, 40)], [w, 1], 10, K));
    for (const a of [0.5, 0.7, 0.8, 0.9]) proto(`score fusion: ${a} × cosine + ${fmt(1 - a, 1)} × rank (min-max), 40 each`, (i) => scoreFusion(top(pools[i]!.vectorPool, 40), top(pools[i]!.keywordPool, 40), a, K));
    for (const [v, variant] of keywordVariants.entries())
      if (v > 0) proto(`RRF k 60, 40 each, keyword = ${variant.name}`, (i) => rrf(i, 40, 60, pools[i]!.variants[v]!));
    proto('RRF k 60, 40 each, keyword = AND, falling back to OR when AND finds nothing', (i) => rrf(i, 40, 60, pools[i]!.andOrOr));
    proto('RRF k 60, 40 each, keyword = AND falling back to OR, both ts_rank norm 0', (i) => rrf(i, 40, 60, pools[i]!.andOrOrRank0));
    proto('weighted RRF k 60 (vector × 2), keyword = AND falling back to OR', (i) => weightedRrf([top(pools[i]!.vectorPool, 40), top(pools[i]!.andOrOr, 40)], [2, 1], 60, K));
    proto('weighted RRF k 60 (vector × 2), keyword = OR, ts_rank norm 1', (i) => weightedRrf([top(pools[i]!.vectorPool, 40), top(pools[i]!.variants[2]!, 40)], [2, 1], 60, K));

    const shipped = prototypes[0]!.result;
    const faithful = Math.abs(shipped.ndcg - hybrid.ndcg) < 1e-9;
    const better = (s: Scored[]) => s.filter((x, i) => x.ndcg > base[i]!.ndcg + 1e-9).length;
    const worse = (s: Scored[]) => s.filter((x, i) => x.ndcg < base[i]!.ndcg - 1e-9).length;
    for (const p of prototypes)
      console.log(`    ${p.name.padEnd(80)} nDCG ${fmt(p.result.ndcg, 3)} recall ${fmt(p.result.recall, 3)} (+${better(p.result.scored)} −${worse(p.result.scored)})`);

    // --- report -----------------------------------------------------------------------------
    const loadAfter = load();
    const modeRows = results.map((r) => [
      r.mode === 'hybrid' ? '**hybrid** (default)' : r.mode,
      `**${fmt(r.ndcg, 3)}**`,
      fmt(r.recall, 3),
      fmt(r.mrr, 3),
      ...kinds.map((k) => fmt(r.byKind[k]!.ndcg, 3)),
    ]);
    const protoRows = prototypes.map((p) => [
      p.name.replace(/\|/g, '\\|'),
      fmt(p.result.ndcg, 3),
      fmt(p.result.recall, 3),
      fmt(p.result.mrr, 3),
      `${p.result.ndcg - hybrid.ndcg >= 0 ? '+' : ''}${fmt(p.result.ndcg - hybrid.ndcg, 3)}`,
      `${better(p.result.scored)} / ${worse(p.result.scored)}`,
      ...kinds.map((k) => fmt(p.result.byKind[k]!.ndcg, 3)),
    ]);
    const lossRows = losses
      .slice(0, 8)
      .map((l) => [
        `${l.q.id} (${l.q.kind})`,
        `"${l.q.query}"`,
        l.q.relevant.join(', '),
        fmt(l.vector, 2),
        fmt(l.hybrid, 2),
        l.vectorTop.join(', '),
        l.keywordTop.join(', ') || '(no match)',
        l.hybridTop.join(', '),
      ]);
    const loadNote = `1-min load average ${loadBefore.oneMinute.toFixed(1)} before, ${loadAfter.oneMinute.toFixed(1)} after (quality does not depend on load).`;
    recordResult(
      'retrieval quality: hybrid vs vector vs keyword (labelled fixtures)',
      [{ goal: 'hybrid nDCG@10 beats vector and keyword (fixtures)', result: `hybrid ${fmt(hybrid.ndcg, 3)}, vector ${fmt(vector.ndcg, 3)}, keyword ${fmt(keyword.ndcg, 3)}`, verdict: verdict(pass) }],
      [
        `${documents.length} documents of bench/fixtures/retrieval ingested through the real pipeline into one collection (embedded PGlite, \`local-hash-v1\` ` +
          `384 dims, chunking 400/60: ${chunkCount} chunks; ${fmt(ingestS, 1)} s), then each of the ${queries.length} queries through \`core.collections.search\` ` +
          `with topK ${K} in each mode; documents ranked by their best chunk. Binary relevance (1–3 relevant documents per query), metrics from ` +
          '`packages/core/src/retrieval/metrics.ts`. Requirement: hybrid beats both vector and keyword (nDCG@10).',
        '',
        table(['mode', 'nDCG@10', 'recall@10', 'MRR@10', ...kinds.map((k) => `nDCG ${k} (n=${hybrid.byKind[k]!.n})`)], modeRows),
        '',
        `Hybrid vs vector: hybrid ${fmt(hybrid.ndcg, 3)} vs ${fmt(vector.ndcg, 3)} → ${beatsVector ? 'beats' : '**does not beat**'} vector; ` +
          `vs keyword ${fmt(keyword.ndcg, 3)} → ${beatsKeyword ? 'beats' : '**does not beat**'} keyword. Per query, hybrid is better than vector on ${wins} ` +
          `and worse on ${losses.length} of ${queries.length}. **${verdict(pass)}**`,
        '',
        losses.length
          ? [
              'Where hybrid loses to vector alone (largest losses first; top 3 documents of each list):',
              '',
              table(['query', 'text', 'relevant', 'nDCG vector', 'nDCG hybrid', 'vector top 3', 'keyword top 3', 'hybrid top 3'], lossRows),
              '',
            ].join('\n')
          : '',
        `Prototypes (candidate lists fetched once per query: vector through \`repos.chunks.searchVector\`, keyword through \`repos.chunks.searchKeyword\` and ` +
          `variants of its SQL, up to ${POOL} each; fused in this script and ranked by best chunk, top ${K} chunks as the product returns). ` +
          `The first row must equal the hybrid row above: ${faithful ? 'it does' : `**it does not (${fmt(shipped.ndcg, 3)}), so read the rest with care**`}. ` +
          '"better / worse" counts queries whose nDCG@10 moves against the shipped hybrid; with 88 queries, differences under ~0.01 are within noise.',
        '',
        table(['variant', 'nDCG@10', 'recall@10', 'MRR@10', 'Δ nDCG vs hybrid', 'better / worse', ...kinds.map((k) => `nDCG ${k}`)], protoRows),
        '',
        loadNote,
      ].join('\n'),
    );
  } finally {
    await instance.close();
  }
};

await main();
// Then the shared public datasets (../shared/data), when present.
if (process.env.BENCH_DATASETS !== 'none') await runDatasetBenchmark();
