/**
 * `POST /documents/{id}/retry` (API.md §Knowledge): a failed document is ingested again,
 * 202 `{document, job}`; anything else is a 409. A `{url}` document is fetched anew, so a
 * page that was missing and is now there comes in; a failed document whose content another
 * document now holds stays failed (ADR 0025).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSite, testDatabaseTargets, type LocalSite } from '@atrium/core/test';
import { createSpace, expectProblem, type SpaceFixture } from '../helpers.js';
import { api, createCollection, openKnowledgeHarness, waitForDocument, waitForJob, type KnowledgeHarness } from './helpers.js';

describe.each(await testDatabaseTargets())('retrying documents over HTTP on $name', (target) => {
  let h: KnowledgeHarness;
  let site: LocalSite;
  let token: string;
  let space: SpaceFixture;
  let collectionId: string;
  /** Paths the site serves; anything else is a 404. */
  const live = new Set<string>();

  beforeAll(async () => {
    const page = (title: string) => `<!doctype html><html><head><title>${title}</title></head><body><main><h1>${title}</h1><p>${title} is a page about harbours, lighthouses and the pilots who guide ships to the quay.</p></main></body></html>`;
    site = await startLocalSite((req, res) => {
      const path = req.url ?? '/';
      if (!live.has(path)) return void res.writeHead(404).end('not yet');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(path.slice(1)));
    });
    h = await openKnowledgeHarness(target, { atrium: { crawler: { allowHosts: '127.0.0.1', perHostDelayMs: 0 } } });
    token = h.tenant.token;
    space = await createSpace(h.app, token);
    collectionId = (await createCollection(h, token, space.id, { name: 'Retries' })).id;
  });
  afterAll(async () => {
    await h?.close();
    await site?.close();
  });

  const addUrl = async (path: string) => {
    const r = await api(h, 'POST', `/api/v1/collections/${collectionId}/documents`, { token, json: { url: `${site.origin}${path}` } });
    expect(r.status, r.text).toBe(202);
    await waitForJob(h, token, r.body.job.id);
    return waitForDocument(h, token, r.body.document.id);
  };
  const retry = (documentId: string) => api(h, 'POST', `/api/v1/documents/${documentId}/retry`, { token });

  it('ingests a failed document again (202 with a new job), fetching its URL anew', async () => {
    const failed = await addUrl('/arrivals');
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringContaining('404') });
    live.add('/arrivals');
    const r = await retry(failed.id);
    expect(r.status, r.text).toBe(202);
    expect(r.body.document).toMatchObject({ id: failed.id, status: 'queued', error: null });
    expect(r.body.job).toMatchObject({ kind: 'ingest_document', status: 'queued' });
    expect(await waitForJob(h, token, r.body.job.id)).toMatchObject({ status: 'completed' });
    expect(await waitForDocument(h, token, failed.id)).toMatchObject({ status: 'ready', title: 'arrivals', error: null });
    // Ready now: a second retry is a conflict, and changes nothing.
    expectProblem(await retry(failed.id), 409, 'document_not_failed');
    expect(await waitForDocument(h, token, failed.id)).toMatchObject({ status: 'ready' });
  });

  it('refuses a failed document whose content another document now holds, naming it', async () => {
    const failed = await addUrl('/departures');
    expect(failed.status).toBe('failed');
    live.add('/departures');
    // Adding the URL again makes a new document (a failed one does not count), which succeeds.
    const again = await addUrl('/departures');
    expect(again).toMatchObject({ status: 'ready' });
    expect(again.id).not.toBe(failed.id);
    const r = await retry(failed.id);
    expectProblem(r, 409, 'document_duplicate');
    expect(r.body.detail).toContain(again.id);
    expect(await waitForDocument(h, token, failed.id)).toMatchObject({ status: 'failed' });
  });

  it('answers 404 for a document that does not exist', async () => {
    expectProblem(await retry('01a20c1b-f7c2-7568-b518-dcb302f9e11e'), 404, 'not_found');
  });
});
