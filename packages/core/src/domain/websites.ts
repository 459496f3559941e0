/**
 * Websites: a site (or its sitemap) crawled into a collection of its own, and the crawl
 * runs that keep that collection current (ADR 0039).
 */

export const WEBSITE_MODES = ['crawl', 'sitemap'] as const;
export type WebsiteMode = (typeof WEBSITE_MODES)[number];

export const WEBSITE_SCHEDULES = ['never', 'daily', 'weekly'] as const;
export type WebsiteSchedule = (typeof WEBSITE_SCHEDULES)[number];

export const SCHEDULE_INTERVAL_MS: Record<Exclude<WebsiteSchedule, 'never'>, number> = {
  daily: 24 * 60 * 60 * 1000,
  weekly: 7 * 24 * 60 * 60 * 1000,
};

/** Pages one crawl fetches at most: the default, and what no website may exceed (Eneo's cap). */
export const MAX_PAGES = { default: 1_000, max: 20_000 } as const;
/** Link hops from the start page (crawl mode): the default, and the largest allowed. */
export const MAX_DEPTH = { default: 5, max: 50 } as const;
/** Include and exclude patterns per website, and the longest pattern. */
export const PATTERN_LIMITS = { count: 50, length: 500 } as const;

export interface Website {
  id: string;
  tenantId: string;
  spaceId: string;
  /** The collection that holds the crawled pages; created and deleted with the website. */
  collectionId: string;
  /** The start page (crawl) or the site or sitemap (sitemap), as checked at creation. */
  url: string;
  mode: WebsiteMode;
  maxPages: number;
  maxDepth: number;
  /** Glob patterns on the URL path: when any are given, only matching pages are crawled. */
  include: string[];
  /** Glob patterns on the URL path: matching pages are never crawled. */
  exclude: string[];
  schedule: WebsiteSchedule;
  /** Also download linked PDF and DOCX files as documents. */
  includeFiles: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What an editor sets on a website. */
export type WebsiteSettings = Pick<Website, 'url' | 'mode' | 'maxPages' | 'maxDepth' | 'include' | 'exclude' | 'schedule' | 'includeFiles'>;

export const CRAWL_RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type CrawlRunStatus = (typeof CRAWL_RUN_STATUSES)[number];
export const ACTIVE_RUN_STATUSES: readonly CrawlRunStatus[] = ['queued', 'running'];

export type CrawlTrigger = 'manual' | 'schedule';

/** Where a running crawl is. */
export interface CrawlProgress {
  /** Distinct in-scope URLs discovered so far. */
  found: number;
  /** Pages fetched so far (whatever the outcome). */
  fetched: number;
  /** Discovered and still waiting to be fetched. */
  queued: number;
}

/** What a crawl did; kept while it runs and final when it ends. */
export interface CrawlStats {
  /** Pages fetched successfully (not-modified answers included). */
  crawled: number;
  new: number;
  updated: number;
  unchanged: number;
  removed: number;
  failed: number;
  skippedRobots: number;
  /** Distinct URLs left out: another site, outside the start path, excluded, or too deep. */
  skippedScope: number;
  /** Pages whose content type is neither a web page nor (with includeFiles) PDF or DOCX. */
  skippedType: number;
  /** Pages that turned out to be another page (same canonical URL, redirect target or content). */
  duplicates: number;
  /** True when maxPages stopped the crawl before every in-scope page was reached. */
  limitReached: boolean;
}

export const emptyCrawlStats = (): CrawlStats => ({
  crawled: 0,
  new: 0,
  updated: 0,
  unchanged: 0,
  removed: 0,
  failed: 0,
  skippedRobots: 0,
  skippedScope: 0,
  skippedType: 0,
  duplicates: 0,
  limitReached: false,
});

/** A page a run could not read, and why (the first MAX_RUN_FAILURES of a run). */
export interface CrawlFailure {
  url: string;
  reason: string;
}

/** Failures a run lists; `stats.failed` counts them all. */
export const MAX_RUN_FAILURES = 50;

export interface CrawlRun {
  id: string;
  tenantId: string;
  websiteId: string;
  /** The `crawl_website` job that runs it. */
  jobId: string | null;
  status: CrawlRunStatus;
  trigger: CrawlTrigger;
  progress: CrawlProgress;
  stats: CrawlStats;
  /** The first pages that failed, with the reason, in the order they failed. */
  failures: CrawlFailure[];
  error: string | null;
  cancelRequested: boolean;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** What the crawler remembers of a page between runs, to send conditional requests and skip unchanged pages. */
export interface WebsitePage {
  websiteId: string;
  /** The page's normalised (canonical) URL: the key. */
  url: string;
  documentId: string | null;
  etag: string | null;
  lastModified: string | null;
  /** SHA-256 of the bytes last fetched: identical bytes are not extracted again. */
  bytesHash: string | null;
  /** In-scope links the page had (crawl mode), so a 304 or unchanged page still leads on. */
  links: string[];
  /** The run that last saw the page (reached it, or had it in the sitemap). */
  lastSeenRunId: string | null;
  updatedAt: Date;
}
