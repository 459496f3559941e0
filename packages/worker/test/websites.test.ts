import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSite, type LocalSite } from '@atrium/core/test';
import type { CrawlRun } from '@atrium/core';
import { openEnvironment, postgresTarget, redisServerRequirement, startWorker, waitFor, type Environment, type WorkerProcess } from './helpers.js';

// Connected mode: a website scheduled through the producing core (the server's part) is a
// BullMQ job scheduler in Redis; a separate worker process fires it, crawls the site with
// its own web fetcher, and a recrawl sends conditional requests and re-embeds nothing.
const postgres = await postgresTarget();
const redisServer = redisServerRequirement();
const ready = postgres.requirement.ok && redisServer.ok;
const skipReason = [postgres.requirement, redisServer].filter((r) => !r.ok).map((r) => r.reason).join('; ');

describe.skipIf(!ready)(`websites crawled by a worker${ready ? '' : ` (skipped: ${skipReason})`}`, () => {
  let env: Environment;
  let site: LocalSite;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    const page = (title: string, links: string[], text: string) =>
      `<!doctype html><html lang="en"><head><title>${title}</title></head><body><nav>${links.map((l) => `<a href="${l}">${l}</a>`).join(' ')}</nav><main><h1>${title}</h1><p>${text}</p></main></body></html>`;
    site = await startLocalSite({
      '/': page('Harbour guide', ['/lights', '/pilots'], 'The harbour guide explains how ships enter the port safely, day and night, in all weathers.'),
      '/lights': page('Lighthouses', ['/'], 'Lighthouse keepers kept their lamps lit through winter storms, trimming wicks every few hours.'),
      '/pilots': page('Pilots', ['/'], 'Harbour pilots board arriving ships beyond the breakwater and guide them safely to the quay.'),
    });
    env = await openEnvironment(postgres.target!, { crawler: { allowHosts: '127.0.0.1', perHostDelayMs: 0 } });
    worker = await startWorker('crawler', { DATABASE_URL: env.databaseUrl, REDIS_URL: env.redis.url, ATRIUM_CRAWLER_ALLOW_HOSTS: '127.0.0.1' });
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await env?.close();
    await site?.close();
  });

  it('fires the schedule in Redis, crawls in the worker, and recrawls without re-embedding', { timeout: 180_000 }, async () => {
    const { spaceId } = await env.core.collections.get(env.actor, env.collectionId);
    const website = await env.core.websites.create(env.actor, spaceId, { url: `${site.origin}/`, mode: 'crawl', schedule: 'daily' });
    const runs = () => env.core.websites.runs.list(env.actor, website.id, { limit: 10 }).then((p) => p.data);
    const ended = (count: number) =>
      waitFor(
        async () => {
          const all = await runs();
          return all.length >= count && all.every((r) => r.status !== 'queued' && r.status !== 'running') ? all : null;
        },
        90_000,
        `${count} finished crawl run(s)`,
        () => worker?.output() ?? '',
      );
    const [scheduled] = (await ended(1)) as CrawlRun[];
    expect(scheduled).toMatchObject({ trigger: 'schedule', status: 'completed', stats: { new: 3, failed: 0 } });
    const { data: pages } = await env.core.websites.documents(env.actor, website.id, { limit: 10 }, {});
    expect(pages.map((d) => d.source).sort()).toEqual([`${site.origin}/`, `${site.origin}/lights`, `${site.origin}/pilots`]);

    await env.core.websites.crawl(env.actor, website.id);
    const [manual] = (await ended(2)) as CrawlRun[];
    expect(manual).toMatchObject({ trigger: 'manual', status: 'completed', stats: { unchanged: 3, new: 0, updated: 0, removed: 0 } });
  });
});
