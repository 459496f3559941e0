/**
 * Ingestion throughput with the local embedder: MB/s of text and chunks/s through the
 * real pipeline, on PGlite and (with DATABASE_URL) on PostgreSQL.
 *
 * A deterministic Markdown corpus (BENCH_INGEST_MB, default 5 MB, built from the
 * retrieval fixtures with variations: documents of 4–256 KB) is uploaded with
 * `core.documents.create` (file bytes), one document after another, into one collection
 * of a fresh Atrium (`createAtrium`: in-process queue, concurrency 2, the real extractor in
 * worker threads, local-hash-v1 at 384 dimensions). The clock runs from the first upload
 * until every document is `ready` (polled through the repositories every 50 ms).
 *
 * Each target runs twice, differing only in the extractor's worker thread:
 * - "source": the default extractor as `pnpm start` runs it (tsx): each worker loads tsx
 *   (inherited `--import tsx`) and compiles the extractor's TypeScript again;
 * - "built": the extractor worker compiled to JavaScript (bundled here with esbuild, as
 *   dist/extractor-worker.js would be) and started without tsx, as the published package
 *   does. Otherwise identical (same limits, same protocol).
 *
 * Then the pieces are timed one by one on the same corpus, in this process: extraction
 * (parsing only, a pooled thread's start and the cost per document handed to it), chunking, embedding, upload and
 * storage (per target). When PostgreSQL misses the goal (or BENCH_INGEST_PROFILE=1), one
 * more PostgreSQL run is profiled (main thread, V8 sampling profiler) and summarised.
 */
import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { createAtrium, type AtriumInstance } from '@atrium/core/node';
import { createInProcessExtractor, createIsolatedExtractor, DEFAULT_EXTRACTION_LIMITS, type IsolatedExtractor } from '@atrium/core/extraction';
import { hashingEmbedder } from '@atrium/core/local';
import type { DocumentExtractor, ExtractedDocument, JobQueue } from '../packages/core/src/ports/index.js';
import { chunkDocument, embeddingTextFor, type ChunkDraft } from '../packages/core/src/retrieval/chunking.js';
import { DEFAULT_CHUNKING } from '../packages/core/src/domain/knowledge.js';
import { inProcessQueue } from '../packages/core/src/adapters/memory-queue/index.js';
import { recordResult, BENCH_DIR, BENCH_JWT_SECRET, load, median, PROFILE_DIR, sleep, table, tempDir, verdict } from './lib/common.js';
import { backendCpu, bundleExtractorWorker, fmt, markdownCorpus, mb, pgDatabase, processCpuMs, reachable, tenantAndSpace } from './lib/knowledge.js';

const TOTAL_MB = Number(process.env.BENCH_INGEST_MB ?? 5);
const GOAL_MBPS = 2;
const RUN_TIMEOUT_MS = 30 * 60_000;
const DECLARED = 'text/markdown';

type Corpus = ReturnType<typeof markdownCorpus>;
type WorkerKind = 'source' | 'built';
interface Target {
  name: 'PGlite' | 'PostgreSQL';
  adminUrl?: string;
}

/**
 * The isolated extractor with a compiled worker, started without the parent's tsx flags:
 * what createIsolatedExtractor does in the built package (same pool, limits and messages).
 */
const builtExtractor = (entry: URL) => createIsolatedExtractor(DEFAULT_EXTRACTION_LIMITS, { workerEntry: entry, execArgv: [] });

const openTarget = async (target: Target, label: string, options: Parameters<typeof createAtrium>[0] = {}) => {
  const db = target.adminUrl ? await pgDatabase(target.adminUrl, label) : null;
  const instance = await createAtrium({ databaseUrl: db?.url, dataDir: tempDir(label), bcryptCost: 4, jwtSecret: BENCH_JWT_SECRET, ...options });
  const cpu = db && target.adminUrl ? backendCpu(target.adminUrl, db.name) : null;
  return {
    instance,
    cpu,
    async close() {
      await instance.close();
      await cpu?.close();
      await db?.drop();
    },
  };
};

const totals = async (instance: AtriumInstance, collectionId: string) => {
  const result = await instance.database.db.execute(
    sql`select count(*)::int as chunks, coalesce(sum(token_count), 0)::int as tokens from chunks where collection_id = ${collectionId}`,
  );
  const row = (result as unknown as { rows: { chunks: number; tokens: number }[] }).rows[0]!;
  return { chunks: Number(row.chunks), tokens: Number(row.tokens) };
};

