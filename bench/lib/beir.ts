/**
 * Public IR test collections in BEIR format (../shared/data, see its README): loading,
 * graded nDCG as trec_eval computes it, and one run of a dataset through a fresh Atrium.
 * The data is read where it lies; nothing is copied into the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { SearchHit, SearchMode } from '@atrium/core';
import type { AtriumInstance } from '@atrium/core/node';
import { createDatabaseStore, graphPrecisionFor, type SearchTuning } from '@atrium/core/database';
import { sql } from 'drizzle-orm';
import { REPO_ROOT, sleep } from './common.js';
import { percentile, tenantAndSpace } from './knowledge.js';
import { POOL, type Pools } from './fusion-experiments.js';

export const DATA_DIR = process.env.BENCH_DATA_DIR ?? path.join(REPO_ROOT, '..', 'shared', 'data');

export interface BeirDataset {
  name: string;
  split: string;
  corpus: { id: string; title: string; text: string }[];
  /** Only the queries judged in the split, in file order. */
  queries: { id: string; text: string }[];
  qrels: Map<string, Map<string, number>>;
}

const jsonLines = <T>(file: string): T[] =>
  gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);

/** The datasets present in DATA_DIR: every directory with a corpus. */
export const availableDatasets = (): string[] =>
  existsSync(DATA_DIR)
    ? readdirSync(DATA_DIR, { withFileTypes: true })
        .filter((e) => e.isDirectory() && existsSync(path.join(DATA_DIR, e.name, 'corpus.jsonl.gz')))
        .map((e) => e.name)
        .sort()
    : [];

export const loadBeir = (name: string, split: string): BeirDataset => {
  const dir = path.join(DATA_DIR, name);
  const qrels = new Map<string, Map<string, number>>();
  const lines = readFileSync(path.join(dir, 'qrels', `${split}.tsv`), 'utf8').split('\n').slice(1);
  for (const line of lines) {
    const [qid, docId, grade] = line.split('\t');
    if (!qid || !docId || !(Number(grade) > 0)) continue;
    if (!qrels.has(qid)) qrels.set(qid, new Map());
    qrels.get(qid)!.set(docId, Number(grade));
  }
  const corpus = jsonLines<{ _id: string; title?: string; text?: string }>(path.join(dir, 'corpus.jsonl.gz')).map((d) => ({
    id: d._id,
    title: d.title ?? '',
    text: d.text ?? '',
  }));
  const queries = jsonLines<{ _id: string; text: string }>(path.join(dir, 'queries.jsonl.gz'))
    .filter((q) => qrels.has(q._id))
    .map((q) => ({ id: q._id, text: q.text }));
  return { name, split, corpus, queries, qrels };
};

/** nDCG@k with linear gains (the grade) and a log2(rank + 1) discount, as `trec_eval -m ndcg_cut`. */
export const gradedNdcgAt = (k: number, ranked: readonly string[], grades: Map<string, number>): number => {
  const dcg = ranked.slice(0, k).reduce((sum, id, i) => sum + (grades.get(id) ?? 0) / Math.log2(i + 2), 0);
  const ideal = [...grades.values()]
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, g, i) => sum + g / Math.log2(i + 2), 0);
  return ideal === 0 ? 0 : dcg / ideal;
};

export const recallAtK = (k: number, ranked: readonly string[], grades: Map<string, number>): number =>
  grades.size === 0 ? 0 : ranked.slice(0, k).filter((id) => grades.has(id)).length / grades.size;

export const reciprocalRankAtK = (k: number, ranked: readonly string[], grades: Map<string, number>): number => {
  const i = ranked.slice(0, k).findIndex((id) => grades.has(id));
  return i < 0 ? 0 : 1 / (i + 1);
};

export interface ModeResult {
  mode: SearchMode;
  ndcg: number;
  recall: number;
  mrr: number;
  p50: number;
  p95: number;
}

export interface SweepResult {
  name: string;
  ndcg: number;
  p50: number;
  p95: number;
}

