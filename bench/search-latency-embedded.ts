/**
 * Search latency on the embedded default: PGlite in this process, 10 000 chunks, the way a
 * newcomer's `pnpm start` runs it. No DATABASE_URL needed.
 *
 * Set-up (not timed): a fresh embedded `createAtrium`, one collection of BENCH_SEARCH_CHUNKS
 * (default 10 000) synthetic chunks loaded as chat-ttft loads them (lib/chat.ts:
 * topic-model text, local-hash-v1 vectors, the HNSW index built after the load, then VACUUM
 * (ANALYZE), which PGlite's store also runs after ingestion).
 *
 * Measured, one query at a time, after a warm-up pass, in 2 rounds (the second in reverse
 * case order), through `retrieve` (what search and chat call), topK 10:
 * - chat-like questions of at most 30 words (the 88 labelled fixture questions, then short
 *   synthetic ones: runs of words of a chunk, topic words). Goal: hybrid p95 ≤ 50 ms;
 * - long questions of about 200 words (ArguAna's length: the first 200 words of held-out
 *   chunks of the same topic model). Goal: hybrid p95 ≤ 150 ms.
 * Keyword (BM25) and vector alone are reported for context.
 */
import { retrieve } from '@atrium/core';
import { createAtrium } from '@atrium/core/node';
import { loadSyntheticCollection, PER_DOCUMENT, questionMix, type Queryable } from './lib/chat.js';
import { recordResult, BENCH_JWT_SECRET, load, table, tempDir, verdict } from './lib/common.js';
import { fmt, percentile, processCpuMs, tenantAndSpace, topicChunk, topicModel } from './lib/knowledge.js';

const TOTAL = Number(process.env.BENCH_SEARCH_CHUNKS ?? 10_000);
const QUERIES = Number(process.env.BENCH_SEARCH_QUERIES ?? 200);
const LONG_QUERIES = Number(process.env.BENCH_LONG_QUERIES ?? 100);
const LONG_WORDS = 200;
const SHORT_WORDS = 30;
const TOP_K = 10;
const GOAL_SHORT_P95_MS = 50;
const GOAL_LONG_P95_MS = 150;
const ROUNDS = 2;
type Mode = 'hybrid' | 'keyword' | 'vector';

const main = async () => {
  const loadBefore = load();
  console.log(`search-latency-embedded: ${TOTAL} chunks on PGlite, ${QUERIES} short and ${LONG_QUERIES} long questions`);
  const instance = await createAtrium({ dataDir: tempDir('search-embedded'), bcryptCost: 4, jwtSecret: BENCH_JWT_SECRET, runJobs: false });
  try {
    const { core } = instance;
    const { actor, spaceId, tenantId } = await tenantAndSpace(instance);
    const collection = await core.collections.create(actor, spaceId, { name: `Knowledge (${TOTAL} chunks)` });
    const sql = (instance.database.db as unknown as { $client: Queryable }).$client;
    const loadNote = await loadSyntheticCollection({ instance, sql, tenantId, spaceId, collectionId: collection.id, total: TOTAL, maintenanceWorkMem: '64MB' });
    console.log(`    ${loadNote}`);
    const repos = core.context.store.forTenant(tenantId);

    const short = questionMix(QUERIES, TOTAL).map((q) => q.split(/\s+/).slice(0, SHORT_WORDS).join(' '));
    const model = topicModel();
    const long = Array.from({ length: LONG_QUERIES }, (_, k) => topicChunk(model, TOTAL + k * 7, PER_DOCUMENT).text.split(/\s+/).slice(0, LONG_WORDS).join(' '));
    const longWords = percentile(long.map((q) => q.split(/\s+/).length), 50);

    const cases = (['hybrid', 'keyword', 'vector'] as Mode[]).flatMap((mode) => [
      { set: 'short', mode, questions: short, goal: mode === 'hybrid' ? GOAL_SHORT_P95_MS : undefined },
      { set: 'long', mode, questions: long, goal: mode === 'hybrid' ? GOAL_LONG_P95_MS : undefined },
    ]);
    const run = (mode: Mode, query: string) => retrieve(repos, core.context.embeddings, { collections: [collection], query, topK: TOP_K, mode });
    console.log('    warm-up pass');
    for (const c of cases) for (const q of c.questions) await run(c.mode, q);
    const stats = cases.map(() => ({ wall: [] as number[], cpuMs: 0, calls: 0 }));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? cases.map((_, i) => i) : cases.map((_, i) => cases.length - 1 - i);
      for (const i of order) {
        const c = cases[i]!;
        const s = stats[i]!;
        const cpu0 = processCpuMs();
        for (const q of c.questions) {
          const started = performance.now();
          await run(c.mode, q);
          s.wall.push(performance.now() - started);
        }
        s.cpuMs += processCpuMs() - cpu0;
        s.calls += c.questions.length;
        console.log(`    round ${round + 1}: ${c.mode}, ${c.set}: p50 ${fmt(percentile(s.wall, 50))} ms, p95 ${fmt(percentile(s.wall, 95))} ms`);
      }
    }

    const loadAfter = load();
    const loadLine = `1-min load average ${loadBefore.oneMinute.toFixed(1)} before, ${loadAfter.oneMinute.toFixed(1)} after${
      loadBefore.busy || loadAfter.busy ? ' — **the machine was busy with other work: latencies are inflated; the CPU column is the steadier figure**' : ''
    }.`;
    const label = (c: (typeof cases)[number]) => `${c.mode}, ${c.set === 'short' ? `questions of ≤ ${SHORT_WORDS} words` : `questions of ~${longWords} words`}`;
    recordResult(
      `search latency on the embedded default (PGlite, ${TOTAL / 1000}k chunks)`,
      cases.flatMap((c, i) =>
        c.goal === undefined
          ? []
          : [{ goal: `${label(c)}: p95 ≤ ${c.goal} ms`, result: `p95 ${fmt(percentile(stats[i]!.wall, 95))} ms`, verdict: verdict(percentile(stats[i]!.wall, 95) <= c.goal) }],
      ),
      [
        `One collection of ${TOTAL} synthetic chunks on embedded PGlite (in this process), \`retrieve\` with topK ${TOP_K}, one query at a time, ` +
          `a warm-up pass then ${ROUNDS} rounds. Short: ${short.length} chat-like questions (the 88 labelled fixture questions + synthetic ones), ` +
          `cut at ${SHORT_WORDS} words. Long: ${long.length} questions of ${LONG_WORDS} words (held-out chunks of the same topic model, ArguAna's length). ` +
          'Wall time of the call; CPU is this process (PGlite runs in it), per query.',
        '',
        table(
          ['case', 'p50 ms', 'p95 ms', 'p99 ms', 'CPU ms/query', 'verdict'],
          cases.map((c, i) => {
            const s = stats[i]!;
            const p95 = percentile(s.wall, 95);
            return [label(c), fmt(percentile(s.wall, 50)), `**${fmt(p95)}**`, fmt(percentile(s.wall, 99)), fmt(s.cpuMs / s.calls), c.goal === undefined ? 'context' : `**${verdict(p95 <= c.goal)}** (≤ ${c.goal} ms)`];
          }),
        ),
        '',
        loadNote,
        '',
        loadLine,
      ].join('\n'),
    );
  } finally {
    await instance.close();
  }
};

await main();
