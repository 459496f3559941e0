/**
 * The ingest_document job at core level, driven by hand: the queue is a double that
 * only records jobs, so each test decides when (and with which attempt) the handler
 * runs. Checks idempotence, atomic replacement of chunks, failure and retry
 * bookkeeping, deleted documents, and recovery of unfinished jobs after a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAtrium } from '../../src/adapters/node/index.js';
import { localEmbeddingModels } from '../../src/adapters/local/index.js';
import { AtriumError } from '../../src/domain/errors.js';
import type { Actor } from '../../src/domain/identity.js';
import type { Job } from '../../src/domain/jobs.js';
import type { EmbeddingModel, EmbeddingModels, JobRunContext } from '../../src/ports/index.js';
import { recordJob, toQueued } from '../../src/services/jobs/jobs.js';
import { actorFor, testDatabaseTargets } from '../../src/test/index.js';
import { newTenant, openHarness, PASSWORD, recordingQueue, type Harness } from '../helpers.js';

/**
 * The local models, with every embed call counted; when armed, the `failOnCall`-th call
 * of a run throws (a provider that goes away mid-document). `beforeEmbed` runs first.
 */
const embeddingDouble = () => {
  const local = localEmbeddingModels();
  const state = {
    calls: 0,
    armed: false,
    failOnCall: 2,
    beforeEmbed: null as null | (() => Promise<void>),
  };
  const wrap = (model: EmbeddingModel): EmbeddingModel => ({
    specificationVersion: 'v1',
    modelId: model.modelId,
    dimensions: model.dimensions,
    maxBatchSize: model.maxBatchSize,
    async embed(texts, options) {
      state.calls++;
      if (state.beforeEmbed) await state.beforeEmbed();
      // Adapters report provider failures as AtriumErrors (the port's contract), whose
      // messages are shown to users; other errors are replaced by a generic line.
      if (state.armed && state.calls === state.failOnCall)
        throw new AtriumError('unavailable', 'model_unavailable', `The embedding provider failed on call ${state.calls}`);
      return model.embed(texts, options);
    },
  });
  const models: EmbeddingModels = {
    defaultModelId: local.defaultModelId,
    get: (modelId) => {
      const model = local.get(modelId);
      return model ? wrap(model) : null;
    },
    list: () => local.list().map(wrap),
  };
  return { models, state };
};

/** Paragraphs long enough that each becomes its own chunk at 64 tokens per chunk. */
const textAbout = (word: string, paragraphs = 6): string =>
  Array.from(
    { length: paragraphs },
    (_, i) =>
      `${word} paragraph ${i + 1} describes the ${word} procedure in detail: check the ${word} gauges, record the ${word} ` +
      `readings in the logbook, and report any ${word} anomaly to the shift supervisor before the end of shift number ${i + 1}.`,
  ).join('\n\n');

const runContext = (attempt: number, finalAttempt: boolean): JobRunContext => ({
  attempt,
  finalAttempt,
  signal: new AbortController().signal,
  progress: async () => {},
});

