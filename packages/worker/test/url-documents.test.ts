import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSite, type LocalSite } from '@atrium/core/test';
import { documentIn, openEnvironment, postgresTarget, redisServerRequirement, startWorker, waitFor, type Environment, type WorkerProcess } from './helpers.js';

// Connected mode: the server (here, a core in the test process) checks the URL when the
// document is created; a worker process fetches it with its own web fetcher, configured
// from its own environment (ATRIUM_CRAWLER_ALLOW_HOSTS), and never reaches an address
// that configuration does not open.
const postgres = await postgresTarget();
const redisServer = redisServerRequirement();
const ready = postgres.requirement.ok && redisServer.ok;
const skipReason = [postgres.requirement, redisServer].filter((r) => !r.ok).map((r) => r.reason).join('; ');

describe.skipIf(!ready)(`{url} documents in a worker${ready ? '' : ` (skipped: ${skipReason})`}`, () => {
  let env: Environment;
  let site: LocalSite;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    const page = (title: string, text: string) => `<!doctype html><html><head><title>${title}</title></head><body><main><h1>${title}</h1><p>${text}</p></main></body></html>`;
    site = await startLocalSite({
      '/a': page('Page A', 'Alpha content about lighthouses and the keepers who kept their lamps lit through winter storms.'),
      '/b': page('Page B', 'Beta content about harbours, their breakwaters, and the pilots who guide ships safely to the quay.'),
    });
    env = await openEnvironment(postgres.target!, { crawler: { allowHosts: '127.0.0.1' } });
  });
  afterAll(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill('SIGKILL')));
    await env?.close();
    await site?.close();
  });

  const settled = (documentId: string) =>
    waitFor(() => documentIn(env, documentId, ['ready', 'failed']), 60_000, `document ${documentId}`, () => workers.map((w) => w.output()).join('\n'));
  const vars = (extra: Record<string, string> = {}) => ({ DATABASE_URL: env.databaseUrl, REDIS_URL: env.redis.url, ...extra });

  it('fetches with the worker\'s own allow-list: refused without it, ingested with it', { timeout: 180_000 }, async () => {
    const closed = await startWorker('no-allow-list', vars());
    workers.push(closed);
    const refused = await env.core.documents.create(env.actor, env.collectionId, { kind: 'url', url: `${site.origin}/a` });
    expect(await settled(refused.document.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/\(address\).*127\.0\.0\.1/) });
    expect(site.hits('/a')).toBe(0);
    expect(site.connections).toBe(0);
    await closed.kill('SIGKILL');

    workers.push(await startWorker('allow-list', vars({ ATRIUM_CRAWLER_ALLOW_HOSTS: '127.0.0.1', ATRIUM_CRAWLER_USER_AGENT: 'WorkerBot/1.0' })));
    const fetched = await env.core.documents.create(env.actor, env.collectionId, { kind: 'url', url: `${site.origin}/b` });
    const ingested = await settled(fetched.document.id);
    expect(ingested, ingested.error ?? '').toMatchObject({ status: 'ready', title: 'Page B', format: 'html' });
    expect(site.requests.find((r) => r.path === '/b')?.headers['user-agent']).toBe('WorkerBot/1.0');
  });
});
