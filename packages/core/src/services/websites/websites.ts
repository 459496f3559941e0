import { AtriumError, conflict, notFound, type FieldError } from '../../domain/errors.js';
import type { Actor } from '../../domain/identity.js';
import type { Job } from '../../domain/jobs.js';
import type { DocumentStatus, KnowledgeDocument } from '../../domain/knowledge.js';
import type { Page, PageRequest } from '../../domain/pagination.js';
import type { SpaceAction } from '../../domain/policy.js';
import {
  emptyCrawlStats,
  MAX_DEPTH,
  MAX_PAGES,
  PATTERN_LIMITS,
  SCHEDULE_INTERVAL_MS,
  WEBSITE_MODES,
  WEBSITE_SCHEDULES,
  type CrawlRun,
  type CrawlTrigger,
  type Website,
  type WebsiteMode,
  type WebsiteSettings,
} from '../../domain/websites.js';
import type { TenantRepositories } from '../../ports/index.js';
import type { CoreContext } from '../context.js';
import { recordJob, toQueued } from '../jobs/jobs.js';
import { createCollection } from '../knowledge/collections.js';
import { requireInSpace, requireSpace } from '../shared/access.js';
import { assertValid } from '../shared/validation.js';
import { normalizeUrl, validPattern } from './urls.js';

export type WebsiteInput = Partial<WebsiteSettings>;

export interface WebsiteView extends Website {
  /** The latest run, if any (with live progress while it runs). */
  lastRun: CrawlRun | null;
}

export interface StartedCrawl {
  run: CrawlRun;
  job: Job;
}

/** Loads a website and checks the actor may do `action` in its space; invisible ones are absent. */
export const requireWebsite = async (repos: TenantRepositories, actor: Actor, websiteId: string, action: SpaceAction): Promise<Website> =>
  requireInSpace(repos, actor, await repos.websites.get(websiteId), 'Website', action);

const intIn = (value: number | undefined, range: { max: number }, min: number, path: string): FieldError | null =>
  value === undefined || (Number.isInteger(value) && value >= min && value <= range.max)
    ? null
    : { path, message: `Must be an integer from ${min} to ${range.max}` };

const checkPatterns = (patterns: string[] | undefined, path: string): FieldError[] => {
  if (patterns === undefined) return [];
  if (patterns.length > PATTERN_LIMITS.count) return [{ path, message: `At most ${PATTERN_LIMITS.count} patterns` }];
  return patterns.flatMap((p, i) =>
    p.trim() === '' || p.length > PATTERN_LIMITS.length || !validPattern(p)
      ? [{ path: `${path}.${i}`, message: `Must be a glob pattern on the URL path (e.g. /blog/**), at most ${PATTERN_LIMITS.length} characters` }]
      : [],
  );
};

const checkInput = (input: WebsiteInput): void =>
  assertValid([
    input.mode !== undefined && !WEBSITE_MODES.includes(input.mode) ? { path: 'mode', message: `Must be one of ${WEBSITE_MODES.join(', ')}` } : null,
    input.schedule !== undefined && !WEBSITE_SCHEDULES.includes(input.schedule)
      ? { path: 'schedule', message: `Must be one of ${WEBSITE_SCHEDULES.join(', ')}` }
      : null,
    intIn(input.maxPages, MAX_PAGES, 1, 'maxPages'),
    intIn(input.maxDepth, MAX_DEPTH, 0, 'maxDepth'),
    ...checkPatterns(input.include, 'include'),
    ...checkPatterns(input.exclude, 'exclude'),
  ]);

/** The address as the fetcher will reach it, or a 422 naming why it will not (SSRF, scheme, DNS). */
const checkUrl = async (ctx: CoreContext, url: string): Promise<string> => {
  const verdict = await ctx.web.check(url);
  if (!verdict.ok) throw new AtriumError('invalid', 'url_refused', `This address cannot be crawled: ${verdict.message}`, {
    errors: [{ path: 'url', message: `${verdict.reason}: ${verdict.message}` }],
  });
  const normal = normalizeUrl(verdict.url);
  if (!normal) throw new AtriumError('invalid', 'validation_failed', 'The request is invalid', { errors: [{ path: 'url', message: 'Must be an http(s) URL' }] });
  return normal;
};

