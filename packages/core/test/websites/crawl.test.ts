/**
 * The `crawl_website` job against a scripted site (the fake WebFetcher of
 * `@atrium/core/test`): scope, depth and page limits, include/exclude, normalisation and
 * canonical duplicates, robots refusals, sitemaps (index + gzip), recrawls (unchanged pages
 * not embedded again, changed pages replaced, gone pages removed, conditional requests)
 * and cancellation. The queue only records: each test runs the handler itself.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createInProcessExtractor } from '../../src/adapters/extraction/index.js';
import { localEmbeddingModels } from '../../src/adapters/local/index.js';
import type { Actor } from '../../src/domain/identity.js';
import type { CrawlRun } from '../../src/domain/websites.js';
import type { EmbeddingModel, EmbeddingModels } from '../../src/ports/index.js';
import { toQueued } from '../../src/services/jobs/jobs.js';
import type { StartedCrawl, WebsiteInput } from '../../src/services/websites/websites.js';
import { fakeWebFetcher, testDatabaseTargets, type FakeWebFetcher } from '../../src/test/index.js';
import { expectAtriumError, newTenant, openHarness, recordingQueue, type Harness } from '../helpers.js';
import { page, runContext } from './site.js';

/** The local models, counting the texts they embed. */
const countingEmbeddings = () => {
  const local = localEmbeddingModels();
  const counter = { texts: 0 };
  const wrap = (model: EmbeddingModel): EmbeddingModel => ({
    ...model,
    embed: (texts, options) => {
      counter.texts += texts.length;
      return model.embed(texts, options);
    },
  });
  const models: EmbeddingModels = {
    defaultModelId: local.defaultModelId,
    get: (id) => {
      const m = local.get(id);
      return m ? wrap(m) : null;
    },
    list: () => local.list().map(wrap),
  };
  return { models, counter };
};

const SITE = 'https://site.test';

/** A small site: a home page linking to sections, a chain of deep pages, duplicates and strays. */
const scriptedSite = () =>
  fakeWebFetcher({
    disallow: ['/private'],
    pages: {
      [`${SITE}/`]: page('Home', {
        links: ['/a', '/a#section', '/a?utm_source=mail&utm_medium=x', '/b/', '/b-print', 'https://other.test/x', '/private/secret', '/logo.png', 'mailto:x@y.z', '/docs/guide'],
      }),
      [`${SITE}/a`]: page('Apples', { links: ['/a/deep1', '/'], lang: 'en-GB' }),
      [`${SITE}/a/deep1`]: page('Deep one', { links: ['/a/deep1/deep2'] }),
      [`${SITE}/a/deep1/deep2`]: page('Deep two', { links: ['/a/deep1/deep2/deep3'] }),
      [`${SITE}/a/deep1/deep2/deep3`]: page('Deep three'),
      [`${SITE}/b`]: page('Bananas'),
      [`${SITE}/b-print`]: page('Bananas printable', { canonical: `${SITE}/b` }),
      [`${SITE}/docs/guide`]: page('Guide', { links: ['/docs/guide/install'] }),
      [`${SITE}/docs/guide/install`]: page('Install'),
      [`${SITE}/private/secret`]: page('Secret'),
    },
  });