describe.each(await testDatabaseTargets())('the ingest_document job on $name', (target) => {
  let h: Harness;
  const queue = recordingQueue();
  const double = embeddingDouble();
  let actor: Actor;
  let tenantId: string;
  let spaceId: string;
  let collectionId: string;

  beforeAll(async () => {
    h = await openHarness(target, {
      queue,
      runJobs: false,
      embeddings: double.models,
      settings: { embeddingBatchSize: 2 },
    });
    const tenant = await newTenant(h.core);
    actor = tenant.actor;
    tenantId = tenant.tenantId;
    spaceId = (await h.core.spaces.create(actor, { name: 'Ingestion' })).id;
    collectionId = (await h.core.collections.create(actor, spaceId, { name: 'Small chunks', chunking: { chunkTokens: 64, overlapTokens: 0 } }))
      .id;
  });
  afterAll(async () => {
    await h?.close();
  });

  const repos = () => h.core.context.store.forTenant(tenantId);
  const handlers = () => h.core.jobs.handlers();
  const chunksOf = async (documentId: string) => (await repos().chunks.list(documentId, { limit: 1000 })).data;
  const jobRow = async (jobId: string) => (await repos().jobs.get(jobId))!;
  /** A further ingest job for an existing document (what a re-ingestion would record). */
  const newJobFor = (documentId: string): Promise<Job> =>
    recordJob(h.core.context, h.core.context.store, tenantId, spaceId, 'ingest_document', { documentId });
  const createText = async (title: string, text: string) => {
    const created = await h.core.documents.create(actor, collectionId, { kind: 'text', title, text });
    expect(created.duplicate).toBe(false);
    expect(queue.enqueued).toContain(created.job!.id);
    return { document: created.document, job: created.job! };
  };
  const reset = () => {
    double.state.calls = 0;
    double.state.armed = false;
    double.state.beforeEmbed = null;
  };

  it('running the same job twice leaves exactly one set of chunks, ordinals 0..n-1', async () => {
    reset();
    const { document, job } = await createText('Twice', textAbout('boiler'));
    await handlers().ingest_document(toQueued(job), runContext(1, false));
    const first = await chunksOf(document.id);
    expect(first.length).toBeGreaterThanOrEqual(4);
    expect(double.state.calls).toBe(Math.ceil(first.length / 2)); // batches of two

    const callsAfterFirst = double.state.calls;
    await handlers().ingest_document(toQueued(job), runContext(2, false)); // delivered again (queues deliver at least once)
    const second = await chunksOf(document.id);
    expect(second.map((c) => c.ordinal)).toEqual(first.map((_, i) => i));
    // The job had completed, so the second delivery does nothing at all: same chunk rows, no embedding.
    expect(second).toEqual(first);
    expect(double.state.calls).toBe(callsAfterFirst);
    expect(await jobRow(job.id)).toMatchObject({ status: 'completed', attempts: 1 });

    // A second job for the same document (a re-ingestion) replaces, never adds.
    const again = await newJobFor(document.id);
    await handlers().ingest_document(toQueued(again), runContext(1, true));
    const third = await chunksOf(document.id);
    expect(third.map((c) => c.ordinal)).toEqual(first.map((_, i) => i));
    expect(third.map((c) => c.text)).toEqual(first.map((c) => c.text));
    expect(third.filter((c) => first.some((f) => f.id === c.id))).toEqual([]); // really re-ingested: new rows
    const stored = await h.core.documents.get(actor, document.id);
    expect(stored).toMatchObject({ status: 'ready', chunkCount: first.length, error: null });
    expect(await jobRow(again.id)).toMatchObject({ status: 'completed', progress: 1 });
  });

  it('new content in the blob replaces the chunks as a whole: old texts gone, new ones present', async () => {
    reset();
    const { document, job } = await createText('Replaced', textAbout('turbine'));
    await handlers().ingest_document(toQueued(job), runContext(1, false));
    const before = await chunksOf(document.id);
    expect(before.every((c) => c.text.includes('turbine'))).toBe(true);

    await repos().documents.putBlob(document.id, new TextEncoder().encode(textAbout('compressor', 4)));
    const rerun = await newJobFor(document.id);
    await handlers().ingest_document(toQueued(rerun), runContext(1, false));

    const after = await chunksOf(document.id);
    expect(after.length).toBeGreaterThanOrEqual(3);
    expect(after.map((c) => c.ordinal)).toEqual(after.map((_, i) => i));
    expect(after.some((c) => c.text.includes('turbine'))).toBe(false);
    expect(after.every((c) => c.text.includes('compressor'))).toBe(true);
    const beforeIds = new Set(before.map((c) => c.id));
    expect(after.filter((c) => beforeIds.has(c.id))).toEqual([]);
    expect(await h.core.documents.get(actor, document.id)).toMatchObject({ status: 'ready', chunkCount: after.length });
    // Search sees only the new content (keyword terms are OR-ed, so each query is the one distinguishing word).
    const old = await h.core.collections.search(actor, collectionId, { query: 'turbine', mode: 'keyword', topK: 50 });
    expect(old.map((hit) => hit.documentId)).not.toContain(document.id);
    const fresh = await h.core.collections.search(actor, collectionId, { query: 'compressor', mode: 'keyword', topK: 50 });
    expect(fresh.map((hit) => hit.documentId)).toContain(document.id);
  });

  it('a failure midway keeps the previous chunks; the document fails only on the final attempt', async () => {
    reset();
    const { document, job } = await createText('Flaky', textAbout('pump'));
    await handlers().ingest_document(toQueued(job), runContext(1, false));
    const original = await chunksOf(document.id);
    expect(original.length).toBeGreaterThanOrEqual(4);

    await repos().documents.putBlob(document.id, new TextEncoder().encode(textAbout('valve')));
    const retry = await newJobFor(document.id);
    double.state.armed = true; // the 2nd embedding batch of every run fails

    for (const attempt of [1, 2]) {
      double.state.calls = 0;
      await expect(handlers().ingest_document(toQueued(retry), runContext(attempt, false))).rejects.toThrow(
        'The embedding provider failed on call 2',
      );
      expect(double.state.calls).toBe(2); // it got past the first batch: a failure midway
      // Not final: the document waits for the retry, the job goes back to queued.
      expect(await h.core.documents.get(actor, document.id)).toMatchObject({ status: 'processing', error: null, chunkCount: original.length });
      expect(await jobRow(retry.id)).toMatchObject({
        status: 'queued',
        attempts: attempt,
        error: 'The embedding provider failed on call 2',
        finishedAt: null,
      });
      expect(await chunksOf(document.id)).toEqual(original);
    }

    double.state.calls = 0;
    // The tracked handler settles a final failure itself (nothing left to retry).
    await handlers().ingest_document(toQueued(retry), runContext(3, true));
    expect(double.state.calls).toBe(2);
    expect(await h.core.documents.get(actor, document.id)).toMatchObject({
      status: 'failed',
      error: 'The embedding provider failed on call 2',
    });
    expect(await jobRow(retry.id)).toMatchObject({ status: 'failed', attempts: 3, finishedAt: expect.any(Date) });
    // Still the previous chunks, untouched and searchable.
    expect(await chunksOf(document.id)).toEqual(original);
    expect(original.every((c) => c.text.includes('pump'))).toBe(true);

    // Once the provider is back, a new run stores the new content.
    reset();
    const recovered = await newJobFor(document.id);
    await handlers().ingest_document(toQueued(recovered), runContext(1, false));
    const now = await chunksOf(document.id);
    expect(now.every((c) => c.text.includes('valve'))).toBe(true);
    expect(await h.core.documents.get(actor, document.id)).toMatchObject({ status: 'ready', error: null, chunkCount: now.length });
  });

  it('two jobs for one document running at the same time still leave one set of chunks', async () => {
    reset();
    const { document, job } = await createText('Concurrent', textAbout('conveyor'));
    await handlers().ingest_document(toQueued(job), runContext(1, false));
    const original = await chunksOf(document.id);
    // A barrier on every embedding call keeps the runs in lockstep, so both reach the
    // transaction that replaces the chunks at the same moment.
    let waiting: (() => void)[] = [];
    double.state.beforeEmbed = () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === 2) {
          for (const release of waiting) release();
          waiting = [];
        }
      });
    const [a, b] = await Promise.all([newJobFor(document.id), newJobFor(document.id)]);
    await Promise.all([
      handlers().ingest_document(toQueued(a), runContext(1, true)),
      handlers().ingest_document(toQueued(b), runContext(1, true)),
    ]);
    const after = await chunksOf(document.id);
    expect(after.map((c) => c.ordinal)).toEqual(original.map((_, i) => i));
    expect(after.map((c) => c.text)).toEqual(original.map((c) => c.text));
    expect(await h.core.documents.get(actor, document.id)).toMatchObject({ status: 'ready', chunkCount: original.length });
    expect([(await jobRow(a.id)).status, (await jobRow(b.id)).status]).toEqual(['completed', 'completed']);
  });

  it("a deleted document's job is a no-op", async () => {
    reset();
    const { document, job } = await createText('Gone', textAbout('crane', 2));
    await h.core.documents.delete(actor, document.id);
    await expect(handlers().ingest_document(toQueued(job), runContext(1, false))).resolves.toBeUndefined();
    expect(double.state.calls).toBe(0); // nothing was extracted or embedded
    expect(await repos().documents.get(document.id)).toBeNull();
    expect(await chunksOf(document.id)).toEqual([]);
    expect(await jobRow(job.id)).toMatchObject({ status: 'completed' });
  });

  it('a document deleted while its job runs stores no chunks and is not brought back', async () => {
    reset();
    const { document, job } = await createText('Deleted midway', textAbout('hoist'));
    double.state.beforeEmbed = async () => {
      if (double.state.calls === 1) await h.core.documents.delete(actor, document.id);
    };
    await handlers().ingest_document(toQueued(job), runContext(1, false));
    expect(double.state.calls).toBeGreaterThan(1); // the run went on after the deletion
    expect(await repos().documents.get(document.id)).toBeNull();
    expect(await chunksOf(document.id)).toEqual([]);
    expect(await jobRow(job.id)).toMatchObject({ status: 'completed' });
  });
  it('JSON text that begins like a binary format ("BM", "MZ", "%PDF-") is accepted and ingested as text', async () => {
    reset();
    for (const text of ['BMI-1 is overexpressed in many human cancers.', 'MZ opened its first store in 1998.', '%PDF-1.7 is how a PDF file begins.']) {
      const { document, job } = await createText(text.slice(0, 6), text);
      expect(document.format).toBe('text');
      await handlers().ingest_document(toQueued(job), runContext(1, true));
      expect((await chunksOf(document.id)).map((c) => c.text)).toEqual([text]);
    }
  });
});