const scheduleKey = (websiteId: string) => `website:${websiteId}`;

/**
 * What the website routes do to the scheduler: best effort. The website is what counts; a
 * schedule the scheduler missed (Redis down at that moment) is written again by the
 * periodic `restoreSchedules` of every process that runs jobs, and a schedule left behind
 * drops itself at its next tick.
 */
const syncScheduleSoon = (ctx: CoreContext, website: Pick<Website, 'id' | 'tenantId' | 'schedule'>): Promise<void> =>
  syncSchedule(ctx, website).catch(() => {});

/** Makes the scheduler agree with the website's schedule (a tick every day or week, or none). */
export const syncSchedule = async (ctx: CoreContext, website: Pick<Website, 'id' | 'tenantId' | 'schedule'>): Promise<void> => {
  const key = scheduleKey(website.id);
  if (website.schedule === 'never') return ctx.scheduler.remove(key);
  await ctx.scheduler.upsert(key, SCHEDULE_INTERVAL_MS[website.schedule], {
    tenantId: website.tenantId,
    kind: 'recrawl_website',
    payload: { websiteId: website.id },
  });
};

const withLastRun = async (repos: TenantRepositories, website: Website): Promise<WebsiteView> => {
  const { data } = await repos.crawlRuns.list(website.id, { limit: 1 });
  return { ...website, lastRun: data[0] ?? null };
};

const collectionNameFor = (url: string): string => {
  const u = new URL(url);
  return `${u.host}${u.pathname === '/' ? '' : u.pathname}`.slice(0, 200);
};

/**
 * Adds a website to a space with a collection of its own for its pages. Its address is
 * checked by the fetcher first (a refused one is a 422 with the reason); nothing is
 * crawled until a crawl is started (or its schedule fires).
 */
export const createWebsite = async (
  ctx: CoreContext,
  actor: Actor,
  spaceId: string,
  input: WebsiteInput & { url: string; mode: WebsiteMode },
): Promise<WebsiteView> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  await requireSpace(repos, actor, spaceId, 'knowledge.write');
  checkInput(input);
  const url = await checkUrl(ctx, input.url);
  const website = await ctx.store.transaction(async (tx) => {
    const collection = await createCollection({ ...ctx, store: tx }, actor, spaceId, {
      name: collectionNameFor(url),
      description: `Pages crawled from ${url}`,
    });
    const now = ctx.clock.now();
    return tx.forTenant(actor.tenantId).websites.create({
      id: ctx.ids.next(),
      spaceId,
      collectionId: collection.id,
      url,
      mode: input.mode,
      maxPages: input.maxPages ?? MAX_PAGES.default,
      maxDepth: input.maxDepth ?? MAX_DEPTH.default,
      include: input.include ?? [],
      exclude: input.exclude ?? [],
      schedule: input.schedule ?? 'never',
      includeFiles: input.includeFiles ?? false,
      createdAt: now,
      updatedAt: now,
    });
  });
  await syncScheduleSoon(ctx, website);
  return { ...website, lastRun: null };
};

export const listWebsites = async (ctx: CoreContext, actor: Actor, spaceId: string, page: PageRequest): Promise<Page<WebsiteView>> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  await requireSpace(repos, actor, spaceId, 'knowledge.read');
  const result = await repos.websites.list(spaceId, page);
  return { data: await Promise.all(result.data.map((w) => withLastRun(repos, w))), nextCursor: result.nextCursor };
};

export const getWebsite = async (ctx: CoreContext, actor: Actor, websiteId: string): Promise<WebsiteView> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  return withLastRun(repos, await requireWebsite(repos, actor, websiteId, 'knowledge.read'));
};

