/**
 * Shared by the Chat benchmarks (chat-ttft, chat-concurrency): a 10k-chunk synthetic
 * collection loaded in bulk (the search-latency approach, for PostgreSQL and PGlite alike),
 * the tenant/space/assistants the chats run against, helper processes that talk over IPC
 * (lib/ipc.ts: the Atrium server and the fake model server, each in its own process), and a small SSE
 * client on `node:http` that timestamps every event as it arrives.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AtriumInstance } from '@atrium/core/node';
import { load, REPO_ROOT, sleep } from './common.js';
import { fmt, loadFixtures, percentile, tenantAndSpace, topicChunk, topicModel, topicQueries } from './knowledge.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const DIMS = 384;
export const PER_DOCUMENT = 50;
export const ADMIN_PASSWORD = 'bench-password-0123';

// ---------------------------------------------------------------------------------------
// Waiting for a quiet machine

/** What is left of this process's waiting budget (BENCH_QUIET_WAIT_S, default 600 s, shared by all waits). */
let quietBudgetMs = Number(process.env.BENCH_QUIET_WAIT_S ?? 600) * 1000;

/**
 * Waits until the 1-minute load average is below `threshold` (polling every 5 s, for at
 * most what is left of the budget: BENCH_QUIET_WAIT_S, default 600 s per benchmark run),
 * so that measurements are not taken while other work runs on the 2 cores. Returns what
 * was seen, for the results: past the budget it measures anyway, and the results say so.
 */
export const waitForQuiet = async (label: string, threshold = 1.0) => {
  const started = Date.now();
  const maxWaitMs = quietBudgetMs;
  let current = load().oneMinute;
  if (current >= threshold) process.stdout.write(`    ${label}: waiting for load < ${threshold} (now ${current.toFixed(2)})`);
  while (current >= threshold && Date.now() - started < maxWaitMs) {
    await sleep(5_000);
    current = load().oneMinute;
    process.stdout.write(` ${current.toFixed(2)}`);
  }
  const waitedS = (Date.now() - started) / 1000;
  quietBudgetMs = Math.max(0, quietBudgetMs - waitedS * 1000);
  const quiet = current < threshold;
  if (waitedS > 1 || !quiet) process.stdout.write(quiet ? ` → quiet after ${waitedS.toFixed(0)} s\n` : ` → still busy after ${waitedS.toFixed(0)} s; measuring anyway\n`);
  return { load: current, waitedS, quiet };
};

/** The load line of a results section; `quiet` says, per measured run, whether it started below load 1.0. */
export const loadLine = (before: number, after: number, quiet: boolean[]) => {
  const busy = quiet.filter((q) => !q).length;
  return (
    `1-min load average ${before.toFixed(2)} before, ${after.toFixed(2)} after (the benchmark's own processes raise it while they run)` +
    (busy
      ? ` — **${busy} of ${quiet.length} measured runs started with the load still ≥ 1.0 after waiting: other work shared the cores, latencies are inflated**.`
      : '; every measured run started below 1.0.')
  );
};

// ---------------------------------------------------------------------------------------
// Which code was measured, when packages/ has uncommitted changes (read-only git)

/**
 * A short fingerprint of packages/ as it is on disk (the diff against HEAD plus untracked
 * files), and when its newest file was modified: "uncommitted changes" alone does not say
 * which ones, and other work may change packages/ while a benchmark runs.
 */
