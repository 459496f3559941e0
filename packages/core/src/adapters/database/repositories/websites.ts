import { and, asc, desc, eq, gt, inArray, ne, sql } from 'drizzle-orm';
import type { CrawlRun, CrawlRunStatus, CrawlTrigger, Website, WebsiteMode, WebsiteSchedule } from '../../../domain/websites.js';
import type { ScheduledWebsite, WebsiteRepositories } from '../../../ports/index.js';
import type { AtriumDb } from '../connect.js';
import { crawlRuns, websitePages, websites } from '../schema/index.js';
import { afterId, beforeId, isId, toPage, type InTenant } from './shared.js';

type WebsiteRow = typeof websites.$inferSelect;
type RunRow = typeof crawlRuns.$inferSelect;

const toWebsite = (r: WebsiteRow): Website => ({
  id: r.id,
  tenantId: r.tenantId,
  spaceId: r.spaceId,
  collectionId: r.collectionId,
  url: r.url,
  mode: r.mode as WebsiteMode,
  maxPages: r.maxPages,
  maxDepth: r.maxDepth,
  include: r.include,
  exclude: r.exclude,
  schedule: r.schedule as WebsiteSchedule,
  includeFiles: r.includeFiles,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const toRun = (r: RunRow): CrawlRun => ({
  id: r.id,
  tenantId: r.tenantId,
  websiteId: r.websiteId,
  jobId: r.jobId,
  status: r.status as CrawlRunStatus,
  trigger: r.trigger as CrawlTrigger,
  progress: r.progress,
  stats: r.stats,
  failures: r.failures,
  error: r.error,
  cancelRequested: r.cancelRequested,
  createdAt: r.createdAt,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
});

const ACTIVE = sql`status in ('queued', 'running')`;

export const websiteRepositories = (db: AtriumDb, tenantId: string, inTenant: InTenant): WebsiteRepositories => ({
  websites: {
    async list(spaceId, page) {
      if (!isId(spaceId)) return { data: [], nextCursor: null };
      const rows = await db
        .select()
        .from(websites)
        .where(inTenant(websites, eq(websites.spaceId, spaceId), afterId(websites.id, page.cursor)))
        .orderBy(asc(websites.id))
        .limit(page.limit + 1);
      return toPage(rows.map(toWebsite), page, (w) => w.id);
    },
    async get(id) {
      if (!isId(id)) return null;
      const [row] = await db.select().from(websites).where(inTenant(websites, eq(websites.id, id)));
      return row ? toWebsite(row) : null;
    },
    async getMany(ids) {
      const valid = ids.filter(isId);
      if (valid.length === 0) return [];
      const rows = await db.select().from(websites).where(inTenant(websites, inArray(websites.id, valid)));
      return rows.map(toWebsite);
    },
    async create(w) {
      const [row] = await db
        .insert(websites)
        .values({ ...w, tenantId })
        .returning();
      return toWebsite(row!);
    },
    async update(id, { now, ...patch }) {
      if (!isId(id)) return null;
      const [row] = await db
        .update(websites)
        .set({ ...patch, updatedAt: now })
        .where(inTenant(websites, eq(websites.id, id)))
        .returning();
      return row ? toWebsite(row) : null;
    },
  },

  crawlRuns: {
    async list(websiteId, page) {
      if (!isId(websiteId)) return { data: [], nextCursor: null };
      // Newest first.
      const rows = await db
        .select()
        .from(crawlRuns)
        .where(inTenant(crawlRuns, eq(crawlRuns.websiteId, websiteId), beforeId(crawlRuns.id, page.cursor)))
        .orderBy(desc(crawlRuns.id))
        .limit(page.limit + 1);
      return toPage(rows.map(toRun), page, (r) => r.id);
    },
    async get(id) {
      if (!isId(id)) return null;
      const [row] = await db.select().from(crawlRuns).where(inTenant(crawlRuns, eq(crawlRuns.id, id)));
      return row ? toRun(row) : null;
    },
    async createUnlessActive(run) {
      // Two starts at once: the partial unique index lets one in, the other writes nothing.
      const [row] = await db
        .insert(crawlRuns)
        .values({ ...run, tenantId })
        .onConflictDoNothing({ target: crawlRuns.websiteId, where: ACTIVE })
        .returning();
      return row ? toRun(row) : null;
    },
    async update(id, update) {
      if (!isId(id)) return null;
      const [row] = await db.update(crawlRuns).set(update).where(inTenant(crawlRuns, eq(crawlRuns.id, id))).returning();
      return row ? toRun(row) : null;
    },
    async requestCancel(id, now) {
      if (!isId(id)) return null;
      const [row] = await db
        .update(crawlRuns)
        .set({
          cancelRequested: true,
          // Not started yet: nothing will notice the flag, so the run ends here.
          status: sql`case when ${crawlRuns.status} = 'queued' then 'cancelled' else ${crawlRuns.status} end`,
          finishedAt: sql`case when ${crawlRuns.status} = 'queued' then ${now.toISOString()}::timestamptz else ${crawlRuns.finishedAt} end`,
        })
        .where(inTenant(crawlRuns, eq(crawlRuns.id, id), ACTIVE))
        .returning();
      return row ? toRun(row) : null;
    },
  },

  websitePages: {
    async list(websiteId) {
      if (!isId(websiteId)) return [];
      const rows = await db.select().from(websitePages).where(inTenant(websitePages, eq(websitePages.websiteId, websiteId)));
      return rows.map(({ tenantId: _tenant, ...page }) => page);
    },
    async upsert(page) {
      const { websiteId: _w, url: _u, ...rest } = page;
      await db
        .insert(websitePages)
        .values({ ...page, tenantId })
        .onConflictDoUpdate({ target: [websitePages.websiteId, websitePages.url], set: rest, setWhere: eq(websitePages.tenantId, tenantId) });
    },
    async delete(websiteId, url) {
      if (!isId(websiteId)) return;
      await db.delete(websitePages).where(inTenant(websitePages, eq(websitePages.websiteId, websiteId), eq(websitePages.url, url)));
    },
  },
});

export const websiteSystemRepository = (db: AtriumDb) => ({
  async scheduledWebsites(afterId: string | null, limit: number): Promise<ScheduledWebsite[]> {
    const rows = await db
      .select({ id: websites.id, tenantId: websites.tenantId, schedule: websites.schedule })
      .from(websites)
      .where(and(ne(websites.schedule, 'never'), afterId ? gt(websites.id, afterId) : undefined))
      .orderBy(asc(websites.id))
      .limit(limit);
    return rows.map((r) => ({ ...r, schedule: r.schedule as WebsiteSchedule }));
  },
});