/** Changes take effect from the next crawl; a new schedule at once. */
export const updateWebsite = async (ctx: CoreContext, actor: Actor, websiteId: string, input: WebsiteInput): Promise<WebsiteView> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const website = await requireWebsite(repos, actor, websiteId, 'knowledge.write');
  checkInput(input);
  const url = input.url !== undefined && input.url !== website.url ? await checkUrl(ctx, input.url) : undefined;
  const changes = Object.fromEntries(Object.entries({ ...input, url }).filter(([, value]) => value !== undefined)) as WebsiteInput;
  const updated = await repos.websites.update(websiteId, { ...changes, now: ctx.clock.now() });
  if (!updated) throw notFound('Website');
  if (updated.schedule !== website.schedule) await syncScheduleSoon(ctx, updated);
  return withLastRun(repos, updated);
};

/** Deletes the website with its collection, pages, chunks and runs; a running crawl stops. */
export const deleteWebsite = async (ctx: CoreContext, actor: Actor, websiteId: string): Promise<void> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const website = await requireWebsite(repos, actor, websiteId, 'knowledge.write');
  // The crawl notices its run is gone at its next check and stops.
  await repos.collections.delete(website.collectionId);
  await syncScheduleSoon(ctx, { ...website, schedule: 'never' });
};

/**
 * Records a run and its `crawl_website` job in one transaction, then queues the job. A
 * website with a run already queued or running gets a 409 (`crawl_running`).
 */
export const startRun = async (ctx: CoreContext, website: Website, trigger: CrawlTrigger): Promise<StartedCrawl> => {
  const started = await ctx.store.transaction(async (tx) => {
    const runId = ctx.ids.next();
    const job = await recordJob(ctx, tx, website.tenantId, website.spaceId, 'crawl_website', { websiteId: website.id, runId });
    const run = await tx.forTenant(website.tenantId).crawlRuns.createUnlessActive({
      id: runId,
      websiteId: website.id,
      jobId: job.id,
      status: 'queued',
      trigger,
      progress: { found: 0, fetched: 0, queued: 0 },
      stats: emptyCrawlStats(),
      failures: [],
      error: null,
      cancelRequested: false,
      createdAt: ctx.clock.now(),
      startedAt: null,
      finishedAt: null,
    });
    // Thrown inside the transaction, so the job row goes too.
    if (!run) throw conflict('crawl_running', 'This website is being crawled already; cancel that run or wait for it');
    return { run, job };
  });
  await ctx.queue.enqueue(toQueued(started.job)).catch(() => {});
  return started;
};

export const startCrawl = async (ctx: CoreContext, actor: Actor, websiteId: string): Promise<StartedCrawl> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const website = await requireWebsite(repos, actor, websiteId, 'knowledge.write');
  return startRun(ctx, website, 'manual');
};

export const listCrawlRuns = async (ctx: CoreContext, actor: Actor, websiteId: string, page: PageRequest): Promise<Page<CrawlRun>> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  await requireWebsite(repos, actor, websiteId, 'knowledge.read');
  return repos.crawlRuns.list(websiteId, page);
};

/**
 * Stops a queued or running crawl (a running one at its next check). A run that has ended
 * is returned as it is: cancelling is idempotent, so a retried request is not an error.
 */
export const cancelCrawlRun = async (ctx: CoreContext, actor: Actor, websiteId: string, runId: string): Promise<CrawlRun> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  await requireWebsite(repos, actor, websiteId, 'knowledge.write');
  const run = await repos.crawlRuns.get(runId);
  if (!run || run.websiteId !== websiteId) throw notFound('Crawl run');
  return (await repos.crawlRuns.requestCancel(runId, ctx.clock.now())) ?? run;
};

export const listWebsiteDocuments = async (
  ctx: CoreContext,
  actor: Actor,
  websiteId: string,
  page: PageRequest,
  filter: { status?: DocumentStatus },
): Promise<Page<KnowledgeDocument>> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const website = await requireWebsite(repos, actor, websiteId, 'knowledge.read');
  return repos.documents.list(website.collectionId, page, filter);
};