export const packagesFingerprint = (): string => {
  try {
    const git = (...args: string[]) => execFileSync('git', ['-C', REPO_ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
    const hash = createHash('sha256').update(git('diff', 'HEAD', '--', 'packages'));
    const files = [...git('diff', 'HEAD', '--name-only', '--', 'packages').split('\n'), ...git('ls-files', '--others', '--exclude-standard', '--', 'packages').split('\n')].filter(Boolean);
    let newest = 0;
    for (const file of git('ls-files', '--others', '--exclude-standard', '--', 'packages').split('\n').filter(Boolean)) hash.update(file).update(readFileSync(path.join(REPO_ROOT, file)));
    for (const file of files) {
      try {
        newest = Math.max(newest, statSync(path.join(REPO_ROOT, file)).mtimeMs);
      } catch {
        // deleted
      }
    }
    if (files.length === 0) return 'packages/ as committed';
    return `packages/ working tree ${hash.digest('hex').slice(0, 12)} (${files.length} changed or new files, newest modified ${new Date(newest).toISOString().slice(0, 19).replace('T', ' ')} UTC)`;
  } catch {
    return 'packages/ fingerprint unavailable';
  }
};

/** The sentence for the results: which packages/ was measured, and whether it changed during the run. */
export const codeLine = (before: string, after: string) =>
  before === after ? `Measured: ${before}.` : `**packages/ changed during the run**: ${before} at the start, ${after} at the end.`;

// ---------------------------------------------------------------------------------------
// The corpus: synthetic chunks loaded straight into a collection

/** A SQL connection: a `pg.Client` or the PGlite client (both have this `query`). */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * Embeds topic-model chunks [0, total) in worker threads with the real hashing embedder,
 * reporting each finished slice to `onProgress` (chunks done so far).
 */
export const embedChunks = async (total: number, onProgress?: (done: number) => void): Promise<Float32Array> => {
  const out = new Float32Array(total * DIMS);
  const threads = Math.max(1, os.cpus().length);
  // Slices of at most 1/16 of the whole, so that progress is reported as it goes.
  const size = Math.ceil(total / Math.max(threads * 2, 16));
  let next = 0;
  let done = 0;
  const runSlice = (start: number, end: number) =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(path.join(HERE, 'ts-worker.mjs'), {
        workerData: { tsEntry: new URL('./embed-worker.ts', import.meta.url).href, start, end, dimensions: DIMS, perDocument: PER_DOCUMENT },
      });
      worker.once('message', (vectors: Float32Array) => {
        out.set(vectors, start * DIMS);
        done += end - start;
        onProgress?.(done);
        void worker.terminate();
        resolve();
      });
      worker.once('error', reject);
    });
  await Promise.all(
    Array.from({ length: threads }, async () => {
      while (next < total) {
        const start = next;
        next = Math.min(total, next + size);
        await runSlice(start, next);
      }
    }),
  );
  return out;
};

/** Nine significant digits round-trip a float32 exactly. */
export const vectorLiteral = (v: ArrayLike<number>) => {
  const parts = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) parts[i] = v[i] === 0 ? '0' : v[i]!.toPrecision(9);
  return `[${parts.join(',')}]`;
};

/**
 * The documents that synthetic chunks belong to: one per PER_DOCUMENT chunks, already
 * `ready`, created through the repository. `collectionFor(d)` places document d.
 */
export const createSyntheticDocuments = async (
  instance: AtriumInstance,
  options: { tenantId: string; spaceId: string; total: number; collectionFor: (document: number) => string },
): Promise<string[]> => {
  const { core } = instance;
  const repos = core.context.store.forTenant(options.tenantId);
  const ids: string[] = [];
  for (let d = 0; d * PER_DOCUMENT < options.total; d++) {
    const now = new Date();
    const doc = await repos.documents.create({
      id: core.context.ids.next(),
      spaceId: options.spaceId,
      collectionId: options.collectionFor(d),
      title: `Synthetic document ${d + 1}`,
      sourceType: 'text',
      source: null,
      format: 'markdown',
      byteSize: 0,
      contentHash: `synthetic-${d}`,
      status: 'ready',
      error: null,
      chunkCount: Math.min(PER_DOCUMENT, options.total - d * PER_DOCUMENT),
      tokenCount: 0,
      createdAt: now,
      updatedAt: now,
    });
    ids.push(doc.id);
  }
  return ids;
};

/**
 * The vector index on chunks, found by name and dropped (for a bulk load); its definition
 * re-creates it. (Keyword search needs no index on chunks since BM25's postings, ADR 0024;
 * the postings are kept by triggers as the rows go in.)
 */
export const dropChunkIndexes = async (sql: Queryable): Promise<{ indexname: string; indexdef: string }[]> => {
  const { rows: indexes } = await sql.query<{ indexname: string; indexdef: string }>(
    `select indexname, indexdef from pg_indexes where tablename = 'chunks' and indexname in ('chunks_embedding_hnsw_${DIMS}', 'chunks_search_idx')`,
  );
  if (!indexes.some((i) => i.indexname === `chunks_embedding_hnsw_${DIMS}`))
    throw new Error(`expected the HNSW index on chunks, found ${indexes.map((i) => i.indexname).join(', ') || 'none'}`);
  for (const index of indexes) await sql.query(`drop index ${index.indexname}`);
  return indexes;
};

/**
 * Inserts topic-model chunks [start, end) with one multi-row INSERT, in the repository's
 * row shape (metadata, token count, embedding). Returns the bytes of text inserted.
 */
