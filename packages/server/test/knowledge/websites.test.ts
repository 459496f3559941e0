/**
 * Websites over HTTP (API.md §Knowledge): creation with the fetcher's check, validation,
 * a crawl through the real in-process queue and extractor from a scripted site, live and
 * final runs, the crawled pages, cancellation, access by role, and an assistant answering
 * from a website with citations that link to its pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeWebFetcher, testDatabaseTargets } from '@atrium/core/test';
import { addMember, call, createSpace, createUser, expectProblem, login, openHarness, TEST_SITE, testSite, type Harness, type SpaceFixture } from '../helpers.js';
import { settleJob } from '../resources.js';

const runsOf = async (h: Harness, token: string, websiteId: string) => {
  const r = await call(h.app, 'GET', `/api/v1/websites/${websiteId}/runs`, { token });
  expect(r.status, r.text).toBe(200);
  return r.body.data as Record<string, any>[];
};

const untilRunEnds = async (h: Harness, token: string, websiteId: string): Promise<Record<string, any>> => {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [run] = await runsOf(h, token, websiteId);
    if (run && !['queued', 'running'].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run still ${run?.status}`);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
};

describe.each(await testDatabaseTargets())('websites over HTTP on $name', (target) => {
  let h: Harness;
  let token: string;
  let space: SpaceFixture;
  let startPageHeld: Promise<void> = Promise.resolve();
  let startPageAsked = () => {};

  beforeAll(async () => {
    // The test site, a little slow, so that a crawl is still running when asked twice; and
    // the start page can be held, so that a cancel surely arrives while a crawl runs.
    const site = testSite();
    const slow = fakeWebFetcher({ delayMs: 60 });
    h = await openHarness(target, {
      atrium: {
        web: {
          check: (url) => site.check(url),
          fetch: async (request) => {
            await slow.fetch({ ...request, url: 'https://slow.test/' });
            if (request.url === TEST_SITE) {
              startPageAsked();
              await startPageHeld;
            }
            return site.fetch(request);
          },
        },
      },
    });
    token = h.tenant.token;
    space = await createSpace(h.app, token);
  });
  afterAll(async () => h?.close());

  const createWebsite = (json: unknown, as = token) => call(h.app, 'POST', `/api/v1/spaces/${space.id}/websites`, { token: as, json });

  it('creates a website with its collection; refuses bad settings and refused addresses with 422', async () => {
    const created = await createWebsite({ url: TEST_SITE, mode: 'crawl', maxPages: 50, schedule: 'never', include: ['/**'] });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ url: TEST_SITE, mode: 'crawl', maxPages: 50, maxDepth: 5, include: ['/**'], exclude: [], includeFiles: false, lastRun: null });
    const collection = await call(h.app, 'GET', `/api/v1/collections/${created.body.collectionId}`, { token });
    expect(collection.status).toBe(200);

    for (const [json, path] of [
      [{ mode: 'crawl' }, 'url'],
      [{ url: TEST_SITE, mode: 'spider' }, 'mode'],
      [{ url: TEST_SITE, mode: 'crawl', maxPages: 0 }, 'maxPages'],
      [{ url: TEST_SITE, mode: 'crawl', maxPages: 20_001 }, 'maxPages'],
      [{ url: TEST_SITE, mode: 'crawl', schedule: 'hourly' }, 'schedule'],
    ] as const) {
      const r = await createWebsite(json);
      expectProblem(r, 422);
      expect(r.body.errors.map((e: { path: string }) => e.path), JSON.stringify(json)).toContain(path);
    }
    const refused = await createWebsite({ url: 'http://metadata.internal/computeMetadata/v1/', mode: 'crawl' });
    expectProblem(refused, 422, 'url_refused');
    expect(refused.body.detail).toContain('private address');
    const scheme = await createWebsite({ url: 'gopher://docs.example.test/', mode: 'crawl' });
    expectProblem(scheme, 422, 'url_refused');
  });

  it('crawls on request with live progress, one run at a time, and lists the pages', async () => {
    const website = (await createWebsite({ url: TEST_SITE, mode: 'crawl' })).body;
    const started = await call(h.app, 'POST', `/api/v1/websites/${website.id}/crawl`, { token });
    expect(started.status, started.text).toBe(202);
    expect(started.body.run).toMatchObject({ websiteId: website.id, status: 'queued', trigger: 'manual', progress: { found: 0, fetched: 0, queued: 0 }, durationMs: null });
    expect(started.body.job).toMatchObject({ id: started.body.run.jobId, kind: 'crawl_website' });
    expectProblem(await call(h.app, 'POST', `/api/v1/websites/${website.id}/crawl`, { token }), 409, 'crawl_running');

    const run = await untilRunEnds(h, token, website.id);
    expect(run).toMatchObject({ status: 'completed', error: null, progress: { found: 3, fetched: 3, queued: 0 } });
    expect(run.stats).toMatchObject({ crawled: 3, new: 3, updated: 0, unchanged: 0, removed: 0, failed: 0, skippedRobots: 0, limitReached: false });
    // API.md's "skipped": everything left out, whatever the reason.
    expect(run.stats.skipped).toBe(run.stats.skippedRobots + run.stats.skippedScope + run.stats.skippedType);
    expect(run.failures).toEqual([]);
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    // The job's row is marked a moment after the run ends.
    expect(await settleJob(h, token, run.jobId)).toBe('completed');
    const job = await call(h.app, 'GET', `/api/v1/jobs/${run.jobId}`, { token });
    expect(job.body).toMatchObject({ kind: 'crawl_website', status: 'completed', progress: 1 });

    const pages = await call(h.app, 'GET', `/api/v1/websites/${website.id}/documents?limit=10`, { token });
    expect(pages.status).toBe(200);
    expect(pages.body.data.map((d: { source: string }) => d.source).sort()).toEqual([TEST_SITE, `${TEST_SITE}refunds`, `${TEST_SITE}shipping`]);
    expect(pages.body.data[0]).toMatchObject({ sourceType: 'crawl', status: 'ready', metadata: { language: 'en' } });
    const got = await call(h.app, 'GET', `/api/v1/websites/${website.id}`, { token });
    expect(got.body.lastRun).toMatchObject({ id: run.id, status: 'completed' });

    // A recrawl of an unchanged site: everything unchanged.
    await call(h.app, 'POST', `/api/v1/websites/${website.id}/crawl`, { token });
    expect((await untilRunEnds(h, token, website.id)).stats).toMatchObject({ crawled: 3, unchanged: 3, new: 0 });
    // Cancelling an ended run returns it as it is.
    const cancelled = await call(h.app, 'POST', `/api/v1/websites/${website.id}/runs/${run.id}/cancel`, { token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: run.id, status: 'completed' });
  });

  it('cancels a running crawl', async () => {
    const website = (await createWebsite({ url: TEST_SITE, mode: 'crawl' })).body;
    // The crawl is surely running (past its first check for a cancel) when the cancel comes.
    let release = () => {};
    startPageHeld = new Promise((resolve) => (release = resolve));
    const asked = new Promise<void>((resolve) => (startPageAsked = resolve));
    const started = await call(h.app, 'POST', `/api/v1/websites/${website.id}/crawl`, { token });
    await asked;
    const cancel = await call(h.app, 'POST', `/api/v1/websites/${website.id}/runs/${started.body.run.id}/cancel`, { token });
    release();
    startPageHeld = Promise.resolve();
    expect(cancel.status, cancel.text).toBe(200);
    expect(cancel.body.cancelRequested).toBe(true);
    const run = await untilRunEnds(h, token, website.id);
    expect(run.status).toBe('cancelled');
    expect(run.progress.fetched).toBeLessThan(3);
  });

  it('lets viewers read websites and runs but not change or crawl them', async () => {
    const website = (await createWebsite({ url: TEST_SITE, mode: 'sitemap' })).body;
    const viewer = await createUser(h, h.tenant, 'member');
    await addMember(h.app, token, space.id, viewer.id, 'viewer');
    const viewerToken = (await login(h.app, viewer.email)).accessToken;
    expect((await call(h.app, 'GET', `/api/v1/spaces/${space.id}/websites`, { token: viewerToken })).status).toBe(200);
    expect((await call(h.app, 'GET', `/api/v1/websites/${website.id}/runs`, { token: viewerToken })).status).toBe(200);
    expectProblem(await call(h.app, 'POST', `/api/v1/websites/${website.id}/crawl`, { token: viewerToken }), 403);
    expectProblem(await call(h.app, 'PATCH', `/api/v1/websites/${website.id}`, { token: viewerToken, json: { schedule: 'daily' } }), 403);
    expectProblem(await call(h.app, 'DELETE', `/api/v1/websites/${website.id}`, { token: viewerToken }), 403);
    expectProblem(await createWebsite({ url: TEST_SITE, mode: 'crawl' }, viewerToken), 403);

    const patched = await call(h.app, 'PATCH', `/api/v1/websites/${website.id}`, { token, json: { schedule: 'weekly', exclude: ['/drafts/**'], includeFiles: true } });
    expect(patched.body).toMatchObject({ schedule: 'weekly', exclude: ['/drafts/**'], includeFiles: true });
    expect((await call(h.app, 'DELETE', `/api/v1/websites/${website.id}`, { token })).status).toBe(204);
    expectProblem(await call(h.app, 'GET', `/api/v1/websites/${website.id}`, { token }), 404);
    expectProblem(await call(h.app, 'GET', `/api/v1/collections/${website.collectionId}`, { token }), 404);
  });

  it('answers from a linked website with citations that link to its pages', async () => {
    const website = (await createWebsite({ url: TEST_SITE, mode: 'crawl' })).body;
    await call(h.app, 'POST', `/api/v1/websites/${website.id}/crawl`, { token });
    await untilRunEnds(h, token, website.id);
    const assistant = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/assistants`, { token, json: { name: 'Site helper', websiteIds: [website.id] } });
    expect(assistant.status, assistant.text).toBe(201);
    expect(assistant.body).toMatchObject({ collectionIds: [], websiteIds: [website.id] });
    const answer = await call(h.app, 'POST', `/api/v1/assistants/${assistant.body.id}/chat`, { token, json: { message: 'How long do refunds take?', stream: false } });
    expect(answer.status, answer.text).toBe(200);
    const refunds = answer.body.message.references.find((r: { documentTitle: string }) => r.documentTitle === 'Refunds');
    expect(refunds).toMatchObject({ url: `${TEST_SITE}refunds` });
  });
});