describe.each(await testDatabaseTargets())('crawling websites, on $name', (target) => {
  let h: Harness;
  let fetcher: FakeWebFetcher;
  let actor: Actor;
  let spaceId: string;
  const embeddings = countingEmbeddings();

  beforeAll(async () => {
    h = await openHarness(target, {
      runJobs: false,
      queue: recordingQueue(),
      extractor: createInProcessExtractor(),
      embeddings: embeddings.models,
      web: { check: (url) => fetcher.check(url), fetch: (request) => fetcher.fetch(request), robotsAllows: (url) => fetcher.robotsAllows!(url) },
      settings: { crawlCheckIntervalMs: 0, crawlConcurrency: 2 },
    });
    const tenant = await newTenant(h.core);
    actor = tenant.actor;
    spaceId = (await h.core.spaces.create(actor, { name: 'Web' })).id;
  });
  afterAll(async () => h?.close());
  beforeEach(() => {
    fetcher = scriptedSite();
  });

  const handlers = () => h.core.jobs.handlers();
  const runCrawl = async (started: StartedCrawl, signal?: AbortSignal): Promise<CrawlRun> => {
    await handlers().crawl_website(toQueued(started.job), runContext(signal));
    const { data } = await h.core.websites.runs.list(actor, started.run.websiteId, { limit: 1 });
    return data[0]!;
  };
  const crawlNew = async (input: Partial<WebsiteInput> & { url?: string } = {}) => {
    const website = await h.core.websites.create(actor, spaceId, { url: `${SITE}/`, mode: 'crawl', ...input });
    const run = await runCrawl(await h.core.websites.crawl(actor, website.id));
    const { data: documents } = await h.core.websites.documents(actor, website.id, { limit: 100 }, {});
    return { website, run, documents, sources: documents.map((d) => d.source).sort() };
  };

  it('follows links within the site breadth first, normalising URLs and skipping strays, robots and duplicates', async () => {
    const { run, documents, sources } = await crawlNew({ maxDepth: 10 });
    expect(run.status).toBe('completed');
    expect(sources).toEqual(
      [`${SITE}/`, `${SITE}/a`, `${SITE}/a/deep1`, `${SITE}/a/deep1/deep2`, `${SITE}/a/deep1/deep2/deep3`, `${SITE}/b`, `${SITE}/docs/guide`, `${SITE}/docs/guide/install`].sort(),
    );
    // /a with a fragment or tracking parameters is /a: fetched once.
    expect(fetcher.fetched().filter((u) => u.startsWith(`${SITE}/a`) && !u.includes('deep'))).toEqual([`${SITE}/a`]);
    expect(fetcher.fetched().some((u) => u.includes('other.test') || u.endsWith('.png'))).toBe(false);
    // Out of scope: other.test (links that are not pages, like the image, are not counted).
    expect(run.stats).toMatchObject({ new: 8, failed: 0, skippedRobots: 1, skippedScope: 1, duplicates: 1, limitReached: false });
    expect(run.progress.fetched).toBe(10);
    expect(run.finishedAt).not.toBeNull();
    const apples = documents.find((d) => d.source === `${SITE}/a`)!;
    expect(apples).toMatchObject({ sourceType: 'crawl', status: 'ready', title: 'Apples', metadata: { language: 'en-GB' } });
    expect(apples.chunkCount).toBeGreaterThan(0);
  });

  it('links citations to pages: search hits carry the page URL', async () => {
    const { website } = await crawlNew();
    const hits = await h.core.collections.search(actor, website.collectionId, { query: 'Bananas', topK: 3 });
    expect(hits[0]).toMatchObject({ documentTitle: 'Bananas', url: `${SITE}/b` });
  });

  it('stops at maxDepth', async () => {
    const { sources, run } = await crawlNew({ maxDepth: 2 });
    expect(sources).toContain(`${SITE}/a/deep1`);
    expect(sources).not.toContain(`${SITE}/a/deep1/deep2`);
    expect(run.stats.limitReached).toBe(false);
  });

  it('stops at maxPages and says so', async () => {
    const { run } = await crawlNew({ maxPages: 3 });
    expect(fetcher.fetched()).toHaveLength(3);
    expect(run.stats.limitReached).toBe(true);
    expect(run.status).toBe('completed');
  });

  it('applies include and exclude patterns to paths, and the start path to scope', async () => {
    // `/a/**` is /a and everything under it.
    const excluded = await crawlNew({ exclude: ['/a/**', '/docs/**'] });
    expect(excluded.sources).toEqual([`${SITE}/`, `${SITE}/b`]);

    fetcher = scriptedSite();
    const included = await crawlNew({ include: ['/docs/**'] });
    // The start page is read for its links, but only included pages are kept.
    expect(included.sources).toEqual([`${SITE}/docs/guide`, `${SITE}/docs/guide/install`]);

    fetcher = scriptedSite();
    const section = await crawlNew({ url: `${SITE}/docs/guide` });
    expect(section.sources).toEqual([`${SITE}/docs/guide`, `${SITE}/docs/guide/install`]);
    expect(fetcher.fetched().some((u) => u === `${SITE}/`)).toBe(false);
  });

  it('reads sitemap indexes and gzipped sitemaps (found through robots.txt)', async () => {
    const urlset = (urls: string[]) =>
      `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.map((u) => `<url><loc>${u}</loc></url>`).join('')}</urlset>`;
    fetcher.set(`${SITE}/robots.txt`, { contentType: 'text/plain', body: `User-agent: *\nDisallow: /private\nSitemap: ${SITE}/sitemap-index.xml\n` });
    fetcher.set(`${SITE}/sitemap-index.xml`, {
      contentType: 'application/xml',
      body: `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${SITE}/pages.xml.gz</loc></sitemap><sitemap><loc>${SITE}/more.xml</loc></sitemap><sitemap><loc>https://other.test/sitemap.xml</loc></sitemap></sitemapindex>`,
    });
    fetcher.set(`${SITE}/pages.xml.gz`, { contentType: 'application/gzip', body: gzipSync(urlset([`${SITE}/a`, `${SITE}/b`, `${SITE}/private/secret`])) });
    fetcher.set(`${SITE}/more.xml`, { contentType: 'application/xml', body: urlset([`${SITE}/docs/guide`, `${SITE}/a?utm_campaign=x`, 'https://other.test/page']) });
    const { run, sources } = await crawlNew({ mode: 'sitemap' });
    expect(run.status).toBe('completed');
    expect(sources).toEqual([`${SITE}/a`, `${SITE}/b`, `${SITE}/docs/guide`]);
    expect(run.stats).toMatchObject({ new: 3, skippedRobots: 1, skippedScope: 1 });
    // Links are not followed in sitemap mode, and other sites' sitemaps are not read.
    expect(fetcher.fetched()).not.toContain(`${SITE}/a/deep1`);
    expect(fetcher.fetched()).not.toContain('https://other.test/sitemap.xml');
  });

  it('does not ask again for a page whose sitemap <lastmod> is no later than its last read', async () => {
    const sitemap = (lastmod: Record<string, string>) =>
      `<urlset>${Object.entries(lastmod).map(([path, date]) => `<url><loc>${SITE}${path}</loc><lastmod>${date}</lastmod></url>`).join('')}</urlset>`;
    fetcher.set(`${SITE}/list.xml`, { contentType: 'text/xml', body: sitemap({ '/a': '2020-01-01', '/b': '2020-01-01', '/docs/guide': '2020-01-01' }) });
    const first = await crawlNew({ mode: 'sitemap', url: `${SITE}/list.xml` });
    expect(first.sources).toEqual([`${SITE}/a`, `${SITE}/b`, `${SITE}/docs/guide`]);
    // Robots.txt now closes /docs: an old <lastmod> does not keep the page.
    fetcher.disallow('/docs');
    // /b changed after the first crawl, says the sitemap; /a did not.
    fetcher.set(`${SITE}/b`, page('Bananas, ripe'));
    fetcher.set(`${SITE}/list.xml`, { contentType: 'text/xml', body: sitemap({ '/a': '2020-01-01', '/b': new Date(Date.now() + 60_000).toISOString(), '/docs/guide': '2020-01-01' }) });
    const before = fetcher.requests.length;
    const second = await runCrawl(await h.core.websites.crawl(actor, first.website.id));
    const asked = fetcher.fetched().slice(before);
    expect(asked).toContain(`${SITE}/b`);
    expect(asked).not.toContain(`${SITE}/a`);
    expect(second).toMatchObject({ status: 'completed', stats: { unchanged: 1, updated: 1, skippedRobots: 1, removed: 1 } });
    const { data } = await h.core.websites.documents(actor, first.website.id, { limit: 10 }, {});
    expect(data.map((d) => d.source).sort()).toEqual([`${SITE}/a`, `${SITE}/b`]);
  });

  it('takes a sitemap URL as the website URL, and fails a run when there is no sitemap', async () => {
    fetcher.set(`${SITE}/list.xml`, { contentType: 'text/xml', body: `<urlset><url><loc>${SITE}/b</loc></url></urlset>` });
    expect((await crawlNew({ mode: 'sitemap', url: `${SITE}/list.xml` })).sources).toEqual([`${SITE}/b`]);
    // A sitemap in a folder still speaks for the whole site, redirects of its pages included.
    fetcher.set(`${SITE}/maps/list.xml`, { contentType: 'text/xml', body: `<urlset><url><loc>${SITE}/old</loc></url></urlset>` });
    fetcher.set(`${SITE}/old`, { redirect: '/b' });
    expect((await crawlNew({ mode: 'sitemap', url: `${SITE}/maps/list.xml` })).sources).toEqual([`${SITE}/b`]);
    const none = await crawlNew({ mode: 'sitemap', url: `${SITE}/a` });
    expect(none.run).toMatchObject({ status: 'failed', error: expect.stringContaining('No sitemap') });
    expect(fetcher.fetched()).toEqual(expect.arrayContaining([`${SITE}/robots.txt`, `${SITE}/sitemap.xml`]));
  });

  it('obeys an exclude pattern added since the last crawl, even on the links a not-modified page remembers', async () => {
    fetcher.set(`${SITE}/`, { ...page('Home', { links: ['/a', '/b'] }), etag: '"home"' });
    const first = await crawlNew();
    expect(first.sources).toEqual(expect.arrayContaining([`${SITE}/a`, `${SITE}/b`]));
    await h.core.websites.update(actor, first.website.id, { exclude: ['/b'] });
    const before = fetcher.requests.length;
    const second = await runCrawl(await h.core.websites.crawl(actor, first.website.id));
    expect(fetcher.requests.slice(before).find((r) => r.url === `${SITE}/`)?.etag).toBe('"home"');
    expect(fetcher.fetched().slice(before)).not.toContain(`${SITE}/b`);
    expect(second.status).toBe('completed');
    const { data } = await h.core.websites.documents(actor, first.website.id, { limit: 10 }, {});
    expect(data.map((d) => d.source)).not.toContain(`${SITE}/b`);
  });

  it('recrawls: unchanged pages are not embedded again, changed ones are replaced, gone ones removed', async () => {
    const first = await crawlNew();
    const before = new Map(first.documents.map((d) => [d.source, d]));
    fetcher.set(`${SITE}/a`, page('Apples', { text: 'Apples are now green and sour, says the new version of this page.', links: ['/a/deep1', '/'] }));
    fetcher.remove(`${SITE}/b`); // 404
    fetcher.remove(`${SITE}/b-print`);
    fetcher.set(`${SITE}/docs/guide`, page('Guide', { text: 'The guide is shorter now.' })); // and no longer links to install: not reached
    embeddings.counter.texts = 0;
    const second = await runCrawl(await h.core.websites.crawl(actor, first.website.id));
    expect(second.status).toBe('completed');
    expect(second.stats).toMatchObject({ updated: 2, new: 0, removed: 2, failed: 2 });
    expect(second.stats.unchanged).toBe(first.run.stats.new - 4);
    // Only the two changed pages were embedded again.
    const { data: after } = await h.core.websites.documents(actor, first.website.id, { limit: 100 }, {});
    const changed = after.filter((d) => d.source === `${SITE}/a` || d.source === `${SITE}/docs/guide`);
    expect(embeddings.counter.texts).toBe(changed.reduce((n, d) => n + d.chunkCount, 0));
    expect(after.map((d) => d.source)).not.toContain(`${SITE}/b`);
    expect(after.map((d) => d.source)).not.toContain(`${SITE}/docs/guide/install`);
    // Same documents, new content for /a.
    const apples = after.find((d) => d.source === `${SITE}/a`)!;
    expect(apples.id).toBe(before.get(`${SITE}/a`)!.id);
    expect(apples.contentHash).not.toBe(before.get(`${SITE}/a`)!.contentHash);
    const chunks = await h.core.documents.chunks(actor, apples.id, { limit: 10 });
    expect(chunks.data.map((c) => c.text).join(' ')).toContain('green and sour');
  });

  it('fails a run whose start page cannot be read, and removes nothing then', async () => {
    const first = await crawlNew();
    fetcher.set(`${SITE}/`, { status: 503 });
    const second = await runCrawl(await h.core.websites.crawl(actor, first.website.id));
    expect(second).toMatchObject({ status: 'failed', error: expect.stringContaining('start page could not be read'), stats: { removed: 0 } });
    const { data } = await h.core.websites.documents(actor, first.website.id, { limit: 100 }, {});
    expect(data).toHaveLength(first.documents.length);
  });

  it('sends conditional requests with stored validators and keeps following a 304 page’s links', async () => {
    fetcher.set(`${SITE}/`, { ...page('Home', { links: ['/a', '/b'] }), etag: '"home-1"' });
    fetcher.set(`${SITE}/a`, { ...page('Apples'), lastModified: 'Mon, 07 Dec 2026 10:00:00 GMT' });
    const first = await crawlNew();
    embeddings.counter.texts = 0;
    const second = await runCrawl(await h.core.websites.crawl(actor, first.website.id));
    const home = fetcher.requests.filter((r) => r.url === `${SITE}/`).at(-1)!;
    const apples = fetcher.requests.filter((r) => r.url === `${SITE}/a`).at(-1)!;
    expect(home.etag).toBe('"home-1"');
    expect(apples.lastModified).toBe('Mon, 07 Dec 2026 10:00:00 GMT');
    expect(second.stats).toMatchObject({ unchanged: 3, new: 0, updated: 0, removed: 0 });
    // /b was reached through the not-modified home page's remembered links.
    expect(fetcher.requests.filter((r) => r.url === `${SITE}/b`)).toHaveLength(2);
    expect(embeddings.counter.texts).toBe(0);
  });

  it('is cancelled between pages, keeping what it stored and removing nothing it did not reach', async () => {
    const website = await h.core.websites.create(actor, spaceId, { url: `${SITE}/`, mode: 'crawl' });
    const started = await h.core.websites.crawl(actor, website.id);
    // A second start while one is queued or running is a conflict.
    await expectAtriumError(h.core.websites.crawl(actor, website.id), 'conflict', 'crawl_running');
    fetcher = fakeWebFetcher({ delayMs: 30, pages: { [`${SITE}/`]: page('Home', { links: Array.from({ length: 40 }, (_, i) => `/p${i}`) }), ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`${SITE}/p${i}`, page(`Page ${i}`)])) } });
    const running = runCrawl(started);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const cancelled = await h.core.websites.runs.cancel(actor, website.id, started.run.id);
    expect(cancelled.cancelRequested).toBe(true);
    const run = await running;
    expect(run.status).toBe('cancelled');
    expect(run.progress.fetched).toBeLessThan(41);
    expect(run.stats.new).toBeGreaterThan(0);
    // Cancelling an ended run changes nothing (and is no error: a retry is safe).
    expect(await h.core.websites.runs.cancel(actor, website.id, started.run.id)).toMatchObject({ status: 'cancelled', finishedAt: run.finishedAt });
    // Another crawl may start now.
    expect((await h.core.websites.crawl(actor, website.id)).run.status).toBe('queued');
  });

  it('cancels a queued run at once; its job then does nothing', async () => {
    const website = await h.core.websites.create(actor, spaceId, { url: `${SITE}/`, mode: 'crawl' });
    const started = await h.core.websites.crawl(actor, website.id);
    expect((await h.core.websites.runs.cancel(actor, website.id, started.run.id)).status).toBe('cancelled');
    const run = await runCrawl(started);
    expect(run.status).toBe('cancelled');
    expect(fetcher.fetched()).toEqual([]);
  });

  it('honours robots meta, <base href>, redirects and identical text as duplicates', async () => {
    fetcher = fakeWebFetcher({
      pages: {
        [`${SITE}/`]: page('Home', { links: ['/hidden', '/closed', '/old', '/copy', '/section/'] }),
        [`${SITE}/hidden`]: page('Hidden', { head: '<meta name="robots" content="noindex">', links: ['/behind-hidden'] }),
        [`${SITE}/behind-hidden`]: page('Behind hidden'),
        [`${SITE}/closed`]: page('Closed', { head: '<meta name="robots" content="nofollow">', links: ['/behind-closed'] }),
        [`${SITE}/behind-closed`]: page('Behind closed'),
        [`${SITE}/old`]: { redirect: '/section' },
        [`${SITE}/section`]: page('Section', { head: '<base href="/section/">', links: ['child'] }),
        [`${SITE}/section/child`]: page('Child'),
        [`${SITE}/copy`]: page('Home', { links: ['/'] }),
      },
    });
    const { sources, run } = await crawlNew();
    // noindex: not kept, but followed; nofollow: kept, not followed; the redirect is the
    // page it leads to; <base href> resolves relative links; /copy says what / says.
    expect(sources).toEqual([`${SITE}/`, `${SITE}/behind-hidden`, `${SITE}/closed`, `${SITE}/section`, `${SITE}/section/child`].sort());
    expect(fetcher.fetched()).not.toContain(`${SITE}/behind-closed`);
    expect(run.stats.duplicates).toBe(2);
  });

  it('downloads linked PDF and DOCX files only with includeFiles', async () => {
    const { readFile } = await import('node:fs/promises');
    const pdf = new Uint8Array(await readFile(new URL('../fixtures/two-pages.pdf', import.meta.url)));
    fetcher.set(`${SITE}/`, page('Home', { links: ['/a', '/files/report.pdf'] }));
    fetcher.set(`${SITE}/files/report.pdf`, { contentType: 'application/pdf', body: pdf });
    expect((await crawlNew()).sources).not.toContain(`${SITE}/files/report.pdf`);
    expect(fetcher.fetched()).not.toContain(`${SITE}/files/report.pdf`);
    const withFiles = await crawlNew({ includeFiles: true });
    expect(withFiles.sources).toContain(`${SITE}/files/report.pdf`);
    expect(withFiles.documents.find((d) => d.source === `${SITE}/files/report.pdf`)).toMatchObject({ format: 'pdf', sourceType: 'crawl' });
  });

  it('follows a start page that moved within its site (http → https, www), and fails one that moved to another site', async () => {
    fetcher.set('http://site.test/', { redirect: `${SITE}/` });
    const moved = await crawlNew({ url: 'http://site.test/' });
    expect(moved.run.status).toBe('completed');
    expect(moved.sources).toContain(`${SITE}/a`);
    expect(moved.sources).toContain(`${SITE}/`);
    expect(moved.run.stats.skippedScope).toBeLessThan(5);

    fetcher.set('http://site.test/', { redirect: 'https://elsewhere.test/' });
    fetcher.set('https://elsewhere.test/', page('Elsewhere', { links: ['/x'] }));
    const second = await runCrawl(await h.core.websites.crawl(actor, moved.website.id));
    expect(second).toMatchObject({ status: 'failed', stats: { removed: 0 } });
    expect(second.error).toContain('https://elsewhere.test/, which is another site');
    const { data } = await h.core.websites.documents(actor, moved.website.id, { limit: 100 }, {});
    expect(data).toHaveLength(moved.documents.length);
    expect(fetcher.fetched()).not.toContain('https://elsewhere.test/x');
  });

  it('lists the first 50 pages that failed, with the reason, and counts them all', async () => {
    fetcher.set(`${SITE}/`, page('Home', { links: Array.from({ length: 60 }, (_, i) => `/broken/${i}`) }));
    for (let i = 0; i < 60; i++) fetcher.set(`${SITE}/broken/${i}`, { status: 500 });
    const { run } = await crawlNew({ maxDepth: 1 });
    expect(run.status).toBe('completed');
    expect(run.stats.failed).toBe(60);
    expect(run.failures).toHaveLength(50);
    expect(run.failures[0]).toEqual({ url: expect.stringMatching(/^https:\/\/site\.test\/broken\/\d+$/), reason: 'HTTP 500' });
  });

  it('follows a sitemap that moved to https', async () => {
    const urlset = `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${SITE}/a</loc></url><url><loc>${SITE}/b</loc></url></urlset>`;
    fetcher.set('http://site.test/sitemap.xml', { redirect: `${SITE}/sitemap.xml` });
    fetcher.set(`${SITE}/sitemap.xml`, { contentType: 'application/xml', body: urlset });
    const { run, sources } = await crawlNew({ url: 'http://site.test/sitemap.xml', mode: 'sitemap' });
    expect(run.status).toBe('completed');
    expect(sources).toEqual([`${SITE}/a`, `${SITE}/b`]);
  });

  it('stops when the site asks for a longer pause than the fetcher waits, removing nothing', async () => {
    const first = await crawlNew();
    const before = fetcher.requests.length;
    fetcher.set(`${SITE}/a`, { status: 429, retryAfterMs: 3_600_000 });
    const second = await runCrawl(await h.core.websites.crawl(actor, first.website.id));
    expect(second).toMatchObject({ status: 'failed', stats: { removed: 0 } });
    expect(second.error).toContain('The crawl stopped');
    const { data } = await h.core.websites.documents(actor, first.website.id, { limit: 100 }, {});
    expect(data).toHaveLength(first.documents.length);
    // The crawl ended at the level where the site said so: nothing deeper was asked for.
    expect(fetcher.fetched().slice(before)).not.toContain(`${SITE}/a/deep1`);
  });

  it('fails only the page when another host (a sign-in redirect) asks for a long pause', async () => {
    fetcher.set(`${SITE}/`, page('Home', { links: ['/a', '/login'] }));
    fetcher.set(`${SITE}/login`, { redirect: 'https://sso.test/authorize' });
    fetcher.set('https://sso.test/authorize', { status: 429, retryAfterMs: 3_600_000 });
    const { run, sources } = await crawlNew();
    expect(run.status).toBe('completed');
    expect(sources).toContain(`${SITE}/a`);
    expect(run.failures).toEqual([{ url: `${SITE}/login`, reason: 'HTTP 429' }]);
  });

  it('keeps a page whose robots.txt could not be read, where a disallowed page goes', async () => {
    const first = await crawlNew();
    expect(first.sources).toContain(`${SITE}/a`);
    expect(first.sources).toContain(`${SITE}/b`);
    fetcher.set(`${SITE}/a`, { refuse: 'robots_unreachable' });
    fetcher.disallow('/b'); // /b and /b-print, with /private/secret as before
    const second = await runCrawl(await h.core.websites.crawl(actor, first.website.id));
    expect(second.status).toBe('completed');
    expect(second.stats).toMatchObject({ skippedRobots: 3, failed: 1, removed: 1 });
    expect(second.failures).toEqual([{ url: `${SITE}/a`, reason: 'Refused (robots_unreachable)' }]);
    const { data } = await h.core.websites.documents(actor, first.website.id, { limit: 100 }, {});
    // /a stays, and so do the pages below it, reached through the links /a had last time.
    expect(data.map((d) => d.source).sort()).toEqual(first.sources.filter((source) => source !== `${SITE}/b`));
  });

  it('reads a linked DOCX file, also when it is served as application/octet-stream', async () => {
    const { readFile } = await import('node:fs/promises');
    const docx = new Uint8Array(await readFile(new URL('../fixtures/report.docx', import.meta.url)));
    fetcher.set(`${SITE}/`, page('Home', { links: ['/a', '/files/report.docx', '/files/plain.docx'] }));
    fetcher.set(`${SITE}/files/report.docx`, { contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', body: docx });
    fetcher.set(`${SITE}/files/plain.docx`, { contentType: 'application/octet-stream', body: docx });
    const { documents, run } = await crawlNew({ includeFiles: true });
    // The same bytes twice: one document, the second a duplicate.
    const files = documents.filter((d) => d.source?.startsWith(`${SITE}/files/`));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ format: 'docx', sourceType: 'crawl' });
    expect(run.stats).toMatchObject({ skippedType: 0, duplicates: 1 });
  });
});
