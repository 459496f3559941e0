/**
 * Websites as a resource: access (viewers read, editors write, other tenants see
 * nothing), validation, the fetcher's check at creation, the collection a website owns,
 * assistants linking websites, and recrawl schedules (registration, ticks, back-off).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessExtractor } from '../../src/adapters/extraction/index.js';
import { inProcessScheduler } from '../../src/adapters/memory-queue/index.js';
import type { Actor } from '../../src/domain/identity.js';
import { emptyCrawlStats, SCHEDULE_INTERVAL_MS, type CrawlRun } from '../../src/domain/websites.js';
import type { JobScheduler, ScheduledJob } from '../../src/ports/index.js';
import { nextScheduledDelay } from '../../src/services/websites/schedules.js';
import { fakeWebFetcher, testDatabaseTargets } from '../../src/test/index.js';
import { atTime, expectAtriumError, newTenant, newUser, openHarness, recordingQueue, type Harness } from '../helpers.js';
import { page, runContext } from './site.js';

/** A scheduler that only remembers what it was told, and can be made unreachable. */
const recordingScheduler = () => {
  const schedules = new Map<string, { everyMs: number; job: ScheduledJob }>();
  const state = { down: false };
  const reachable = () => {
    if (state.down) throw new Error('Redis (scheduler) did not answer within 2000 ms');
  };
  const scheduler: JobScheduler = {
    upsert: async (key, everyMs, job) => void (reachable(), schedules.set(key, { everyMs, job })),
    remove: async (key) => void (reachable(), schedules.delete(key)),
  };
  return { scheduler, schedules, state };
};

