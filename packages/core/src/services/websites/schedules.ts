import { isAtriumError } from '../../domain/errors.js';
import { SCHEDULE_INTERVAL_MS, type CrawlRun } from '../../domain/websites.js';
import type { QueuedJob } from '../../ports/index.js';
import type { CoreContext } from '../context.js';
import { startRun, syncSchedule } from './websites.js';

/** Consecutive failed runs double the wait before the next scheduled one, up to this many times. */
const MAX_BACKOFF_DOUBLINGS = 4;
/** Ticks come a little early or late; a run this close to the interval counts as due. */
const SLACK = 0.9;

/**
 * How long after `runs[0]` the next scheduled crawl is due: one interval, doubled per
 * consecutive failure (so a failing site is retried ever more rarely, not hot).
 */
export const nextScheduledDelay = (intervalMs: number, runs: readonly CrawlRun[]): number => {
  let failures = 0;
  while (failures < runs.length && runs[failures]!.status === 'failed') failures++;
  return intervalMs * 2 ** Math.min(failures, MAX_BACKOFF_DOUBLINGS);
};

/**
 * A schedule's tick (`recrawl_website`): starts a crawl when one is due. Idempotent: a tick
 * that comes early (a restart restores schedules, which fire at once), finds a crawl
 * running, or finds the website gone or unscheduled does nothing (and drops a stale schedule).
 */
export const recrawlOnSchedule = async (ctx: CoreContext, job: QueuedJob): Promise<void> => {
  const repos = ctx.store.forTenant(job.tenantId);
  const websiteId = String(job.payload.websiteId);
  const website = await repos.websites.get(websiteId);
  if (!website || website.schedule === 'never') {
    await syncSchedule(ctx, { id: websiteId, tenantId: job.tenantId, schedule: 'never' });
    return;
  }
  const { data: recent } = await repos.crawlRuns.list(websiteId, { limit: MAX_BACKOFF_DOUBLINGS + 1 });
  const last = recent[0];
  if (last && ctx.clock.now().getTime() - last.createdAt.getTime() < SLACK * nextScheduledDelay(SCHEDULE_INTERVAL_MS[website.schedule], recent)) return;
  try {
    await startRun(ctx, website, 'schedule');
  } catch (error) {
    if (isAtriumError(error) && error.code === 'crawl_running') return;
    throw error;
  }
};

/** Registers every website's schedule again (at start of a process that runs jobs). */
export const restoreSchedules = async (ctx: CoreContext): Promise<number> => {
  let after: string | null = null;
  let count = 0;
  for (;;) {
    const batch = await ctx.store.system.scheduledWebsites(after, 500);
    for (const website of batch) await syncSchedule(ctx, website);
    count += batch.length;
    if (batch.length < 500) return count;
    after = batch.at(-1)!.id;
  }
};