describe.each(await testDatabaseTargets())('unfinished jobs after a restart on $name', (target) => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const database = await target.create();
    databaseUrl = database.databaseUrl;
    drop = database.drop;
    // PGlite on disk, so that the second process finds the first one's data.
    dataDir = await mkdtemp(join(tmpdir(), 'atrium-ingest-restart-'));
  });
  afterAll(async () => {
    await drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a document queued by a process that stopped becomes ready after the next start', { timeout: 120_000 }, async () => {
    const stalled = recordingQueue();
    const first = await createAtrium({ databaseUrl, dataDir, bcryptCost: 4, queue: stalled });
    let documentId: string;
    let jobId: string;
    let actor: Actor;
    try {
      const { admin } = await first.core.tenants.create({ name: 'Restart', adminEmail: 'restart@ingest.test', adminPassword: PASSWORD });
      actor = actorFor(admin);
      const space = await first.core.spaces.create(actor, { name: 'S' });
      const collection = await first.core.collections.create(actor, space.id, { name: 'C' });
      const created = await first.core.documents.create(actor, collection.id, {
        kind: 'text',
        title: 'Survivor',
        text: 'The night shift restarts the generators at four in the morning.',
      });
      documentId = created.document.id;
      jobId = created.job!.id;
      expect(stalled.enqueued).toEqual([jobId]); // handed to a queue that never ran it
      expect((await first.core.documents.get(actor, documentId)).status).toBe('queued');
    } finally {
      await first.close();
    }

    const second = await createAtrium({ databaseUrl, dataDir, bcryptCost: 4 }); // the default in-process queue
    try {
      const deadline = Date.now() + 60_000;
      let document = await second.core.documents.get(actor, documentId);
      while (document.status !== 'ready' && document.status !== 'failed') {
        if (Date.now() > deadline) throw new Error(`not ingested after the restart: ${JSON.stringify(document)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
        document = await second.core.documents.get(actor, documentId);
      }
      expect(document).toMatchObject({ status: 'ready', error: null });
      expect(document.chunkCount).toBeGreaterThan(0);
      expect(await second.core.jobs.get(actor, jobId)).toMatchObject({ status: 'completed', progress: 1, attempts: 1 });
      const chunks = await second.core.documents.chunks(actor, documentId, { limit: 10 });
      expect(chunks.data.map((c) => c.text).join(' ')).toContain('restarts the generators');
    } finally {
      await second.close();
    }
  });
});