describe.each(await testDatabaseTargets())('websites, on $name', (target) => {
  let h: Harness;
  let owner: Actor;
  let spaceId: string;
  const queue = recordingQueue();
  const { scheduler, schedules, state: schedulerState } = recordingScheduler();
  const fetcher = fakeWebFetcher({ refusedHosts: ['metadata.internal'], pages: { 'https://site.test/': page('Home') } });

  beforeAll(async () => {
    h = await openHarness(target, { runJobs: false, queue, scheduler, web: fetcher, extractor: createInProcessExtractor() });
    owner = (await newTenant(h.core)).actor;
    spaceId = (await h.core.spaces.create(owner, { name: 'Web' })).id;
  });
  afterAll(async () => h?.close());

  const create = (input: Record<string, unknown> = {}, actor = owner, space = spaceId) =>
    h.core.websites.create(actor, space, { url: 'https://site.test/', mode: 'crawl', ...input });

  it('creates a website with its own collection and sensible defaults', async () => {
    const website = await create({ url: 'https://Site.test:443/?utm_source=x#top' });
    expect(website).toMatchObject({
      url: 'https://site.test/',
      mode: 'crawl',
      maxPages: 1000,
      maxDepth: 5,
      include: [],
      exclude: [],
      schedule: 'never',
      includeFiles: false,
      lastRun: null,
    });
    const collection = await h.core.collections.get(owner, website.collectionId);
    expect(collection).toMatchObject({ spaceId, name: 'site.test' });
    expect((await h.core.websites.list(owner, spaceId, { limit: 100 })).data.map((w) => w.id)).toContain(website.id);
  });

  it('refuses invalid settings with 422 naming the fields', async () => {
    for (const [input, path] of [
      [{ mode: 'spider' }, 'mode'],
      [{ maxPages: 0 }, 'maxPages'],
      [{ maxPages: 20_001 }, 'maxPages'],
      [{ maxDepth: -1 }, 'maxDepth'],
      [{ schedule: 'hourly' }, 'schedule'],
      [{ include: [''] }, 'include.0'],
      [{ exclude: ['/ok', 'x'.repeat(501)] }, 'exclude.1'],
    ] as const) {
      const error = await expectAtriumError(create(input), 'invalid');
      expect(error.details.errors?.map((e) => e.path)).toContain(path);
    }
  });

  it('refuses an address the fetcher refuses, with the reason, and stores nothing', async () => {
    const before = (await h.core.collections.list(owner, spaceId, { limit: 100 })).data.length;
    const address = await expectAtriumError(create({ url: 'http://metadata.internal/latest' }), 'invalid', 'url_refused');
    expect(address.details.errors).toEqual([{ path: 'url', message: expect.stringContaining('address') }]);
    const scheme = await expectAtriumError(create({ url: 'file:///etc/passwd' }), 'invalid', 'url_refused');
    expect(scheme.message).toContain('file:');
    expect((await h.core.collections.list(owner, spaceId, { limit: 100 })).data.length).toBe(before);
  });

  it('lets viewers read and editors write; non-members and other tenants see nothing', async () => {
    const website = await create();
    const viewer = await newUser(h.core, owner);
    const editor = await newUser(h.core, owner);
    const stranger = await newUser(h.core, owner);
    await h.core.spaces.members.add(owner, spaceId, { userId: viewer.user.id, role: 'viewer' });
    await h.core.spaces.members.add(owner, spaceId, { userId: editor.user.id, role: 'editor' });

    expect((await h.core.websites.get(viewer.actor, website.id)).id).toBe(website.id);
    expect((await h.core.websites.runs.list(viewer.actor, website.id, { limit: 5 })).data).toEqual([]);
    expect((await h.core.websites.documents(viewer.actor, website.id, { limit: 5 }, {})).data).toEqual([]);
    await expectAtriumError(h.core.websites.update(viewer.actor, website.id, { maxPages: 5 }), 'forbidden');
    await expectAtriumError(h.core.websites.crawl(viewer.actor, website.id), 'forbidden');
    await expectAtriumError(create({}, viewer.actor), 'forbidden');

    expect((await h.core.websites.update(editor.actor, website.id, { maxPages: 5, include: ['/docs/**'] })).maxPages).toBe(5);
    const { run, job } = await h.core.websites.crawl(editor.actor, website.id);
    expect(run).toMatchObject({ status: 'queued', trigger: 'manual', jobId: job.id, stats: emptyCrawlStats() });
    expect(job.kind).toBe('crawl_website');
    expect(queue.enqueued).toContain(job.id);
    await expectAtriumError(h.core.websites.runs.cancel(viewer.actor, website.id, run.id), 'forbidden');

    await expectAtriumError(h.core.websites.get(stranger.actor, website.id), 'not_found');
    const other = await newTenant(h.core);
    for (const call of [
      () => h.core.websites.get(other.actor, website.id),
      () => h.core.websites.update(other.actor, website.id, {}),
      () => h.core.websites.delete(other.actor, website.id),
      () => h.core.websites.crawl(other.actor, website.id),
      () => h.core.websites.runs.list(other.actor, website.id, { limit: 5 }),
      () => h.core.websites.runs.cancel(other.actor, website.id, run.id),
      () => h.core.websites.documents(other.actor, website.id, { limit: 5 }, {}),
      () => h.core.websites.list(other.actor, spaceId, { limit: 5 }),
    ])
      await expectAtriumError(call(), 'not_found');
    await expectAtriumError(h.core.websites.runs.cancel(owner, website.id, '0190a0a0-0000-7000-8000-00000000abcd'), 'not_found');
  });

  it('deletes a website with its collection, documents and schedule', async () => {
    const website = await create({ schedule: 'weekly' });
    expect(schedules.get(`website:${website.id}`)).toEqual({
      everyMs: SCHEDULE_INTERVAL_MS.weekly,
      job: { tenantId: owner.tenantId, kind: 'recrawl_website', payload: { websiteId: website.id } },
    });
    await h.core.websites.delete(owner, website.id);
    await expectAtriumError(h.core.websites.get(owner, website.id), 'not_found');
    await expectAtriumError(h.core.collections.get(owner, website.collectionId), 'not_found');
    expect(schedules.has(`website:${website.id}`)).toBe(false);
  });

  it('keeps the schedule in step with the website', async () => {
    const website = await create();
    expect(schedules.has(`website:${website.id}`)).toBe(false);
    await h.core.websites.update(owner, website.id, { schedule: 'daily' });
    expect(schedules.get(`website:${website.id}`)?.everyMs).toBe(SCHEDULE_INTERVAL_MS.daily);
    await h.core.websites.update(owner, website.id, { schedule: 'never' });
    expect(schedules.has(`website:${website.id}`)).toBe(false);
    // Restored at start from the database.
    await h.core.websites.update(owner, website.id, { schedule: 'weekly' });
    schedules.clear();
    expect(await h.core.jobs.restoreSchedules()).toBeGreaterThanOrEqual(1);
    expect(schedules.has(`website:${website.id}`)).toBe(true);
  });

  it('saves a website while the scheduler is down; restoring schedules writes its schedule later', async () => {
    schedulerState.down = true;
    let website;
    try {
      website = await create({ schedule: 'daily' });
      expect(website.schedule).toBe('daily');
      expect(schedules.has(`website:${website.id}`)).toBe(false);
    } finally {
      schedulerState.down = false;
    }
    expect(await h.core.jobs.restoreSchedules()).toBeGreaterThan(0);
    expect(schedules.get(`website:${website.id}`)?.everyMs).toBe(SCHEDULE_INTERVAL_MS.daily);
  });

  it('starts a crawl on a schedule tick when one is due, and not while one is recent or running', async () => {
    const website = await create({ schedule: 'daily' });
    const tick = { id: 'tick', tenantId: owner.tenantId, kind: 'recrawl_website' as const, payload: { websiteId: website.id } };
    await h.core.jobs.handlers().recrawl_website(tick, runContext());
    const runs = () => h.core.websites.runs.list(owner, website.id, { limit: 10 }).then((p) => p.data);
    expect((await runs()).map((r) => [r.trigger, r.status])).toEqual([['schedule', 'queued']]);
    // Running already: nothing more.
    await h.core.jobs.handlers().recrawl_website(tick, runContext());
    expect(await runs()).toHaveLength(1);
    const [first] = await runs();
    await h.core.websites.runs.cancel(owner, website.id, first!.id);
    // Recent: nothing until a day has passed.
    await h.core.jobs.handlers().recrawl_website(tick, runContext());
    expect(await runs()).toHaveLength(1);
    const tomorrow = atTime(h.core, new Date(Date.now() + SCHEDULE_INTERVAL_MS.daily));
    await tomorrow.jobs.handlers().recrawl_website(tick, runContext());
    expect(await runs()).toHaveLength(2);
  });

  it('backs off after failed runs: each consecutive failure doubles the wait for the next scheduled crawl', async () => {
    const website = await create({ url: 'https://down.test/', schedule: 'daily' });
    const tick = { id: 'tick', tenantId: owner.tenantId, kind: 'recrawl_website' as const, payload: { websiteId: website.id } };
    const runs = () => h.core.websites.runs.list(owner, website.id, { limit: 10 }).then((p) => p.data);
    const daysLater = (days: number) => atTime(h.core, new Date(Date.now() + days * SCHEDULE_INTERVAL_MS.daily));
    /** Ticks at `days`, then runs the crawl the tick started, if any (it fails: the site answers 404). */
    const tickAndCrawl = async (days: number) => {
      const core = daysLater(days);
      await core.jobs.handlers().recrawl_website(tick, runContext());
      const [latest] = await runs();
      if (latest?.status !== 'queued') return;
      const job = { id: latest.jobId!, tenantId: owner.tenantId, kind: 'crawl_website' as const, payload: { websiteId: website.id, runId: latest.id } };
      await core.jobs.handlers().crawl_website(job, runContext()).catch(() => {});
    };
    await tickAndCrawl(0);
    expect((await runs()).map((r) => r.status)).toEqual(['failed']);
    // One failure: the next crawl waits two days, not one.
    await tickAndCrawl(1);
    await tickAndCrawl(1.5);
    expect(await runs()).toHaveLength(1);
    await tickAndCrawl(2);
    expect((await runs()).map((r) => r.status)).toEqual(['failed', 'failed']);
    // Two failures in a row: four days after the last one.
    await tickAndCrawl(5);
    expect(await runs()).toHaveLength(2);
    await tickAndCrawl(6);
    expect(await runs()).toHaveLength(3);
  });

  it('drops the schedule of a website that is gone', async () => {
    const website = await create({ schedule: 'daily' });
    await h.core.context.store.forTenant(owner.tenantId).collections.delete(website.collectionId);
    await h.core.jobs.handlers().recrawl_website({ id: 't', tenantId: owner.tenantId, kind: 'recrawl_website', payload: { websiteId: website.id } }, runContext());
    expect(schedules.has(`website:${website.id}`)).toBe(false);
  });

  it('lets assistants answer from websites: linking one searches its collection', async () => {
    const website = await create();
    const collection = await h.core.collections.create(owner, spaceId, { name: 'Notes' });
    const assistant = await h.core.assistants.create(owner, spaceId, { name: 'Web helper', collectionIds: [collection.id], websiteIds: [website.id] });
    expect(assistant).toMatchObject({ collectionIds: [collection.id], websiteIds: [website.id] });
    expect((await h.core.assistants.get(owner, assistant.id)).websiteIds).toEqual([website.id]);
    const linked = await h.core.context.store.forTenant(owner.tenantId).collections.linkedTo(assistant.id);
    expect(linked.map((c) => c.id)).toEqual([collection.id, website.collectionId]);

    const otherSpace = (await h.core.spaces.create(owner, { name: 'Elsewhere' })).id;
    const elsewhere = await create({}, owner, otherSpace);
    const error = await expectAtriumError(h.core.assistants.update(owner, assistant.id, { websiteIds: [elsewhere.id] }), 'invalid');
    expect(error.details.errors).toEqual([{ path: 'websiteIds.0', message: 'No such website in this space' }]);

    await h.core.websites.delete(owner, website.id);
    expect((await h.core.assistants.get(owner, assistant.id)).websiteIds).toEqual([]);
  });
});

