/**
 * A crawl through the real safe web fetcher, against a site served by the test on
 * loopback (allowed by `allowHosts`, as ATRIUM_CRAWLER_ALLOW_HOSTS does): robots.txt, links and depth, conditional requests on a recrawl, a redirect to a host
 * that is not allowed (never contacted), and the same site refused without the allowlist.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessExtractor } from '../../src/adapters/extraction/index.js';
import type { Actor } from '../../src/domain/identity.js';
import type { CrawlRun } from '../../src/domain/websites.js';
import { toQueued } from '../../src/services/jobs/jobs.js';
import type { StartedCrawl } from '../../src/services/websites/websites.js';
import { startLocalSite, testDatabaseTargets, type LocalSite } from '../../src/test/index.js';
import { expectAtriumError, newTenant, openHarness, recordingQueue, type Harness } from '../helpers.js';
import { page, runContext } from './site.js';

const html = (p: ReturnType<typeof page>) => String(p.body);

/** Serves a page with an ETag, answering 304 to a matching If-None-Match. */
const withEtag = (body: string, etag: string) => (req: IncomingMessage, res: ServerResponse) => {
  if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag }).end(body);
};

describe.each(await testDatabaseTargets())('crawling a local site through the safe web fetcher, on $name', (target) => {
  let h: Harness;
  let site: LocalSite;
  let elsewhere: LocalSite;
  let actor: Actor;
  let spaceId: string;

  beforeAll(async () => {
    elsewhere = await startLocalSite({ '/secret': html(page('Secret')) }, { host: '127.0.0.2' });
    site = await startLocalSite({
      '/robots.txt': `User-agent: *\nDisallow: /private/\n`,
      '/': withEtag(html(page('Home', { links: ['/a', '/private/x', '/moved', '/deep/1'] })), '"home"'),
      '/a': withEtag(html(page('Apples', { links: ['/'] })), '"a"'),
      '/deep/1': html(page('Deep one', { links: ['/deep/2'] })),
      '/deep/2': html(page('Deep two')),
      '/private/x': html(page('Private')),
      '/moved': (_req, res) => void res.writeHead(302, { location: `${elsewhere.origin}/secret` }).end(),
    });
    h = await openHarness(target, {
      runJobs: false,
      queue: recordingQueue(),
      extractor: createInProcessExtractor(),
      crawler: { allowHosts: '127.0.0.1', perHostDelayMs: 0 },
      settings: { crawlCheckIntervalMs: 0 },
    });
    actor = (await newTenant(h.core)).actor;
    spaceId = (await h.core.spaces.create(actor, { name: 'Local' })).id;
  });
  afterAll(async () => {
    await h?.close();
    await site?.close();
    await elsewhere?.close();
  });

  const runCrawl = async (started: StartedCrawl): Promise<CrawlRun> => {
    await h.core.jobs.handlers().crawl_website(toQueued(started.job), runContext());
    return (await h.core.websites.runs.list(actor, started.run.websiteId, { limit: 1 })).data[0]!;
  };

  it('crawls within robots.txt and depth, never contacts a disallowed host, and recrawls with conditional requests', async () => {
    const website = await h.core.websites.create(actor, spaceId, { url: `${site.origin}/`, mode: 'crawl', maxDepth: 1 });
    const first = await runCrawl(await h.core.websites.crawl(actor, website.id));
    expect(first.status).toBe('completed');
    const { data } = await h.core.websites.documents(actor, website.id, { limit: 20 }, {});
    expect(data.map((d) => d.source).sort()).toEqual([`${site.origin}/`, `${site.origin}/a`, `${site.origin}/deep/1`]);
    expect(first.stats).toMatchObject({ new: 3, skippedRobots: 1, failed: 1 });
    expect(site.hits('/private/x')).toBe(0);
    expect(site.hits('/deep/2')).toBe(0);
    expect(elsewhere.requests).toHaveLength(0);

    const second = await runCrawl(await h.core.websites.crawl(actor, website.id));
    expect(second.stats).toMatchObject({ unchanged: 3, new: 0, updated: 0, removed: 0 });
    const homeRequests = site.requests.filter((r) => r.path === '/');
    expect(homeRequests.at(-1)!.headers['if-none-match']).toBe('"home"');
  });

  it('refuses the same site without the allowlist, at creation, naming the reason', async () => {
    const before = site.requests.length;
    const strict = await openHarness(target, { runJobs: false, queue: recordingQueue(), crawler: { perHostDelayMs: 0 } });
    try {
      const owner = (await newTenant(strict.core)).actor;
      const space = (await strict.core.spaces.create(owner, { name: 'Strict' })).id;
      const error = await expectAtriumError(strict.core.websites.create(owner, space, { url: `${site.origin}/`, mode: 'crawl' }), 'invalid', 'url_refused');
      expect(error.details.errors?.[0]?.message).toMatch(/^address: /);
    } finally {
      await strict.close();
    }
    expect(site.requests).toHaveLength(before); // never contacted
  });
});
