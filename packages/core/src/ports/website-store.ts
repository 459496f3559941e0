import type { Page, PageRequest } from '../domain/pagination.js';
import type { CrawlFailure, CrawlProgress, CrawlRun, CrawlRunStatus, CrawlStats, Website, WebsitePage, WebsiteSchedule, WebsiteSettings } from '../domain/websites.js';

export type WebsitePatch = Partial<WebsiteSettings> & { now: Date };

export interface CrawlRunUpdate {
  status?: CrawlRunStatus;
  progress?: CrawlProgress;
  stats?: CrawlStats;
  failures?: CrawlFailure[];
  error?: string | null;
  startedAt?: Date | null;
  finishedAt?: Date | null;
}

export interface WebsiteRepositories {
  websites: {
    list(spaceId: string, page: PageRequest): Promise<Page<Website>>;
    get(id: string): Promise<Website | null>;
    /** The websites among `ids` that exist, in no particular order. */
    getMany(ids: string[]): Promise<Website[]>;
    create(website: Omit<Website, 'tenantId'>): Promise<Website>;
    update(id: string, patch: WebsitePatch): Promise<Website | null>;
  };
  crawlRuns: {
    /** Newest first. */
    list(websiteId: string, page: PageRequest): Promise<Page<CrawlRun>>;
    get(id: string): Promise<CrawlRun | null>;
    /** Creates the run unless the website has one queued or running (unique, even under concurrency): then null. */
    createUnlessActive(run: Omit<CrawlRun, 'tenantId'>): Promise<CrawlRun | null>;
    update(id: string, update: CrawlRunUpdate): Promise<CrawlRun | null>;
    /** Asks a running run to stop; a queued one is cancelled at once. Null when the run is not active. */
    requestCancel(id: string, now: Date): Promise<CrawlRun | null>;
  };
  websitePages: {
    /** Every page the crawler remembers of the website. */
    list(websiteId: string): Promise<WebsitePage[]>;
    upsert(page: WebsitePage): Promise<void>;
    delete(websiteId: string, url: string): Promise<void>;
  };
}

/** A website with a schedule, from any tenant: what a process restores its schedules from. */
export interface ScheduledWebsite {
  id: string;
  tenantId: string;
  schedule: WebsiteSchedule;
}

export interface WebsiteSystemRepository {
  /** Websites whose schedule is not `never`, after `afterId` (id order), at most `limit`. */
  scheduledWebsites(afterId: string | null, limit: number): Promise<ScheduledWebsite[]>;
}