describe('recrawl back-off', () => {
  const run = (status: CrawlRun['status']) => ({ status }) as CrawlRun;
  it('doubles the wait per consecutive failure, up to 16 intervals', () => {
    expect(nextScheduledDelay(1000, [])).toBe(1000);
    expect(nextScheduledDelay(1000, [run('completed'), run('failed')])).toBe(1000);
    expect(nextScheduledDelay(1000, [run('failed'), run('completed')])).toBe(2000);
    expect(nextScheduledDelay(1000, [run('failed'), run('failed'), run('failed')])).toBe(8000);
    expect(nextScheduledDelay(1000, Array.from({ length: 9 }, () => run('failed')))).toBe(16_000);
  });
});

describe('the in-process scheduler', () => {
  it('fires at once and then every interval, replaces and removes schedules', async () => {
    const queue = recordingQueue();
    const scheduler = inProcessScheduler(queue);
    const job: ScheduledJob = { tenantId: 't', kind: 'recrawl_website', payload: { websiteId: 'w' } };
    await scheduler.upsert('website:w', 40, job);
    await scheduler.upsert('website:w', 40, job); // identical: left alone
    expect(queue.enqueued).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(queue.enqueued.length).toBeGreaterThanOrEqual(2);
    await scheduler.remove('website:w');
    const fired = queue.enqueued.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(queue.enqueued).toHaveLength(fired);
    expect(scheduler.keys).toEqual([]);
    scheduler.close();
  });
});