interface RunResult {
  target: Target['name'];
  worker: WorkerKind;
  concurrency: number;
  docs: number;
  bytes: number;
  chunks: number;
  tokens: number;
  failed: number;
  wallMs: number;
  uploadedMs: number;
  nodeCpuMs: number;
  pgCpuMs: number | null;
  profile?: string;
}

/** The real pipeline: upload everything, wait until every document is ready. */
const pipeline = async (
  target: Target,
  worker: WorkerKind,
  corpus: Corpus,
  extractor: DocumentExtractor | undefined,
  profile = false,
  concurrency?: number,
): Promise<RunResult> => {
  const env = await openTarget(target, 'ingest', { ...(extractor && { extractor }), ...(concurrency && { queue: inProcessQueue({ concurrency }) }) });
  const { instance, cpu } = env;
  const session = profile ? new Session() : null;
  try {
    const { core } = instance;
    const { actor, spaceId, tenantId } = await tenantAndSpace(instance);
    const collection = await core.collections.create(actor, spaceId, { name: 'Ingest' });
    const repos = core.context.store.forTenant(tenantId);
    const bytes = corpus.reduce((sum, d) => sum + d.bytes.byteLength, 0);
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 500 });
      await session.post('Profiler.start');
    }
    await cpu?.start();
    const cpu0 = processCpuMs();
    const t0 = performance.now();
    for (const doc of corpus) {
      const created = await core.documents.create(actor, collection.id, { kind: 'file', bytes: doc.bytes, filename: doc.name, declaredType: DECLARED });
      if (created.duplicate) throw new Error(`${doc.name} was taken for a duplicate`);
    }
    const uploadedMs = performance.now() - t0;
    let last = { ready: 0, failed: 0 };
    for (;;) {
      const counts = await repos.collections.countDocuments(collection.id);
      await cpu?.sample();
      if (counts.ready !== last.ready) process.stdout.write(`\r    ${counts.ready}/${corpus.length} ready`);
      last = counts;
      if (counts.ready + counts.failed >= corpus.length) break;
      if (performance.now() - t0 > RUN_TIMEOUT_MS) throw new Error(`ingestion did not finish in ${RUN_TIMEOUT_MS / 60_000} min`);
      await sleep(50);
    }
    const wallMs = performance.now() - t0;
    const nodeCpuMs = processCpuMs() - cpu0;
    const pgCpuMs = cpu ? await cpu.elapsed() : null;
    let profileFile: string | undefined;
    if (session) {
      const { profile: cpuProfile } = await session.post('Profiler.stop');
      const dir = PROFILE_DIR;
      mkdirSync(dir, { recursive: true });
      profileFile = path.join(dir, `ingest-${target.name.toLowerCase()}-${worker}-${Date.now()}.cpuprofile`);
      writeFileSync(profileFile, JSON.stringify(cpuProfile));
    }
    process.stdout.write('\n');
    const { chunks, tokens } = await totals(instance, collection.id);
    return {
      target: target.name,
      worker,
      concurrency: concurrency ?? 2,
      docs: corpus.length,
      bytes,
      chunks,
      tokens,
      failed: last.failed,
      wallMs,
      uploadedMs,
      nodeCpuMs,
      pgCpuMs,
      ...(profileFile && { profile: profileFile }),
    };
  } finally {
    session?.disconnect();
    await env.close();
  }
};

interface Piece {
  piece: string;
  wallMs: number;
  cpuMs: number;
  pgCpuMs?: number | null;
  note?: string;
}

