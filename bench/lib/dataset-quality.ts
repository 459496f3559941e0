/**
 * The shared BEIR datasets (../shared/data) through the real ingestion pipeline, embedded
 * (PGlite) and, with DATABASE_URL, on PostgreSQL: per mode nDCG@10, recall@10, MRR@10
 * and search latency, beside the reference BM25 (`bm25_reference.py`, figures from the
 * data's README). NFCorpus is tuned on `dev` and reported on `test`; ArguAna has `test` only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SearchMode } from '@atrium/core';
import { createAtrium } from '@atrium/core/node';
import { BENCH_JWT_SECRET, load, recordResult, table, tempDir, verdict, type Score } from './common.js';
import { availableDatasets, DATA_DIR, gradedNdcgAt, loadBeir, recallAtK, reciprocalRankAtK, runDataset, type BeirDataset, type DatasetRun } from './beir.js';
import { fmt, percentile, pgDatabase, reachable } from './knowledge.js';
import { scoreVariants } from './fusion-experiments.js';

const MODES: SearchMode[] = ['keyword', 'vector', 'hybrid'];

/** Splits to run per dataset: every split with qrels (NFCorpus: dev and test). */
const splitsOf = (name: string): string[] => {
  const wanted = (process.env.BENCH_SPLITS ?? 'dev,test').split(',');
  return wanted.filter((split) => {
    try {
      readFileSync(path.join(DATA_DIR, name, 'qrels', `${split}.tsv`));
      return true;
    } catch {
      return false;
    }
  });
};

/** The reference BM25's nDCG@10 as the data's README states it (test: the table; dev: the text). */
export const referenceNdcg = (name: string, split: string): number | null => {
  const readme = readFileSync(path.join(DATA_DIR, 'README.md'), 'utf8');
  if (split === 'test') {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}/\``));
    const bold = row?.match(/\*\*(\d\.\d+)\*\*/);
    return bold ? Number(bold[1]) : null;
  }
  const section = readme.split(/^## /m).find((s) => s.startsWith(`${name}:`));
  const dev = section?.match(/on dev: nDCG@10 (\d\.\d+)/);
  return split === 'dev' && dev ? Number(dev[1]) : null;
};

export interface DatasetRow {
  target: string;
  dataset: string;
  split: string;
  reference: number | null;
  run: DatasetRun;
}

export const datasetQuality = async (log: (line: string) => void): Promise<{ rows: DatasetRow[]; report: string }> => {
  const only = process.env.BENCH_DATASETS?.split(',');
  const datasets = availableDatasets().filter((d) => !only || only.includes(d));
  const adminUrl = process.env.DATABASE_URL;
  const targets: { name: string; adminUrl?: string }[] = [];
  if (process.env.BENCH_TARGETS !== 'postgres') targets.push({ name: 'PGlite' });
  if (adminUrl && process.env.BENCH_TARGETS !== 'pglite' && (await reachable(adminUrl))) targets.push({ name: 'PostgreSQL', adminUrl });
  const rows: DatasetRow[] = [];
  for (const target of targets)
    for (const name of datasets) {
      // One ingestion per dataset and target; the splits share it.
      const splits = splitsOf(name);
      const loaded = splits.map((split) => loadBeir(name, split));
      const db = target.adminUrl ? await pgDatabase(target.adminUrl, 'retrieval') : null;
      const instance = await createAtrium({ databaseUrl: db?.url, dataDir: tempDir(`beir-${name}`), bcryptCost: 4, jwtSecret: BENCH_JWT_SECRET });
      try {
        log(`  ${target.name} ${name}: ${loaded[0]!.corpus.length} documents`);
        // All splits' queries in one run, so that ingestion happens once.
        const merged = { ...loaded[0]!, queries: loaded.flatMap((d) => d.queries), qrels: new Map(loaded.flatMap((d) => [...d.qrels])) };
        const run = await runDataset(instance, merged, MODES, { log, pools: process.env.BENCH_FUSION === '1', sweep: process.env.BENCH_KEYWORD_SWEEP === '1' });
        for (const d of loaded) {
          const mine = new Set(d.queries.map((q) => q.id));
          const indexes = merged.queries.map((q, i) => (mine.has(q.id) ? i : -1)).filter((i) => i >= 0);
          rows.push({ target: target.name, dataset: name, split: d.split, reference: referenceNdcg(name, d.split), run: splitRun(run, indexes, d) });
        }
      } finally {
        await instance.close();
        await db?.drop();
      }
    }
  const report = table(
    ['database', 'dataset', 'split', 'mode', 'nDCG@10', 'recall@10', 'MRR@10', 'search p50 / p95', 'reference BM25 nDCG@10', 'ingestion'],
    rows.flatMap((r) =>
      r.run.modes.map((m) => [
        r.target,
        r.dataset,
        r.split,
        m.mode,
        `**${fmt(m.ndcg, 4)}**`,
        fmt(m.recall, 4),
        fmt(m.mrr, 4),
        `${fmt(m.p50, 1)} / ${fmt(m.p95, 1)} ms`,
        r.reference === null ? 'n/a' : fmt(r.reference, 4),
        `${fmt(r.run.ingestS, 0)} s, ${r.run.chunks} chunks, ${r.run.refused} refused`,
      ]),
    ),
  );
  return { rows, report };
};

