/**
 * `POST /collections/{id}/documents` with JSON `{url}` (API.md §Knowledge): 202 with the
 * document and its job, the page fetched by the job through the safe web fetcher from a
 * local site (loopback opened as ATRIUM_CRAWLER_ALLOW_HOSTS would), a 422 `url_refused`
 * naming the reason for URLs that may not be fetched, and the page's URL on search hits
 * and on the references of an answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSite, testDatabaseTargets, type LocalSite, type LocalSiteHandler } from '@atrium/core/test';
import { createSpace, expectProblem, type SpaceFixture } from '../helpers.js';
import { api, createCollection, fixtureBytes, openKnowledgeHarness, search, waitForDocument, waitForJob, type KnowledgeHarness } from './helpers.js';

describe.each(await testDatabaseTargets())('{url} documents over HTTP on $name', (target) => {
  let h: KnowledgeHarness;
  let site: LocalSite;
  let token: string;
  let space: SpaceFixture;
  let collectionId: string;

  beforeAll(async () => {
    const article: LocalSiteHandler = (_req, res) =>
      void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(fixtureBytes('article.html'));
    site = await startLocalSite({ '/robots.txt': 'User-agent: *\nDisallow: /private/\n', '/tides': article, '/tides?v=2': article });
    h = await openKnowledgeHarness(target, { atrium: { crawler: { allowHosts: '127.0.0.1', perHostDelayMs: 0 } } });
    token = h.tenant.token;
    space = await createSpace(h.app, token);
    collectionId = (await createCollection(h, token, space.id, { name: 'Web pages' })).id;
  });
  afterAll(async () => {
    await h?.close();
    await site?.close();
  });

  const post = (json: Record<string, unknown>) => api(h, 'POST', `/api/v1/collections/${collectionId}/documents`, { token, json });

  it('accepts a URL (202), fetches and ingests it, titled after the page, and cites it with its URL', async () => {
    const url = `${site.origin}/tides`;
    const r = await post({ url: `${url}#intro` });
    expect(r.status, r.text).toBe(202);
    expect(r.body.document).toMatchObject({ sourceType: 'url', source: url, title: url, status: 'queued', format: null });
    expect(r.body.job).toMatchObject({ kind: 'ingest_document', status: 'queued' });
    expect(await waitForJob(h, token, r.body.job.id)).toMatchObject({ status: 'completed' });
    const document = await waitForDocument(h, token, r.body.document.id);
    expect(document).toMatchObject({ status: 'ready', format: 'html', title: 'How tidal power works', error: null });
    expect(site.requests.find((q) => q.path === '/tides')?.headers['user-agent']).toMatch(/^AtriumBot\//);

    const hits = await search(h, token, collectionId, { query: 'La Rance barrage', topK: 3 });
    expect(hits.status, hits.text).toBe(200);
    expect(hits.body.data[0]).toMatchObject({ documentId: document.id, url });

    const assistant = await api(h, 'POST', `/api/v1/spaces/${space.id}/assistants`, { token, json: { name: 'Tides', collectionIds: [collectionId] } });
    expect(assistant.status, assistant.text).toBe(201);
    const answer = await api(h, 'POST', `/api/v1/assistants/${assistant.body.id}/chat`, {
      token,
      json: { message: 'When did La Rance open?', stream: false },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.message.references[0]).toMatchObject({ documentId: document.id, documentTitle: 'How tidal power works', url });
  });

  it('keeps a given title, and fails the document with the reason when the fetch fails', async () => {
    const titled = await post({ url: `${site.origin}/tides?v=2`, title: 'Tides explained' });
    expect(titled.status, titled.text).toBe(202);
    const titledDoc = await waitForDocument(h, token, titled.body.document.id);
    expect(titledDoc, titledDoc.error).toMatchObject({ status: 'ready', title: 'Tides explained' });

    const missing = await post({ url: `${site.origin}/gone` });
    expect(missing.status, missing.text).toBe(202);
    expect(await waitForDocument(h, token, missing.body.document.id)).toMatchObject({
      status: 'failed',
      error: `${site.origin}/gone could not be fetched: 127.0.0.1:${site.port} answered 404 Not Found`,
    });
    const robots = await post({ url: `${site.origin}/private/notes` });
    expect(await waitForDocument(h, token, robots.body.document.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('robots.txt') });
    expect(site.hits('/private/notes')).toBe(0);
  });

  it.each([
    ['http://127.0.0.2/', 'address'],
    ['http://[::1]:8080/', 'address'],
    ['http://169.254.169.254/latest/meta-data/iam/', 'address'],
    ['http://2130706434/', 'address'],
    ['file:///etc/passwd', 'scheme'],
    ['gopher://127.0.0.1:6379/_INFO', 'scheme'],
    ['https://admin:hunter2@example.com/', 'scheme'],
  ])('refuses %s with 422 url_refused (%s), storing nothing', async (url, reason) => {
    const before = await api(h, 'GET', `/api/v1/collections/${collectionId}`, { token });
    const r = await post({ url });
    expectProblem(r, 422, url.startsWith('file:') || url.startsWith('gopher:') ? undefined : 'url_refused');
    expect(r.body.errors).toEqual([{ path: 'url', message: expect.any(String) }]);
    if (r.body.code === 'url_refused') expect(r.body.errors[0].message).toMatch(new RegExp(`^${reason}: `));
    const after = await api(h, 'GET', `/api/v1/collections/${collectionId}`, { token });
    expect(after.body.documentCounts.total).toBe(before.body.documentCounts.total);
  });
});
