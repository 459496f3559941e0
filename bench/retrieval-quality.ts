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
 * Fusion is chosen on the public datasets, not on these fixtures (BENCH_FUSION=1 in
 * retrieval-datasets.ts; ADR 0026): 88 hand-written queries only check that nothing breaks.
 */
import { sql } from 'drizzle-orm';
import type { SearchHit, SearchMode } from '@atrium/core';
import { createAtrium } from '@atrium/core/node';
import { mean, ndcgAt, recallAt, reciprocalRankAt } from '../packages/core/src/retrieval/metrics.js';
import { recordResult, BENCH_JWT_SECRET, load, sleep, table, tempDir, verdict } from './lib/common.js';
import { fmt, loadFixtures, tenantAndSpace, type FixtureQuery } from './lib/knowledge.js';
import { runDatasetBenchmark } from './lib/dataset-quality.js';

const K = 10;
const MODES: SearchMode[] = ['hybrid', 'vector', 'keyword'];

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

    // --- report -----------------------------------------------------------------------------
    const loadAfter = load();
    const modeRows = results.map((r) => [
      r.mode === 'hybrid' ? '**hybrid** (default)' : r.mode,
      `**${fmt(r.ndcg, 3)}**`,
      fmt(r.recall, 3),
      fmt(r.mrr, 3),
      ...kinds.map((k) => fmt(r.byKind[k]!.ndcg, 3)),
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