/** Keyword-search settings tried by BENCH_KEYWORD_SWEEP=1: bounds (exact, the defaults, tighter), then BM25's k1 and b. */
const KEYWORD_SWEEP: { name: string; tuning: SearchTuning }[] = [
  { name: 'exact (no bounds)', tuning: { keywordExactPostings: 1e9, keywordRescored: 1e6 } },
  { name: 'defaults (exact postings 5 000, rescored 100, k1 0.9, b 0.4)', tuning: {} },
  { name: 'exact postings 2 000, rescored 100', tuning: { keywordExactPostings: 2_000, keywordRescored: 100 } },
  { name: 'k1 1.2, b 0.4', tuning: { bm25K1: 1.2 } },
  { name: 'k1 1.2, b 0.75 (Robertson)', tuning: { bm25K1: 1.2, bm25B: 0.75 } },
  { name: 'k1 0.9, b 0.6', tuning: { bm25B: 0.6 } },
  { name: 'k1 0.9, b 0.3', tuning: { bm25B: 0.3 } },
  { name: 'k1 0.7, b 0.4', tuning: { bm25K1: 0.7 } },
  { name: 'k1 1.5, b 0.5', tuning: { bm25K1: 1.5, bm25B: 0.5 } },
];

export interface DatasetRun {
  /** Keyword-search bounds against nDCG and latency (BENCH_KEYWORD_SWEEP=1), per query lists. */
  sweep: { name: string; ranked: string[][]; times: number[] }[];
  chunks: number;
  refused: number;
  failed: number;
  ingestS: number;
  modes: ModeResult[];
  /** Per mode, per query: the document ids ranked. */
  ranked: Map<SearchMode, string[][]>;
  /** Per query: the vector and keyword candidate lists (with `pools`), for fusion experiments. */
  pools: Pools[];
  /** Atrium document id → dataset document id. */
  idOf: Map<string, string>;
}

/** The text a document is uploaded with: title and body as one text, like the reference's single field. */
export const documentText = (d: { title: string; text: string }) => (d.title.trim() ? `${d.title}\n\n${d.text}` : d.text);

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/**
 * Uploads the corpus as JSON-text documents (`core.documents.create`, kind text) into
 * one collection of `instance`, waits for ingestion, then runs every query in every mode.
 * Documents are ranked by their best chunk; the query's own id is never returned
 * (the BEIR protocol, which matters for ArguAna). `topK` chunks are asked for so that 10
 * distinct documents remain after that.
 */
