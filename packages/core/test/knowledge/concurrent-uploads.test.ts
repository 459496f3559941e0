/**
 * One document per content in a collection, at any concurrency (ADR 0025): fifty
 * simultaneous uploads of the same bytes create one document and one job, and every
 * upload answers with them. On PostgreSQL the uploads really run in parallel on a pool of
 * connections; on PGlite they interleave between statements. Detection waits until every
 * upload of a round has reached it, so all of them look for existing content before any
 * has stored its document: the race is run every time, not left to timing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/identity.js';
import { createInProcessExtractor } from '../../src/adapters/extraction/index.js';
import type { DocumentExtractor } from '../../src/ports/index.js';
import { testDatabaseTargets } from '../../src/test/index.js';
import { newTenant, openHarness, recordingQueue, type Harness } from '../helpers.js';

const UPLOADS = 50;

describe.each(await testDatabaseTargets())('concurrent uploads of the same content on $name', (target) => {
  let h: Harness;
  let actor: Actor;
  let tenantId: string;
  let spaceId: string;
  // Jobs are recorded, not run: what counts here is how many documents and jobs exist.
  const queue = recordingQueue();
  const { enqueued } = queue;

  let round = { size: 1, waiting: [] as (() => void)[] };
  const real = createInProcessExtractor();
  const extractor: DocumentExtractor = {
    async detect(input) {
      await new Promise<void>((resolve) => {
        round.waiting.push(resolve);
        if (round.waiting.length >= round.size) for (const release of round.waiting.splice(0)) release();
      });
      return real.detect(input);
    },
    extract: (input) => real.extract(input),
  };
  /** The next `size` uploads meet at detection before any of them goes on. */
  const race = (size: number) => {
    round = { size, waiting: [] };
  };

  beforeAll(async () => {
    h = await openHarness(target, { queue, runJobs: false, extractor });
    const tenant = await newTenant(h.core);
    actor = tenant.actor;
    tenantId = tenant.tenantId;
    spaceId = (await h.core.spaces.create(actor, { name: 'Races' })).id;
  });
  afterAll(async () => {
    await h?.close();
  });

  const newCollection = async (name: string) => (await h.core.collections.create(actor, spaceId, { name })).id;

  it(`${UPLOADS} simultaneous uploads of the same bytes: one document, one job, the same answer for all`, async () => {
    const collectionId = await newCollection('Same bytes');
    const bytes = new TextEncoder().encode('The vault code is changed every Monday by the facilities team.');
    enqueued.length = 0;
    race(UPLOADS);
    const results = await Promise.all(
      Array.from({ length: UPLOADS }, (_, i) =>
        h.core.documents.create(actor, collectionId, { kind: 'file', bytes, filename: `copy-${i}.txt` }),
      ),
    );
    const documents = await h.core.context.store.forTenant(tenantId).documents.list(collectionId, { limit: 100 }, {});
    expect(documents.data).toHaveLength(1);
    const [only] = documents.data;
    expect(new Set(results.map((r) => r.document.id))).toEqual(new Set([only!.id]));
    expect(new Set(results.map((r) => r.job?.id))).toEqual(new Set([enqueued[0]]));
    expect(enqueued).toHaveLength(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
  });

  it('the same text as JSON, simultaneously: one document too', async () => {
    const collectionId = await newCollection('Same text');
    race(UPLOADS);
    const results = await Promise.all(
      Array.from({ length: UPLOADS }, () => h.core.documents.create(actor, collectionId, { kind: 'text', title: 'Badges', text: 'Badges are worn visibly.' })),
    );
    expect(new Set(results.map((r) => r.document.id)).size).toBe(1);
    expect((await h.core.collections.get(actor, collectionId)).documentCounts.total).toBe(1);
  });

  it('the same bytes in another collection are another document', async () => {
    const a = await newCollection('A');
    const b = await newCollection('B');
    const bytes = new TextEncoder().encode('Shared policy text.');
    race(2);
    const [inA, inB] = await Promise.all([
      h.core.documents.create(actor, a, { kind: 'file', bytes, filename: 'p.txt' }),
      h.core.documents.create(actor, b, { kind: 'file', bytes, filename: 'p.txt' }),
    ]);
    expect(inA.document.id).not.toBe(inB.document.id);
    expect([inA.duplicate, inB.duplicate]).toEqual([false, false]);
  });

  it('content whose document failed may be uploaded again: one new document for simultaneous uploads', async () => {
    const collectionId = await newCollection('Failed before');
    const bytes = new TextEncoder().encode('A document whose first ingestion failed.');
    race(1);
    const first = await h.core.documents.create(actor, collectionId, { kind: 'file', bytes, filename: 'f.txt' });
    const repos = h.core.context.store.forTenant(tenantId);
    await repos.documents.setProgress(first.document.id, { status: 'failed', error: 'provider down', now: new Date() });
    enqueued.length = 0;
    race(10);
    const again = await Promise.all(
      Array.from({ length: 10 }, () => h.core.documents.create(actor, collectionId, { kind: 'file', bytes, filename: 'f.txt' })),
    );
    const ids = new Set(again.map((r) => r.document.id));
    expect(ids.size).toBe(1);
    expect(ids.has(first.document.id)).toBe(false);
    expect(enqueued).toHaveLength(1);
    expect(again.filter((r) => !r.duplicate)).toHaveLength(1);
    expect((await repos.documents.list(collectionId, { limit: 10 }, {})).data.map((d) => d.status).sort()).toEqual(['failed', 'queued']);
  });
});