const timed = async <T>(fn: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> => {
  const cpu0 = processCpuMs();
  const t0 = performance.now();
  const value = await fn();
  return { value, wallMs: performance.now() - t0, cpuMs: processCpuMs() - cpu0 };
};

/** A queue that records jobs and runs nothing: uploads without ingestion. */
const idleQueue = (): JobQueue => ({
  kind: 'in-process',
  enqueue: async () => {},
  process: async () => {},
  ping: async () => {},
  close: async () => {},
});

/** Pieces that do not touch the database: timed once, in this process, one document after another. */
const cpuPieces = async (corpus: Corpus, builtEntry: URL) => {
  const pieces: Piece[] = [];
  const inProcess = createInProcessExtractor();
  await inProcess.extract({ bytes: corpus[0]!.bytes, declaredType: DECLARED }); // loads marked
  const extraction = await timed(async () => {
    const out: ExtractedDocument[] = [];
    for (const doc of corpus) out.push(await inProcess.extract({ bytes: doc.bytes, declaredType: DECLARED, filename: doc.name }));
    return out;
  });
  pieces.push({ piece: 'extraction: parsing only (in-process `extractDocument`, marked lexer → blocks)', wallMs: extraction.wallMs, cpuMs: extraction.cpuMs });

  // The fixed costs of the pooled threads, measured on a tiny document: starting a thread
  // (the first document of a fresh pool of one), then each further document (median of 9).
  const tiny = new TextEncoder().encode('# Tiny\n\nOne paragraph.\n');
  const threadCosts = async (extractor: IsolatedExtractor) => {
    try {
      const first = await timed(() => extractor.extract({ bytes: tiny, declaredType: DECLARED }));
      const walls: number[] = [];
      const cpus: number[] = [];
      for (let i = 0; i < 9; i++) {
        const t = await timed(() => extractor.extract({ bytes: tiny, declaredType: DECLARED }));
        walls.push(t.wallMs);
        cpus.push(t.cpuMs);
      }
      return { start: first, perDocument: { wallMs: median(walls), cpuMs: median(cpus) } };
    } finally {
      await extractor.close();
    }
  };
  for (const [kind, extractor] of [
    ['source (tsx)', createIsolatedExtractor({}, { size: 1 })],
    ['built (JS)', createIsolatedExtractor(DEFAULT_EXTRACTION_LIMITS, { size: 1, workerEntry: builtEntry, execArgv: [] })],
  ] as const) {
    const costs = await threadCosts(extractor);
    pieces.push({
      piece: `extraction: starting a pooled thread, ${kind} (once per thread)`,
      wallMs: costs.start.wallMs,
      cpuMs: costs.start.cpuMs,
      note: 'first document of a fresh thread, tiny',
    });
    pieces.push({
      piece: `extraction: handing a document to a warm thread, ${kind}, × ${corpus.length} documents`,
      wallMs: costs.perDocument.wallMs * corpus.length,
      cpuMs: costs.perDocument.cpuMs * corpus.length,
      note: `${fmt(costs.perDocument.wallMs, 2)} ms wall, ${fmt(costs.perDocument.cpuMs, 2)} ms CPU per document`,
    });
  }

  const chunking = await timed(async () => extraction.value.map((doc) => chunkDocument(doc.blocks, DEFAULT_CHUNKING)));
  const drafts = chunking.value;
  const chunkCount = drafts.reduce((sum, d) => sum + d.length, 0);
  pieces.push({ piece: `chunking (\`chunkDocument\`, 400/60 tokens, cl100k via gpt-tokenizer): ${chunkCount} chunks`, wallMs: chunking.wallMs, cpuMs: chunking.cpuMs });

  const model = hashingEmbedder();
  const embedding = await timed(async () => {
    const out: number[][][] = [];
    for (const docDrafts of drafts) {
      const vectors: number[][] = [];
      for (let i = 0; i < docDrafts.length; i += 64) vectors.push(...(await model.embed(docDrafts.slice(i, i + 64).map(embeddingTextFor))));
      out.push(vectors);
    }
    return out;
  });
  pieces.push({
    piece: 'embedding (local-hash-v1, 384 dims, batches of 64)',
    wallMs: embedding.wallMs,
    cpuMs: embedding.cpuMs,
    note: `${fmt((embedding.cpuMs / chunkCount) * 1000, 0)} µs CPU per chunk`,
  });
  return { pieces, drafts, vectors: embedding.value, chunkCount };
};

/**
 * Upload and storage on one target: documents.create with an idle queue, then the job's
 * storing transaction per document. Storage runs three times, into three collections: with
 * everything, without the HNSW index, and without the HNSW index and the triggers that keep
 * BM25's postings and statistics (ADR 0024), so that the differences are the cost of each
 * in one run.
 */
const databasePieces = async (target: Target, corpus: Corpus, drafts: ChunkDraft[][], vectors: number[][][]): Promise<Piece[]> => {
  const env = await openTarget(target, 'ingest_store', { queue: idleQueue(), runJobs: false });
  try {
    const { core, database } = env.instance;
    const { actor, spaceId, tenantId } = await tenantAndSpace(env.instance);
    const upload = async (name: string) => {
      const collection = await core.collections.create(actor, spaceId, { name });
      const ids: string[] = [];
      for (const doc of corpus)
        ids.push((await core.documents.create(actor, collection.id, { kind: 'file', bytes: doc.bytes, filename: doc.name, declaredType: DECLARED })).document.id);
      return { collectionId: collection.id, ids };
    };
    await env.cpu?.start();
    const uploaded = await timed(() => upload('Storage'));
    const uploadPg = env.cpu ? await env.cpu.elapsed() : null;
    const plain = await upload('Storage without HNSW');
    const bare = await upload('Storage without HNSW and BM25 statistics');

    const store = core.context.store;
    const storeAll = async ({ collectionId, ids }: { collectionId: string; ids: string[] }) => {
      await env.cpu?.start();
      const t = await timed(async () => {
        for (const [i, documentId] of ids.entries()) {
          const docDrafts = drafts[i]!;
          await store.transaction(async (tx) => {
            const scoped = tx.forTenant(tenantId);
            await scoped.documents.lock(documentId);
            await scoped.chunks.replaceForDocument(
              documentId,
              collectionId,
              384,
              docDrafts.map((d, j) => ({ ...d, id: core.context.ids.next(), embedding: vectors[i]![j]! })),
            );
            await scoped.documents.setProgress(documentId, {
              status: 'ready',
              error: null,
              format: 'markdown',
              chunkCount: docDrafts.length,
              tokenCount: docDrafts.reduce((sum, d) => sum + d.tokenCount, 0),
              now: new Date(),
            });
          });
          if (i % 10 === 0) await env.cpu?.sample();
        }
      });
      return { ...t, pgCpuMs: env.cpu ? await env.cpu.elapsed() : null };
    };
    const withIndexes = await storeAll(uploaded.value);
    await database.db.execute(sql.raw('drop index chunks_embedding_hnsw_384'));
    const withoutHnsw = await storeAll(plain);
    // Found by name, so a renamed trigger fails loudly here instead of measuring nothing.
    const found = await database.db.execute(sql.raw(`select tgname from pg_trigger where tgrelid = 'chunks'::regclass and tgname like 'chunks_bm25_%'`));
    const bm25Triggers = (found as unknown as { rows: { tgname: string }[] }).rows.map((r) => r.tgname);
    if (bm25Triggers.length === 0) throw new Error('the BM25 statistics triggers on chunks were not found');
    for (const name of bm25Triggers) await database.db.execute(sql.raw(`alter table chunks disable trigger ${name}`));
    const withoutIndexes = await storeAll(bare);
    for (const name of bm25Triggers) await database.db.execute(sql.raw(`alter table chunks enable trigger ${name}`));
    const minus = (a: { wallMs: number; cpuMs: number; pgCpuMs: number | null }, b: typeof a) => ({
      wallMs: a.wallMs - b.wallMs,
      cpuMs: a.cpuMs - b.cpuMs,
      pgCpuMs: a.pgCpuMs !== null && b.pgCpuMs !== null ? a.pgCpuMs - b.pgCpuMs : null,
    });
    return [
      { piece: `${target.name}: upload (\`documents.create\`: detect, SHA-256, store bytes + document + job)`, wallMs: uploaded.wallMs, cpuMs: uploaded.cpuMs, pgCpuMs: uploadPg },
      {
        piece: `${target.name}: storage (the job's transaction: lock, \`replaceForDocument\` in batches of 200, mark ready)`,
        ...withIndexes,
        note: `${fmt(((withIndexes.cpuMs + (withIndexes.pgCpuMs ?? 0)) / cpuChunks(drafts)) * 1000, 0)} µs CPU per chunk`,
      },
      { piece: `↳ of which maintaining the HNSW index (storage − storage without it)`, ...minus(withIndexes, withoutHnsw) },
      { piece: `↳ of which keeping BM25's postings and statistics (triggers, ADR 0024)`, ...minus(withoutHnsw, withoutIndexes) },
      { piece: `↳ the rest: rows, TOAST, generated tsvector, driver, drizzle`, ...withoutIndexes },
    ];
  } finally {
    await env.close();
  }
};

const cpuChunks = (drafts: ChunkDraft[][]) => drafts.reduce((sum, d) => sum + d.length, 0);

// --- CPU profile summary (main thread) -----------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** The package a script belongs to (pnpm paths name peer dependencies too, so only the last node_modules counts). */
const packageOf = (url: string): string | null => {
  const at = url.lastIndexOf('/node_modules/');
  if (at < 0) return null;
  const [first, second] = url.slice(at + '/node_modules/'.length).split('/');
  return first?.startsWith('@') ? `${first}/${second}` : (first ?? null);
};

const categoryOf = (url: string, fn: string): string => {
  const pkg = packageOf(url);
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(idle)') return 'idle (waiting: worker threads, database, timers)';
  if (fn === '(program)') return '(program: V8/native, unattributed)';
  if (pkg === 'gpt-tokenizer') return 'tokenizer (gpt-tokenizer: chunking counts tokens)';
  if (/retrieval\/(chunking|segments|tokens)\.ts/.test(url)) return 'chunking (chunking.ts, segments.ts, tokens.ts)';
  if (/adapters\/local\//.test(url)) return 'embedding (local hashing embedder: features, hashing)';
  if (pkg === 'stemmer') return 'embedding (stemmer)';
  if (pkg?.startsWith('@electric-sql/')) return 'PGlite (WASM PostgreSQL, in-process)';
  if (pkg && ['pg', 'pg-protocol', 'pg-types', 'pgpass', 'pg-pool', 'pg-connection-string'].includes(pkg)) return 'pg driver';
  if (pkg === 'drizzle-orm') return 'drizzle-orm';
  if (pkg === 'tsx' || pkg === 'esbuild' || pkg === 'get-tsconfig') return 'tsx / esbuild';
  if (/schema\/knowledge\/vector\.ts/.test(url)) return 'vector serialisation (`[${v.join(",")}]`, vector.ts)';
  if (/adapters\/(database|extraction)|services\/|adapters\/memory-queue/.test(url)) return 'Atrium core (services, repositories, extraction host)';
  if (url.startsWith('node:') || url === '') return 'Node.js internals / native (sockets, buffers, streams)';
  if (pkg) return 'other packages';
  return 'other';
};

const summariseProfile = (profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }) => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + Math.max(0, profile.timeDeltas[i] ?? 0) / 1000));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, ms] of self) {
    const node = byId.get(id)!;
    const { url, functionName } = node.callFrame;
    const category = categoryOf(url, functionName);
    byCategory.set(category, (byCategory.get(category) ?? 0) + ms);
    // tsx's transforms leave most functions anonymous on line 1, so files say more than functions.
    const file = url
      .replace(/^file:\/\//, '')
      .replace(/^.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
      .replace(/^.*\/packages\//, 'packages/')
      .replace(/^(@[^/]+\/[^/]+|[^@/][^/]*)\/.*$/, (all, pkg: string) => (all.startsWith('packages/') ? all : pkg));
    const key = file ? file : functionName.startsWith('(') ? functionName : `${functionName} (native)`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  }
  const busy = total - (byCategory.get('idle (waiting: worker threads, database, timers)') ?? 0);
  const rows = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, ms]) => [k.replace(/\|/g, '\\|'), `${fmt(ms / 1000, 2)} s`, `${fmt((100 * ms) / total, 1)} %`, k.startsWith('idle') ? '' : `${fmt((100 * ms) / busy, 1)} %`]);
  return { total, busy, categories: rows(byCategory, 20), files: rows(new Map([...byFunction].filter(([k]) => !k.startsWith('(idle)'))), 15) };
};