export const runDataset = async (
  instance: AtriumInstance,
  dataset: BeirDataset,
  modes: SearchMode[],
  options: { topK?: number; log?: (line: string) => void; pools?: boolean; sweep?: boolean } = {},
): Promise<DatasetRun> => {
  const topK = options.topK ?? 20;
  const log = options.log ?? (() => {});
  const { core } = instance;
  const { actor, spaceId, tenantId } = await tenantAndSpace(instance, `Bench ${dataset.name}`);
  const collection = await core.collections.create(actor, spaceId, { name: dataset.name });
  const repos = core.context.store.forTenant(tenantId);

  const t0 = performance.now();
  const idOf = new Map<string, string>();
  let refused = 0;
  for (const d of dataset.corpus) {
    try {
      const created = await core.documents.create(actor, collection.id, { kind: 'text', title: d.title || d.id, text: documentText(d) });
      idOf.set(created.document.id, d.id);
    } catch (error) {
      refused++;
      if (refused <= 3) log(`    refused ${d.id}: ${(error as Error).message}`);
    }
  }
  let failed = 0;
  let chunks = 0;
  for (;;) {
    const counts = await repos.collections.countDocuments(collection.id);
    if (counts.ready + counts.failed >= counts.total) {
      failed = counts.failed;
      break;
    }
    if (performance.now() - t0 > 60 * 60_000) throw new Error('ingestion did not finish in an hour');
    await sleep(200);
  }
  const ingestS = (performance.now() - t0) / 1000;
  let cursor: string | null = null;
  do {
    const page = await repos.documents.list(collection.id, { limit: 500, cursor }, {});
    chunks += page.data.reduce((sum, doc) => sum + doc.chunkCount, 0);
    cursor = page.nextCursor;
  } while (cursor);
  log(`    ingested ${idOf.size} documents (${chunks} chunks, ${refused} refused, ${failed} failed) in ${ingestS.toFixed(1)} s`);

  const docsOf = (hits: SearchHit[], queryId: string) =>
    [...new Set(hits.map((h) => idOf.get(h.documentId) ?? h.documentId))].filter((id) => id !== queryId).slice(0, 10);
  const results: ModeResult[] = [];
  const ranked = new Map<SearchMode, string[][]>();
  for (const mode of modes) {
    const times: number[] = [];
    const lists: string[][] = [];
    // A few unmeasured searches first: the first ones compile and warm caches.
    for (const q of dataset.queries.slice(0, 5)) await core.collections.search(actor, collection.id, { query: q.text, topK, mode });
    for (const q of dataset.queries) {
      const s = performance.now();
      const hits = await core.collections.search(actor, collection.id, { query: q.text, topK, mode });
      times.push(performance.now() - s);
      lists.push(docsOf(hits, q.id));
    }
    ranked.set(mode, lists);
    const grades = dataset.queries.map((q) => dataset.qrels.get(q.id)!);
    results.push({
      mode,
      ndcg: mean(lists.map((l, i) => gradedNdcgAt(10, l, grades[i]!))),
      recall: mean(lists.map((l, i) => recallAtK(10, l, grades[i]!))),
      mrr: mean(lists.map((l, i) => reciprocalRankAtK(10, l, grades[i]!))),
      p50: percentile(times, 50),
      p95: percentile(times, 95),
    });
    const r = results.at(-1)!;
    log(`    ${mode.padEnd(8)} nDCG@10 ${r.ndcg.toFixed(4)}  R@10 ${r.recall.toFixed(4)}  MRR@10 ${r.mrr.toFixed(4)}  p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms`);
  }
  const pools: Pools[] = [];
  if (options.pools) {
    const model = core.context.embeddings.get(collection.embeddingModel)!;
    // Every chunk's stored vector, for fusions that search with another vector (feedback).
    const stored = (await instance.database.db.execute(
      sql`select id, document_id, embedding::text as embedding from chunks where collection_id = ${collection.id}`,
    )) as unknown as { rows: { id: string; document_id: string; embedding: string }[] };
    const allChunks = new Map(
      stored.rows.map((r) => [r.id, { documentId: r.document_id, embedding: JSON.parse(r.embedding) as number[] }]),
    );
    for (const q of dataset.queries) {
      const [embedding] = await model.embed([q.text]);
      const keyword = await repos.chunks.searchKeyword({ collectionIds: [collection.id], query: q.text, limit: POOL });
      // The exact cosine of every keyword candidate, for fusions that score them all.
      const similar = await repos.chunks.similarity({
        collectionIds: [collection.id],
        dimensions: model.dimensions,
        embedding: embedding!,
        chunkIds: keyword.map((h) => h.chunkId),
      });
      const cosine = new Map(similar.map((r) => [r.chunkId, r.score]));
      pools.push({
        vector: await repos.chunks.searchVector({ collectionIds: [collection.id], dimensions: model.dimensions, embedding: embedding!, limit: POOL }),
        keyword,
        keywordCosine: keyword.map((h) => ({ ...h, score: cosine.get(h.chunkId) ?? 0 })),
        question: embedding!,
        chunks: allChunks,
      });
    }
  }
  const sweep: DatasetRun['sweep'] = [];
  if (options.sweep) {
    for (const { name, tuning } of KEYWORD_SWEEP) {
      const store = createDatabaseStore(instance.database.db, { graphPrecision: graphPrecisionFor(instance.database.driver), ...tuning }).forTenant(tenantId);
      const lists: string[][] = [];
      const times: number[] = [];
      for (const q of dataset.queries) {
        const s = performance.now();
        const hits = await store.chunks.searchKeyword({ collectionIds: [collection.id], query: q.text, limit: 40 });
        times.push(performance.now() - s);
        lists.push(docsOf(hits, q.id));
      }
      sweep.push({ name, ranked: lists, times });
      log(`    keyword ${name}: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms`);
    }
  }
  return { chunks, refused, failed, ingestS, modes: results, ranked, pools, idOf, sweep };
};