export const insertChunkBatch = async (
  sql: Queryable,
  batch: {
    start: number;
    end: number;
    model: ReturnType<typeof topicModel>;
    vectors: Float32Array;
    tenantId: string;
    documentIds: string[];
    collectionFor: (chunk: number) => string;
    newId: () => string;
  },
): Promise<number> => {
  let bytes = 0;
  const values: string[] = [];
  const params: unknown[] = [];
  for (let i = batch.start; i < batch.end; i++) {
    const { text, headingPath } = topicChunk(batch.model, i, PER_DOCUMENT);
    bytes += Buffer.byteLength(text);
    const ordinal = i % PER_DOCUMENT;
    const metadata = { headingPath, startOffset: ordinal * 2000, endOffset: ordinal * 2000 + text.length, headingText: headingPath.join(' ') };
    const p = params.length;
    values.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}, $${p + 7}, $${p + 8}, ${DIMS}, $${p + 9}::vector)`);
    params.push(
      batch.newId(),
      batch.tenantId,
      batch.collectionFor(i),
      batch.documentIds[Math.floor(i / PER_DOCUMENT)],
      ordinal,
      text,
      Math.round(text.length / 4.3),
      JSON.stringify(metadata),
      vectorLiteral(batch.vectors.subarray(i * DIMS, (i + 1) * DIMS)),
    );
  }
  await sql.query(
    `insert into chunks (id, tenant_id, collection_id, document_id, ordinal, text, token_count, metadata, embedding_dims, embedding) values ${values.join(', ')}`,
    params,
  );
  return bytes;
};

/**
 * What autovacuum does within a minute or so of a bulk load (and PGlite's store after
 * ingestion): statistics for the planner, and the BM25 postings' visibility map, without
 * which their index-only scans fetch a heap page per posting (ADR 0024). Benchmarks
 * measure that steady state, not the first seconds after a load.
 */
export const settleAfterBulkLoad = async (sql: Queryable) => {
  await sql.query('vacuum (analyze) chunks, chunk_terms, collection_term_stats, collection_search_stats');
  await sql.query('analyze documents');
};

/**
 * Loads `total` synthetic chunks (lib/corpus.ts topic model, ~1.6 KB each, 50 per
 * document) into one collection, as search-latency does: documents through the
 * repository, chunks with batched multi-row INSERTs in the repository's shape, the HNSW
 * index dropped for the load and re-created from its own definition, then VACUUM
 * (ANALYZE). Returns a one-line description for the results.
 */
export const loadSyntheticCollection = async (options: {
  instance: AtriumInstance;
  sql: Queryable;
  tenantId: string;
  spaceId: string;
  collectionId: string;
  total: number;
  /** maintenance_work_mem for the index builds (PGlite has less memory to spare). */
  maintenanceWorkMem?: string;
}): Promise<string> => {
  const { instance, sql, tenantId, spaceId, collectionId, total } = options;
  const { core } = instance;
  const model = topicModel();

  let t = performance.now();
  const vectors = await embedChunks(total);
  const embedS = (performance.now() - t) / 1000;

  t = performance.now();
  const documentIds = await createSyntheticDocuments(instance, { tenantId, spaceId, total, collectionFor: () => collectionId });

  const indexes = await dropChunkIndexes(sql);

  let bytes = 0;
  const BATCH = 250;
  for (let start = 0; start < total; start += BATCH) {
    bytes += await insertChunkBatch(sql, {
      start,
      end: Math.min(total, start + BATCH),
      model,
      vectors,
      tenantId,
      documentIds,
      collectionFor: () => collectionId,
      newId: () => core.context.ids.next(),
    });
  }
  const insertS = (performance.now() - t) / 1000;

  t = performance.now();
  await sql.query(`set maintenance_work_mem = '${options.maintenanceWorkMem ?? '512MB'}'`);
  for (const index of indexes) await sql.query(index.indexdef);
  await sql.query('reset maintenance_work_mem');
  await settleAfterBulkLoad(sql);
  const indexS = (performance.now() - t) / 1000;
  return (
    `${total} chunks (${fmt(bytes / 1024 / 1024, 0)} MB of text, ${documentIds.length} documents) embedded with local-hash-v1 in ${fmt(embedS, 1)} s, ` +
    `inserted in ${fmt(insertS, 1)} s, HNSW index built and tables vacuumed in ${fmt(indexS, 1)} s`
  );
};

/**
 * A tenant with a space, a collection of `total` synthetic chunks, and two published
 * assistants: "knowledge" (over the collection, default retrieval: hybrid, topK 6) and
 * "bare" (no knowledge: no retrieval at all), on a fresh Atrium in this process. The
 * instance is closed again; the server process opens the same database afterwards.
 */
export const prepareChatDatabase = async (instance: AtriumInstance, sql: Queryable, total: number, maintenanceWorkMem?: string) => {
  const { core } = instance;
  const { actor, spaceId, tenantId } = await tenantAndSpace(instance, 'Chat bench');
  const email = (await core.context.store.forTenant(tenantId).users.get(actor.userId))?.email;
  if (!email) throw new Error('the owner was not found');
  const collection = await core.collections.create(actor, spaceId, { name: 'Knowledge (10k chunks)' });
  if (collection.embeddingModel !== 'local-hash-v1') throw new Error(`expected local-hash-v1 embeddings, got ${collection.embeddingModel}`);
  const loadNote = await loadSyntheticCollection({ instance, sql, tenantId, spaceId, collectionId: collection.id, total, maintenanceWorkMem });
  const instructions = 'You answer questions about the company handbook. Cite the sources you use as [n]. Be brief.';
  const knowledge = await core.assistants.create(actor, spaceId, { name: 'Handbook', instructions, collectionIds: [collection.id], published: true });
  const bare = await core.assistants.create(actor, spaceId, { name: 'No knowledge', instructions, collectionIds: [], published: true });
  return { email, tenantId, spaceId, collectionId: collection.id, knowledge, bare, loadNote };
};

/**
 * A realistic question mix: the 88 labelled fixture questions (natural language, keywords,
 * typos, ...), then short queries over the synthetic corpus (runs of words of a chunk,
 * topic words), deterministic by `seed`.
 */
export const questionMix = (count: number, total: number, seed = 77, withFixtures = true): string[] => {
  const fixtures = withFixtures ? loadFixtures().queries.map((q) => q.query) : [];
  const synthetic = topicQueries(topicModel(), Math.max(0, count - fixtures.length) + 10, total, PER_DOCUMENT, seed);
  return [...fixtures, ...synthetic].slice(0, count);
};

// ---------------------------------------------------------------------------------------
// An SSE client with timestamps

export interface SseEvent {
  event: string;
  data: string;
  /** ms since the request was sent (performance.now()). */
  at: number;
}

export interface SseResult {
  status: number;
  events: SseEvent[];
  /** ms from sending the request to the response headers, and to the end of the body. */
  headersAt: number;
  endAt: number;
  /** The body when the response was not an event stream (errors). */
  body: string;
}

/** One agent for all requests: keep-alive, no cap on sockets per host (the default Agent's cap is Infinity too, but said here). */
export const clientAgent = () => new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });

/**
 * POSTs JSON and reads a `text/event-stream` response, timestamping each event when its
 * bytes arrive. `onEvent` may return true to note the moment (e.g. the first token)
 * without stopping the read.
 */
export const postSse = (
  agent: http.Agent,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs = 120_000,
): Promise<SseResult> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const target = new URL(url);
    const req = http.request(
      {
        agent,
        method: 'POST',
        hostname: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const headersAt = performance.now() - started;
        const events: SseEvent[] = [];
        let buffered = '';
        let raw = '';
        const isStream = (res.headers['content-type'] ?? '').startsWith('text/event-stream');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now() - started;
          if (!isStream) {
            raw += chunk;
            return;
          }
          buffered += chunk;
          let end: number;
          while ((end = buffered.indexOf('\n\n')) !== -1) {
            const block = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
            }
            if (data.length > 0 || event !== 'message') events.push({ event, data: data.join('\n'), at });
          }
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, events, headersAt, endAt: performance.now() - started, body: raw });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });

/** Plain JSON request (set-up: login). */
export const requestJson = async <T>(url: string, method: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
};

export const loginAs = async (baseUrl: string, email: string): Promise<string> => {
  const r = await requestJson<{ accessToken: string }>(`${baseUrl}/api/v1/auth/login`, 'POST', { email, password: ADMIN_PASSWORD });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.accessToken;
};

/** The first event of `name`, and the first OpenAI chunk carrying text (for the fake's own stream). */
export const firstEvent = (result: SseResult, name: string) => result.events.find((e) => e.event === name);
export const firstOpenAIToken = (result: SseResult) =>
  result.events.find((e) => {
    if (e.data === '[DONE]') return false;
    const chunk = JSON.parse(e.data) as { choices?: { delta?: { content?: string } }[] };
    return typeof chunk.choices?.[0]?.delta?.content === 'string' && chunk.choices[0].delta.content !== '';
  });

// ---------------------------------------------------------------------------------------
// Reporting

export const pct = (values: readonly number[]) => ({
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  p99: percentile(values, 99),
  max: values.length ? Math.max(...values) : NaN,
  mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN,
});

export const mib = (bytes: number) => `${fmt(bytes / 1024 / 1024, 1)} MiB`;
