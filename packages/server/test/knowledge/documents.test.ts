/**
 * Collections and documents over HTTP (API.md §Knowledge): creating collections, ingesting
 * every supported format through the real in-process queue and the isolated extractor,
 * chunks and their metadata, jobs, counts, filters, de-duplication and deletion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import { createSpace, expectProblem, type SpaceFixture } from '../helpers.js';
import {
  allChunks,
  api,
  createCollection,
  ingestText,
  openKnowledgeHarness,
  search,
  uploadFixture,
  waitForDocument,
  waitForJob,
  type FixtureName,
  type KnowledgeHarness,
} from './helpers.js';

const REAL_FIXTURES: [FixtureName, string][] = [
  ['two-pages.pdf', 'pdf'],
  ['report.docx', 'docx'],
  ['article.html', 'html'],
  ['handbook.md', 'markdown'],
  ['notes.txt', 'text'],
  ['people.csv', 'csv'],
];

interface Ingested {
  accepted: Record<string, any>;
  document: Record<string, any>;
  chunks: Record<string, any>[];
}

describe.each(await testDatabaseTargets())('documents over HTTP on $name', (target) => {
  let h: KnowledgeHarness;
  let token: string;
  let space: SpaceFixture;
  let collectionId: string;

  beforeAll(async () => {
    h = await openKnowledgeHarness(target);
    token = h.tenant.token;
    space = await createSpace(h.app, token);
    collectionId = (await createCollection(h, token, space.id, { name: 'Fixtures' })).id;
  });
  afterAll(async () => {
    await h?.close();
  });

  // Each fixture is uploaded once (by whichever test needs it first) and awaited until ingested.
  const ingested = new Map<FixtureName, Promise<Ingested>>();
  const ingest = (name: FixtureName): Promise<Ingested> => {
    let pending = ingested.get(name);
    if (!pending) {
      pending = (async () => {
        const r = await uploadFixture(h, token, collectionId, name);
        expect(r.status, r.text).toBe(202);
        const document = await waitForDocument(h, token, r.body.document.id);
        const chunks = document.status === 'ready' ? await allChunks(h, token, document.id) : [];
        return { accepted: r.body, document, chunks };
      })();
      ingested.set(name, pending);
    }
    return pending;
  };

  describe('collections', () => {
    it('creates a collection pinned to local-hash-v1 (384 dimensions) with the default chunking', async () => {
      const r = await api(h, 'POST', `/api/v1/spaces/${space.id}/collections`, {
        token,
        json: { name: '  Handbooks  ', description: 'Company handbooks' },
      });
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({
        id: expect.any(String),
        spaceId: space.id,
        name: 'Handbooks',
        description: 'Company handbooks',
        embeddingModel: 'local-hash-v1',
        embeddingDimensions: 384,
        chunking: { chunkTokens: 400, overlapTokens: 60 },
        documentCounts: { queued: 0, processing: 0, ready: 0, failed: 0, total: 0 },
      });
      const got = await api(h, 'GET', `/api/v1/collections/${r.body.id}`, { token });
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ id: r.body.id, embeddingModel: 'local-hash-v1', embeddingDimensions: 384 });
      const listed = await api(h, 'GET', `/api/v1/spaces/${space.id}/collections?limit=100`, { token });
      expect(listed.body.data.map((c: { id: string }) => c.id)).toContain(r.body.id);
    });

    it('accepts the model named explicitly and custom chunking within range', async () => {
      const r = await api(h, 'POST', `/api/v1/spaces/${space.id}/collections`, {
        token,
        json: { name: 'Explicit', embeddingModel: 'local-hash-v1', chunking: { chunkTokens: 128, overlapTokens: 16 } },
      });
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({ embeddingModel: 'local-hash-v1', embeddingDimensions: 384, chunking: { chunkTokens: 128, overlapTokens: 16 } });
    });

    it('refuses an unknown embedding model with a 422 naming embeddingModel', async () => {
      const r = await api(h, 'POST', `/api/v1/spaces/${space.id}/collections`, {
        token,
        json: { name: 'Unknown model', embeddingModel: 'text-embedding-9-huge' },
      });
      expectProblem(r, 422, 'validation_failed');
      expect(r.body.errors).toEqual([expect.objectContaining({ path: 'embeddingModel' })]);
      expect(r.body.errors[0].message).toContain('local-hash-v1'); // names what is configured
    });

    it('refuses invalid chunking with a 422 naming the field (schema range and the overlap rule)', async () => {
      const tooSmall = await api(h, 'POST', `/api/v1/spaces/${space.id}/collections`, {
        token,
        json: { name: 'Tiny chunks', chunking: { chunkTokens: 10 } },
      });
      expectProblem(tooSmall, 422, 'validation_failed');
      expect(tooSmall.body.errors.map((e: { path: string }) => e.path)).toContain('chunking.chunkTokens');

      // Passes the schema (overlap ≤ 1000) but not the rule "overlap < half of chunkTokens".
      const overlap = await api(h, 'POST', `/api/v1/spaces/${space.id}/collections`, {
        token,
        json: { name: 'Big overlap', chunking: { chunkTokens: 100, overlapTokens: 60 } },
      });
      expectProblem(overlap, 422, 'validation_failed');
      expect(overlap.body.errors).toEqual([expect.objectContaining({ path: 'chunking.overlapTokens' })]);

      const notNumber = await api(h, 'POST', `/api/v1/spaces/${space.id}/collections`, {
        token,
        json: { name: 'Words', chunking: { chunkTokens: 'large' } },
      });
      expectProblem(notNumber, 422, 'validation_failed');
      // None of them was created.
      const listed = await api(h, 'GET', `/api/v1/spaces/${space.id}/collections?limit=100`, { token });
      expect(listed.body.data.map((c: { name: string }) => c.name)).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^(Tiny chunks|Big overlap|Words)$/)]),
      );
    });
  });

  describe('ingesting the real fixtures', () => {
    it.each(REAL_FIXTURES)('%s: 202 {document, job}, then ready with chunks and format %s', async (name, format) => {
      const { accepted, document, chunks } = await ingest(name);
      expect(accepted.document).toMatchObject({
        id: expect.any(String),
        collectionId,
        spaceId: space.id,
        title: name,
        sourceType: 'file',
        source: name,
        status: 'queued',
        chunkCount: 0,
      });
      expect(accepted.job).toMatchObject({ id: expect.any(String), kind: 'ingest_document', status: 'queued' });
      expect(document, JSON.stringify(document)).toMatchObject({ status: 'ready', error: null, format });
      expect(document.chunkCount).toBeGreaterThan(0);
      expect(document.tokenCount).toBeGreaterThan(0);
      expect(document.byteSize).toBe(accepted.document.byteSize);
      expect(chunks).toHaveLength(document.chunkCount);
    });

    it('lists chunks in order with their metadata (ordinals 0..n-1, offsets that advance)', async () => {
      for (const [name] of REAL_FIXTURES) {
        const { document, chunks } = await ingest(name);
        expect(chunks.map((c) => c.ordinal), name).toEqual(chunks.map((_, i) => i));
        for (const chunk of chunks) {
          expect(chunk, name).toMatchObject({
            id: expect.any(String),
            documentId: document.id,
            text: expect.any(String),
            tokenCount: expect.any(Number),
            metadata: { headingPath: expect.any(Array), startOffset: expect.any(Number), endOffset: expect.any(Number) },
          });
          expect(chunk.text.trim(), name).not.toBe('');
          expect(chunk.metadata.startOffset, name).toBeLessThan(chunk.metadata.endOffset);
        }
        // Content ranges never overlap and follow the document's order.
        for (let i = 1; i < chunks.length; i++)
          expect(chunks[i]!.metadata.startOffset, name).toBeGreaterThanOrEqual(chunks[i - 1]!.metadata.endOffset);
      }
    });

    it('pages chunks with a cursor in ordinal order', async () => {
      const { document, chunks } = await ingest('handbook.md');
      expect(chunks.length).toBeGreaterThan(1);
      const first = await api(h, 'GET', `/api/v1/documents/${document.id}/chunks?limit=1`, { token });
      expect(first.body.data.map((c: { ordinal: number }) => c.ordinal)).toEqual([0]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await api(h, 'GET', `/api/v1/documents/${document.id}/chunks?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
        token,
      });
      expect(second.body.data.map((c: { ordinal: number }) => c.ordinal)).toEqual([1]);
    });

    it('PDF chunks carry the page they start on: pages 1 and 2 both appear', async () => {
      const { chunks } = await ingest('two-pages.pdf');
      const pages = chunks.map((c) => c.metadata.page);
      expect(pages.every((p) => Number.isInteger(p))).toBe(true);
      expect(new Set(pages)).toEqual(new Set([1, 2]));
      const onTwo = chunks.find((c) => c.text.includes('nightly maintenance window'));
      expect(onTwo?.metadata).toMatchObject({ page: 2, headingPath: ['Chapter Two: Operations'] });
      const onOne = chunks.find((c) => c.text.includes('lighthouse keeper'));
      expect(onOne?.metadata).toMatchObject({ page: 1, headingPath: ['Chapter One: Getting Started'] });
    });

    it('non-PDF chunks have no page, and headings shape headingPath (Markdown, DOCX, HTML)', async () => {
      const md = await ingest('handbook.md');
      expect(md.chunks.every((c) => c.metadata.page === undefined)).toBe(true);
      const rollbacks = md.chunks.find((c) => c.text.includes('Revert the commit'));
      expect(rollbacks?.metadata.headingPath).toEqual(['Operations Handbook', 'Deployments', 'Rollbacks']);

      const docx = await ingest('report.docx');
      const budget = docx.chunks.find((c) => c.text.includes('Crane'));
      expect(budget?.metadata.headingPath).toEqual(['Quarterly Report', 'Budget']);

      const html = await ingest('article.html');
      expect(html.chunks[0]!.metadata.headingPath[0]).toBe('How tidal power works');
      expect(html.chunks.map((c) => c.text).join('\n')).not.toMatch(/Subscribe to our newsletter|window\.analytics/);
    });

    it('CSV chunks hold one "Header: value" record per row', async () => {
      const { chunks } = await ingest('people.csv');
      const text = chunks.map((c) => c.text).join('\n');
      expect(text).toContain('name: Ada Lovelace\nrole: Mathematician\ncity: London');
      expect(text).toContain('name: Grace Hopper\nrole: Rear admiral\ncity: Arlington, Virginia');
      expect(text).toContain('name: Alan Turing\nrole: Computer scientist\ncity: Wilmslow');
      expect(text).not.toContain('name,role,city'); // the header row is not a record of its own
    });

    it('GET /jobs/{jobId} reports the finished ingestion: completed, progress 1', async () => {
      for (const [name] of REAL_FIXTURES) {
        const { accepted } = await ingest(name);
        const job = await waitForJob(h, token, accepted.job.id);
        expect(job, name).toMatchObject({
          id: accepted.job.id,
          kind: 'ingest_document',
          status: 'completed',
          progress: 1,
          attempts: 1,
          startedAt: expect.any(String),
          finishedAt: expect.any(String),
        });
        expect(job.error, name).toBeUndefined();
      }
    });

    it('JSON {title, text} becomes a ready text document', async () => {
      const text = 'Parking permits are issued by the facilities desk.\n\nVisitors park on level two of the garage.';
      const r = await api(h, 'POST', `/api/v1/collections/${collectionId}/documents`, { token, json: { title: 'Parking rules', text } });
      expect(r.status, r.text).toBe(202);
      expect(r.body.document).toMatchObject({ title: 'Parking rules', sourceType: 'text', source: null, status: 'queued' });
      expect(r.body.job).toMatchObject({ kind: 'ingest_document', status: 'queued' });
      const document = await waitForDocument(h, token, r.body.document.id);
      expect(document).toMatchObject({ status: 'ready', format: 'text', error: null });
      const chunks = await allChunks(h, token, document.id);
      expect(chunks.map((c) => c.text).join('\n')).toContain('Visitors park on level two of the garage.');
    });

    it('JSON {url} of a private address is refused with 422, and nothing is created (url-documents.test.ts has the rest)', async () => {
      const before = await api(h, 'GET', `/api/v1/collections/${collectionId}`, { token });
      const r = await api(h, 'POST', `/api/v1/collections/${collectionId}/documents`, {
        token,
        json: { url: 'http://10.0.0.1/handbook' },
      });
      expectProblem(r, 422, 'url_refused');
      expect(r.body.errors).toEqual([expect.objectContaining({ path: 'url' })]);
      const after = await api(h, 'GET', `/api/v1/collections/${collectionId}`, { token });
      expect(after.body.documentCounts.total).toBe(before.body.documentCounts.total);
    });
  });

  describe('counts, filters and duplicates', () => {
    let countsCollection: string;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      countsCollection = (await createCollection(h, token, space.id, { name: 'Counts' })).id;
      for (const name of ['notes.txt', 'handbook.md', 'truncated.pdf'] as const) {
        const r = await uploadFixture(h, token, countsCollection, name);
        expect(r.status, r.text).toBe(202);
        ids[name] = r.body.document.id;
        ids[`${name}#job`] = r.body.job.id;
      }
      for (const name of ['notes.txt', 'handbook.md', 'truncated.pdf']) await waitForDocument(h, token, ids[name]!);
    });

    it('GET /collections/{id} counts documents by status', async () => {
      const r = await api(h, 'GET', `/api/v1/collections/${countsCollection}`, { token });
      expect(r.status).toBe(200);
      expect(r.body.documentCounts).toEqual({ queued: 0, processing: 0, ready: 2, failed: 1, total: 3 });
    });

    it('the listing of collections counts them too (API.md: collections report documentCounts)', async () => {
      const r = await api(h, 'GET', `/api/v1/spaces/${space.id}/collections?limit=100`, { token });
      expect(r.status, r.text).toBe(200);
      const listed = r.body.data.find((c: { id: string }) => c.id === countsCollection);
      expect(listed.documentCounts).toEqual({ queued: 0, processing: 0, ready: 2, failed: 1, total: 3 });
      // Every listed collection carries its counts, those without documents as zeros.
      for (const c of r.body.data) expect(c.documentCounts.total).toBe(c.documentCounts.queued + c.documentCounts.processing + c.documentCounts.ready + c.documentCounts.failed);
    });

    it('lists documents, filtered by ?status=ready and ?status=failed', async () => {
      const path = `/api/v1/collections/${countsCollection}/documents`;
      const all = await api(h, 'GET', `${path}?limit=100`, { token });
      expect(all.body.data.map((d: { id: string }) => d.id).sort()).toEqual(
        [ids['notes.txt'], ids['handbook.md'], ids['truncated.pdf']].sort(),
      );
      expect(all.body.nextCursor).toBeNull();
      const ready = await api(h, 'GET', `${path}?status=ready`, { token });
      expect(ready.status).toBe(200);
      expect(ready.body.data.map((d: { id: string }) => d.id).sort()).toEqual([ids['notes.txt'], ids['handbook.md']].sort());
      expect(ready.body.data.every((d: { status: string }) => d.status === 'ready')).toBe(true);
      const failed = await api(h, 'GET', `${path}?status=failed`, { token });
      expect(failed.body.data).toEqual([expect.objectContaining({ id: ids['truncated.pdf'], status: 'failed', error: expect.any(String) })]);
      const queued = await api(h, 'GET', `${path}?status=queued`, { token });
      expect(queued.body.data).toEqual([]);
      expectProblem(await api(h, 'GET', `${path}?status=done`, { token }), 422, 'validation_failed');
    });

    it('identical content again returns the existing document and its job; nothing new is queued', async () => {
      const again = await uploadFixture(h, token, countsCollection, 'notes.txt', 'Another title');
      expect(again.status, again.text).toBe(202);
      expect(again.body.document).toMatchObject({ id: ids['notes.txt'], status: 'ready', title: 'notes.txt' });
      expect(again.body.job).toMatchObject({ id: ids['notes.txt#job'], status: 'completed' });
      const counts = await api(h, 'GET', `/api/v1/collections/${countsCollection}`, { token });
      expect(counts.body.documentCounts.total).toBe(3);
      const job = await api(h, 'GET', `/api/v1/jobs/${ids['notes.txt#job']}`, { token });
      expect(job.body).toMatchObject({ status: 'completed', attempts: 1 });
    });

    it('identical text sent as JSON twice is one document too', async () => {
      const body = { title: 'Badge policy', text: 'Badges must be worn visibly at all times on the premises.' };
      const first = await api(h, 'POST', `/api/v1/collections/${countsCollection}/documents`, { token, json: body });
      expect(first.status, first.text).toBe(202);
      const second = await api(h, 'POST', `/api/v1/collections/${countsCollection}/documents`, { token, json: body });
      expect(second.status, second.text).toBe(202);
      expect(second.body.document.id).toBe(first.body.document.id);
      expect(second.body.job.id).toBe(first.body.job.id);
      await waitForDocument(h, token, first.body.document.id);
    });

    it('content that failed before is accepted again as a new document (a retry)', async () => {
      const again = await uploadFixture(h, token, countsCollection, 'truncated.pdf');
      expect(again.status, again.text).toBe(202);
      expect(again.body.document.id).not.toBe(ids['truncated.pdf']);
      expect(again.body.job.id).not.toBe(ids['truncated.pdf#job']);
      const document = await waitForDocument(h, token, again.body.document.id);
      expect(document.status).toBe('failed');
    });

    it('the same content in another collection is a separate document', async () => {
      const other = (await createCollection(h, token, space.id, { name: 'Counts copy' })).id;
      const r = await uploadFixture(h, token, other, 'notes.txt');
      expect(r.status, r.text).toBe(202);
      expect(r.body.document.id).not.toBe(ids['notes.txt']);
      expect(r.body.document.collectionId).toBe(other);
      expect((await waitForDocument(h, token, r.body.document.id)).status).toBe('ready');
    });
  });

  describe('deletion', () => {
    it('DELETE /documents/{id} → 204; the document, its chunks and its search hits are gone', async () => {
      const collection = (await createCollection(h, token, space.id, { name: 'Deletions' })).id;
      const keep = await ingestText(h, token, collection, 'Keep', 'The cafeteria serves lunch from noon until two.');
      const doomed = await ingestText(h, token, collection, 'Doomed', 'Quokkas are small marsupials living on Rottnest Island.');
      const before = await search(h, token, collection, { query: 'quokka marsupials Rottnest', mode: 'keyword' });
      expect(before.body.data.map((hit: { documentId: string }) => hit.documentId)).toContain(doomed.id);

      const r = await api(h, 'DELETE', `/api/v1/documents/${doomed.id}`, { token });
      expect(r.status, r.text).toBe(204);
      expect(r.text).toBe('');
      expectProblem(await api(h, 'GET', `/api/v1/documents/${doomed.id}`, { token }), 404, 'not_found');
      expectProblem(await api(h, 'GET', `/api/v1/documents/${doomed.id}/chunks`, { token }), 404, 'not_found');
      expectProblem(await api(h, 'DELETE', `/api/v1/documents/${doomed.id}`, { token }), 404, 'not_found');
      // The rows are gone, not just hidden.
      const stored = await h.atrium.core.context.store.forTenant(h.tenant.tenantId).chunks.list(doomed.id, { limit: 10 });
      expect(stored.data).toEqual([]);
      for (const mode of ['keyword', 'vector', 'hybrid']) {
        const after = await search(h, token, collection, { query: 'quokka marsupials Rottnest', mode, topK: 50 });
        expect(after.status).toBe(200);
        expect(after.body.data.map((hit: { documentId: string }) => hit.documentId)).not.toContain(doomed.id);
      }
      // The other document is untouched.
      expect((await api(h, 'GET', `/api/v1/documents/${keep.id}`, { token })).body.status).toBe('ready');
      const counts = await api(h, 'GET', `/api/v1/collections/${collection}`, { token });
      expect(counts.body.documentCounts).toMatchObject({ ready: 1, total: 1 });
    });

    it('DELETE /collections/{id} → 204 removes its documents and chunks', async () => {
      const collection = (await createCollection(h, token, space.id, { name: 'Doomed collection' })).id;
      const a = await ingestText(h, token, collection, 'A', 'Forklifts must be inspected every morning.');
      const b = await ingestText(h, token, collection, 'B', 'Loading bays close at six in the evening.');
      const r = await api(h, 'DELETE', `/api/v1/collections/${collection}`, { token });
      expect(r.status, r.text).toBe(204);
      expectProblem(await api(h, 'GET', `/api/v1/collections/${collection}`, { token }), 404, 'not_found');
      expectProblem(await api(h, 'GET', `/api/v1/collections/${collection}/documents`, { token }), 404, 'not_found');
      expectProblem(await api(h, 'POST', `/api/v1/collections/${collection}/search`, { token, json: { query: 'forklifts' } }), 404);
      const repos = h.atrium.core.context.store.forTenant(h.tenant.tenantId);
      for (const document of [a, b]) {
        expectProblem(await api(h, 'GET', `/api/v1/documents/${document.id}`, { token }), 404, 'not_found');
        expectProblem(await api(h, 'GET', `/api/v1/documents/${document.id}/chunks`, { token }), 404, 'not_found');
        expect(await repos.documents.get(document.id)).toBeNull();
        expect((await repos.chunks.list(document.id, { limit: 10 })).data).toEqual([]);
        expect(await repos.documents.getBlob(document.id)).toBeNull();
      }
    });
  });
});
