/**
 * Scheduled recrawls on the embedded default, through `createAtrium` as `pnpm start` builds
 * it: the in-process queue and its in-process scheduler, with no scheduler passed in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessExtractor } from '../../src/adapters/extraction/index.js';
import { createAtrium, type AtriumInstance } from '../../src/adapters/node/index.js';
import type { Actor } from '../../src/domain/identity.js';
import { actorFor, fakeWebFetcher } from '../../src/test/index.js';
import { page } from './site.js';

describe('scheduled recrawls on the embedded default', () => {
  let atrium: AtriumInstance;
  let actor: Actor;
  let spaceId: string;

  beforeAll(async () => {
    const web = fakeWebFetcher({ pages: { 'https://site.test/': page('Home', { links: ['/a'] }), 'https://site.test/a': page('Apples') } });
    atrium = await createAtrium({ dataDir: 'memory://', bcryptCost: 4, web, extractor: createInProcessExtractor() });
    const boot = await atrium.core.tenants.bootstrap({ adminEmail: 'owner@schedules.test', adminPassword: 'schedules password' });
    if (!boot.created) throw new Error('expected a fresh database');
    actor = actorFor(boot.admin);
    spaceId = (await atrium.core.spaces.create(actor, { name: 'Web' })).id;
  }, 60_000);
  afterAll(async () => atrium?.close(0));

  it('crawls a website as soon as it gets a schedule, and not again on a second tick within the interval', async () => {
    const website = await atrium.core.websites.create(actor, spaceId, { url: 'https://site.test/', mode: 'crawl', schedule: 'daily' });
    const runs = () => atrium.core.websites.runs.list(actor, website.id, { limit: 10 }).then((p) => p.data);
    const deadline = Date.now() + 20_000;
    while (!(await runs()).some((run) => run.status === 'completed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const [run] = await runs();
    expect(run).toMatchObject({ trigger: 'schedule', status: 'completed', stats: { new: 2 } });
    // Changing the schedule registers it again (its first tick fires at once); a crawl is recent, so nothing runs.
    await atrium.core.websites.update(actor, website.id, { schedule: 'weekly' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await runs()).toHaveLength(1);
  });
});
