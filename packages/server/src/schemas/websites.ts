import { z } from '@hono/zod-openapi';
import {
  CRAWL_RUN_STATUSES,
  MAX_DEPTH,
  MAX_PAGES,
  PATTERN_LIMITS,
  WEBSITE_MODES,
  WEBSITE_SCHEDULES,
  type CrawlRun,
  type WebsiteView,
} from '@atrium/core';
import { iso, isoOrNull } from './common.js';

// The limits mirror core's checks (services/websites/websites.ts), so the document is
// honest about what is accepted; core validates again for callers that skip HTTP.

const ProgressSchema = z
  .object({
    found: z.number().int().openapi({ description: 'Distinct in-scope URLs discovered so far' }),
    fetched: z.number().int().openapi({ description: 'Pages fetched so far, whatever the outcome' }),
    queued: z.number().int().openapi({ description: 'Discovered and still waiting to be fetched' }),
  })
  .openapi('CrawlProgress');

const StatsSchema = z
  .object({
    crawled: z.number().int().openapi({ description: 'Pages fetched successfully (not-modified answers included)' }),
    new: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int().openapi({ description: 'Not modified, or the same bytes or text as before: not embedded again' }),
    removed: z.number().int().openapi({ description: 'Pages gone from the site (404/410, or not reached by a complete crawl)' }),
    failed: z.number().int(),
    skipped: z.number().int().openapi({ description: 'Left out, for any reason: skippedRobots + skippedScope + skippedType' }),
    skippedRobots: z.number().int().openapi({ description: 'Disallowed by robots.txt: never fetched' }),
    skippedScope: z.number().int().openapi({ description: 'Another site, outside the start path, excluded by a pattern, or deeper than maxDepth' }),
    skippedType: z.number().int().openapi({ description: 'Neither a web page nor (with includeFiles) a PDF or DOCX file' }),
    duplicates: z.number().int().openapi({ description: 'Another page already (same canonical URL, redirect target or text)' }),
    limitReached: z.boolean().openapi({ description: 'maxPages stopped the crawl before every in-scope page was reached' }),
  })
  .openapi('CrawlStats');

export const CrawlRunSchema = z
  .object({
    id: z.string(),
    websiteId: z.string(),
    jobId: z.string().nullable().openapi({ description: 'The `crawl_website` job (GET /api/v1/jobs/{jobId})' }),
    status: z.enum(CRAWL_RUN_STATUSES),
    trigger: z.enum(['manual', 'schedule']),
    progress: ProgressSchema.openapi({ description: 'Live while the run is queued or running; final afterwards' }),
    stats: StatsSchema,
    failures: z
      .array(z.object({ url: z.string(), reason: z.string() }).openapi('CrawlFailure'))
      .openapi({ description: 'The first 50 pages the run could not read, with the reason (`stats.failed` counts them all)' }),
    error: z.string().nullable(),
    cancelRequested: z.boolean(),
    durationMs: z.number().int().nullable().openapi({ description: 'From start to end (null until the run ends)' }),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi('CrawlRun');

const patterns = (what: string) =>
  z
    .array(z.string().min(1).max(PATTERN_LIMITS.length))
    .max(PATTERN_LIMITS.count)
    .openapi({ description: `Glob patterns on the URL path (e.g. \`/blog/**\`, \`**/*.html\`): ${what}` });

const websiteFields = {
  url: z.string().min(1).max(2000).openapi({
    description:
      'crawl: the start page (pages at or under its path are in scope). sitemap: the site, or its sitemap (XML, sitemap index, or gzipped). Checked at creation: private, loopback and metadata addresses are refused (422).',
    example: 'https://docs.example.com/',
  }),
  mode: z.enum(WEBSITE_MODES).openapi({ description: '`crawl` follows links within scope; `sitemap` reads the sitemaps' }),
  maxPages: z.number().int().min(1).max(MAX_PAGES.max).openapi({ description: `Pages one crawl fetches at most (default ${MAX_PAGES.default})` }),
  maxDepth: z.number().int().min(0).max(MAX_DEPTH.max).openapi({ description: `Link hops from the start page, crawl mode (default ${MAX_DEPTH.default})` }),
  include: patterns('when any are given, only matching pages are kept and followed (the start page is always read)'),
  exclude: patterns('matching pages are never fetched'),
  schedule: z.enum(WEBSITE_SCHEDULES).openapi({ description: 'Recrawls: `daily`, `weekly`, or `never` (the default)' }),
  includeFiles: z.boolean().openapi({ description: 'Also download linked (or listed) PDF and DOCX files as documents (default false)' }),
};

export const CreateWebsiteSchema = z
  .object(websiteFields)
  .partial()
  .extend({ url: websiteFields.url, mode: websiteFields.mode })
  .openapi('CreateWebsite');

export const UpdateWebsiteSchema = z.object(websiteFields).partial().openapi('UpdateWebsite');

export const WebsiteSchema = z
  .object({
    id: z.string(),
    spaceId: z.string(),
    collectionId: z.string().openapi({ description: 'The collection holding the crawled pages (search it, or link the website to assistants)' }),
    url: z.string(),
    mode: z.enum(WEBSITE_MODES),
    maxPages: z.number().int(),
    maxDepth: z.number().int(),
    include: z.array(z.string()),
    exclude: z.array(z.string()),
    schedule: z.enum(WEBSITE_SCHEDULES),
    includeFiles: z.boolean(),
    // The latest crawl run, if any. A union, not `.nullable()`: that would make the CrawlRun
    // component itself nullable in the document.
    lastRun: z.union([CrawlRunSchema, z.null()]).openapi({ description: 'The latest crawl run, if any' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Website');

export const crawlRunJson = (r: CrawlRun) => ({
  id: r.id,
  websiteId: r.websiteId,
  jobId: r.jobId,
  status: r.status,
  trigger: r.trigger,
  progress: r.progress,
  stats: { ...r.stats, skipped: r.stats.skippedRobots + r.stats.skippedScope + r.stats.skippedType },
  failures: r.failures,
  error: r.error,
  cancelRequested: r.cancelRequested,
  durationMs: r.startedAt && r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
  createdAt: iso(r.createdAt),
  startedAt: isoOrNull(r.startedAt),
  finishedAt: isoOrNull(r.finishedAt),
});

export const websiteJson = (w: WebsiteView) => ({
  id: w.id,
  spaceId: w.spaceId,
  collectionId: w.collectionId,
  url: w.url,
  mode: w.mode,
  maxPages: w.maxPages,
  maxDepth: w.maxDepth,
  include: w.include,
  exclude: w.exclude,
  schedule: w.schedule,
  includeFiles: w.includeFiles,
  lastRun: w.lastRun && crawlRunJson(w.lastRun),
  createdAt: iso(w.createdAt),
  updatedAt: iso(w.updatedAt),
});