// --------------------------------------------------------------------------------------------

const main = async () => {
  const loadBefore = load();
  const corpus = markdownCorpus(TOTAL_MB * 1024 * 1024);
  const bytes = corpus.reduce((sum, d) => sum + d.bytes.byteLength, 0);
  console.log(`ingest-throughput: ${corpus.length} Markdown documents, ${fmt(mb(bytes))} MB (4–256 KB each)\n`);
  const builtEntry = await bundleExtractorWorker(tempDir('extractor'));

  const targets: Target[] = [{ name: 'PGlite' }];
  let connectedNote = 'PostgreSQL skipped: DATABASE_URL is not set.';
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl) {
    if (await reachable(adminUrl)) {
      targets.push({ name: 'PostgreSQL', adminUrl });
      connectedNote = '';
    } else connectedNote = 'PostgreSQL skipped: DATABASE_URL is not reachable.';
  }

  const runs: RunResult[] = [];
  for (const target of targets)
    for (const worker of ['source', 'built'] as const) {
      console.log(`  pipeline: ${target.name}, ${worker} extractor worker`);
      const run = await pipeline(target, worker, corpus, worker === 'built' ? builtExtractor(builtEntry) : undefined);
      runs.push(run);
      console.log(
        `    ${fmt(run.wallMs / 1000)} s: ${fmt(mb(run.bytes) / (run.wallMs / 1000))} MB/s, ${fmt(run.chunks / (run.wallMs / 1000), 0)} chunks/s; ` +
          `Node CPU ${fmt(run.nodeCpuMs / 1000)} s${run.pgCpuMs !== null ? `, PostgreSQL CPU ${fmt(run.pgCpuMs / 1000)} s` : ''}; ${run.failed} failed`,
      );
    }

  // An experiment, not the product's setting: the in-process queue with 4 jobs at a time.
  const pgTarget = targets.find((t) => t.name === 'PostgreSQL');
  if (pgTarget) {
    console.log('  pipeline: PostgreSQL, built extractor worker, queue concurrency 4 (experiment)');
    const run = await pipeline(pgTarget, 'built', corpus, builtExtractor(builtEntry), false, 4);
    runs.push(run);
    console.log(`    ${fmt(run.wallMs / 1000)} s: ${fmt(mb(run.bytes) / (run.wallMs / 1000))} MB/s`);
  }

  console.log('  pieces, one at a time');
  const cpu = await cpuPieces(corpus, builtEntry);
  const pieces = [...cpu.pieces];
  for (const target of targets) pieces.push(...(await databasePieces(target, corpus, cpu.drafts, cpu.vectors)));
  for (const p of pieces)
    console.log(
      `    ${p.piece.padEnd(110)} ${fmt(p.wallMs / 1000).padStart(7)} s wall ${fmt(p.cpuMs / 1000).padStart(7)} s CPU${p.pgCpuMs != null ? ` + ${fmt(p.pgCpuMs / 1000)} s PG` : ''}`,
    );

  const pgRuns = runs.filter((r) => r.target === 'PostgreSQL');
  const goalMissed = pgRuns.filter((r) => r.concurrency === 2).some((r) => mb(r.bytes) / (r.wallMs / 1000) < GOAL_MBPS);
  let profileSection = '';
  if (pgRuns.length > 0 && (goalMissed || process.env.BENCH_INGEST_PROFILE === '1')) {
    console.log('  profiling one more PostgreSQL run (built worker), main thread');
    const run = await pipeline(targets.find((t) => t.name === 'PostgreSQL')!, 'built', corpus, builtExtractor(builtEntry), true);
    const { readFileSync } = await import('node:fs');
    const summary = summariseProfile(JSON.parse(readFileSync(run.profile!, 'utf8')));
    // The scoreboard keeps the categories; the files are for whoever is profiling, on the console.
    for (const [k, t, all, busy] of [...summary.categories, ...summary.files]) console.log(`    ${String(k).padEnd(60)} ${t} ${all} ${busy}`);
    profileSection = [
      `**Where the main thread's time goes** (a further PostgreSQL run with the built worker under the V8 sampling profiler, 0.5 ms interval: ` +
        `${fmt(run.wallMs / 1000)} s wall, ${fmt(mb(run.bytes) / (run.wallMs / 1000))} MB/s with the profiler on; ` +
        `${fmt(summary.busy / 1000)} s of ${fmt(summary.total / 1000)} s sampled were busy. Worker threads (extraction) are not in this profile; ` +
        `the profile is \`${path.relative(BENCH_DIR, run.profile!)}\`, git-ignored):`,
      '',
      table(['self time by category', 'time', 'of all samples', 'of busy samples'], summary.categories),
    ].join('\n');
  }

  const loadAfter = load();
  const chunksPerMb = (r: RunResult) => r.chunks / mb(r.bytes);
  const runRows = runs.map((r) => {
    const mbps = mb(r.bytes) / (r.wallMs / 1000);
    const cpuS = (r.nodeCpuMs + (r.pgCpuMs ?? 0)) / 1000;
    return [
      r.target,
      (r.worker === 'source' ? 'source (tsx, as `pnpm start`)' : 'built (JS, as the package)') +
        (r.concurrency !== 2 ? ` — experiment: queue concurrency ${r.concurrency}` : ''),
      `${r.docs} docs, ${fmt(mb(r.bytes))} MB, ${r.chunks} chunks${r.failed ? `, **${r.failed} failed**` : ''}`,
      `${fmt(r.wallMs / 1000, 1)} s (uploads done at ${fmt(r.uploadedMs / 1000, 1)} s)`,
      `**${fmt(mbps)} MB/s**`,
      fmt(r.chunks / (r.wallMs / 1000), 0),
      `${fmt(r.nodeCpuMs / 1000, 1)} s${r.pgCpuMs !== null ? ` + ${fmt(r.pgCpuMs / 1000, 1)} s PG` : ''}`,
      `${fmt(mb(r.bytes) / cpuS)} MB/s`,
      r.concurrency !== 2 ? '(experiment)' : r.target === 'PostgreSQL' ? `**${verdict(mbps >= GOAL_MBPS)}**` : '(no goal)',
    ];
  });
  const pieceRows = pieces.map((p) => [
    p.piece,
    `${fmt(p.wallMs / 1000, 2)} s`,
    `${fmt(p.cpuMs / 1000, 2)} s${p.pgCpuMs != null ? ` + ${fmt(p.pgCpuMs / 1000, 2)} s PG` : ''}`,
    `${fmt(mb(bytes) / ((p.cpuMs + (p.pgCpuMs ?? 0)) / 1000), 1)} MB/s`,
    p.note ?? '',
  ]);
  const loadNote = `1-min load average ${loadBefore.oneMinute.toFixed(1)} before, ${loadAfter.oneMinute.toFixed(1)} after${
    loadBefore.busy || loadAfter.busy ? ' — **the machine was busy with other work: wall times (and so MB/s) are inflated; CPU seconds are the steadier figures**' : ''
  }.`;
  console.log(`\n  ${loadNote}`);
  const goalRuns = runs.filter((r) => r.concurrency === 2 && r.target === 'PostgreSQL').map((r) => mb(r.bytes) / (r.wallMs / 1000));
  recordResult(
    'ingestion throughput (local embedder, real pipeline)',
    goalRuns.map((mbps) => ({ goal: `≥ ${GOAL_MBPS} MB/s on PostgreSQL`, result: `${fmt(mbps)} MB/s`, verdict: verdict(mbps >= GOAL_MBPS) })),
    [
      `Corpus: ${corpus.length} synthetic Markdown documents (4–256 KB, log-uniform; built deterministically from bench/fixtures/retrieval with varied ` +
        `words and numbers), ${fmt(mb(bytes))} MB, ${fmt(chunksPerMb(runs[0]!), 0)} chunks/MB at the default 400/60 tokens. Uploaded one after another with ` +
        '`core.documents.create` (file bytes) into one collection of a fresh `createAtrium` (in-process queue, concurrency 2, real extractor in worker threads, ' +
        '`local-hash-v1` 384 dims); timed from the first upload until every document is `ready`. "CPU" is this Node process (all threads) plus, for ' +
        'PostgreSQL, the server backends of the benchmark database (/proc). "MB/s per CPU-second" divides by that CPU time, so it barely moves with other work ' +
        `on the machine. Goal: ≥ ${GOAL_MBPS} MB/s on PostgreSQL.`,
      '',
      table(['database', 'extractor worker', 'corpus', 'wall', 'MB/s', 'chunks/s', 'CPU', 'MB/s per CPU-second', 'verdict'], runRows),
      '',
      'Pieces, timed one at a time on the same corpus in this process (wall and CPU; "alone" = MB/s if this piece were the only cost, on one core):',
      '',
      table(['piece', 'wall', 'CPU', 'alone', 'note'], pieceRows),
      profileSection ? `\n${profileSection}` : '',
      '',
      [connectedNote, loadNote].filter(Boolean).join(' '),
    ].join('\n'),
  );
};

await main();