/** The metrics of one split, recomputed from the merged run's ranked lists (latency is the merged run's). */
const splitRun = (run: DatasetRun, indexes: number[], d: BeirDataset): DatasetRun => {
  const avg = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const modes = run.modes.map((m) => {
    const lists = indexes.map((i) => run.ranked.get(m.mode)![i]!);
    const grades = indexes.map((_, j) => d.qrels.get(d.queries[j]!.id)!);
    return {
      ...m,
      ndcg: avg(lists.map((l, j) => gradedNdcgAt(10, l, grades[j]!))),
      recall: avg(lists.map((l, j) => recallAtK(10, l, grades[j]!))),
      mrr: avg(lists.map((l, j) => reciprocalRankAtK(10, l, grades[j]!))),
    };
  });
  const sweep = run.sweep.map((v) => ({ ...v, ranked: indexes.map((i) => v.ranked[i]!), times: indexes.map((i) => v.times[i]!) }));
  return { ...run, modes, pools: run.pools.length ? indexes.map((i) => run.pools[i]!) : [], sweep };
};

/** Keyword-search bounds per dataset split (BENCH_KEYWORD_SWEEP=1): nDCG@10 and latency of the repository call. */
export const sweepReport = (rows: DatasetRow[]): string => {
  const lines = rows.flatMap((r) => {
    const d = loadBeir(r.dataset, r.split);
    return r.run.sweep.map((v) => {
      const ndcg = v.ranked.reduce((sum, l, i) => sum + gradedNdcgAt(10, l, d.qrels.get(d.queries[i]!.id)!), 0) / Math.max(1, v.ranked.length);
      return [r.target, r.dataset, r.split, v.name, fmt(ndcg, 4), `${fmt(percentile(v.times, 50), 1)} / ${fmt(percentile(v.times, 95), 1)} ms`];
    });
  });
  return lines.length ? table(['database', 'dataset', 'split', 'keyword bounds', 'nDCG@10', 'keyword p50 / p95 (40 hits)'], lines) : '';
};

/** Fusion variants per dataset split (BENCH_FUSION=1), best first. */
export const fusionReport = (rows: DatasetRow[]): string =>
  rows
    .filter((r) => r.run.pools.length > 0)
    .map((r) => {
      const d = loadBeir(r.dataset, r.split);
      const scored = scoreVariants(r.run.pools, d.queries, d.qrels, r.run.idOf).sort((a, b) => b.ndcg - a.ndcg);
      return `${r.target} ${r.dataset} ${r.split}:\n\n` + table(['variant', 'nDCG@10'], scored.map((v) => [v.name, fmt(v.ndcg, 4)]));
    })
    .join('\n\n');

/**
 * The goals per dataset and database, on its test split: keyword at least the
 * reference BM25; the default (hybrid) never below keyword alone, and at least the
 * reference + 0.01 where the embedder adds signal (reported, so also where it does not).
 */
const scoresOf = (rows: DatasetRow[]): Score[] =>
  rows
    .filter((r) => r.split === 'test' && r.reference !== null)
    .flatMap((r) => {
      const ndcg = (mode: string) => r.run.modes.find((m) => m.mode === mode)?.ndcg ?? Number.NaN;
      const [keyword, hybrid, reference] = [ndcg('keyword'), ndcg('hybrid'), r.reference!];
      const where = `${r.dataset} (${r.target})`;
      return [
        { goal: `${where}: keyword ≥ reference BM25 ${fmt(reference, 4)}`, result: `keyword ${fmt(keyword, 4)}`, verdict: verdict(keyword >= reference) },
        { goal: `${where}: default (hybrid) ≥ keyword`, result: `hybrid ${fmt(hybrid, 4)}`, verdict: verdict(hybrid >= keyword) },
        { goal: `${where}: default ≥ reference + 0.01`, result: `hybrid ${fmt(hybrid, 4)}`, verdict: verdict(hybrid >= reference + 0.01) },
      ];
    });

/** Runs every dataset, prints, and records its section of RESULTS.md (unless BENCH_NO_RECORD=1). */
export const runDatasetBenchmark = async (): Promise<void> => {
  const before = load();
  const { report, rows } = await datasetQuality((line) => console.log(line));
  if (rows.length === 0) {
    console.log(`retrieval datasets: none found in ${DATA_DIR} (set BENCH_DATA_DIR)`);
    return;
  }
  const fusion = fusionReport(rows);
  const sweep = sweepReport(rows);
  console.log(report);
  if (sweep) console.log(sweep);
  if (fusion) console.log(fusion);
  recordResult(
    'retrieval quality on the shared BEIR datasets',
    scoresOf(rows),
    `1-min load ${before.oneMinute.toFixed(1)} before, ${load().oneMinute.toFixed(1)} after. Documents uploaded as JSON text ` +
      '(title and text as one text), ranked by their best chunk, the query\'s own id left out; topK 20 chunks per search.\n\n' +
      `${report}\n\n${sweep}\n\n${fusion}`,
    'retrieval-datasets',
  );
};
