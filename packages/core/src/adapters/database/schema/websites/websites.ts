import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { CrawlFailure, CrawlProgress, CrawlStats } from '../../../../domain/websites.js';
import { at, createdAt, id, updatedAt } from '../columns.js';
import { spaceOwner, tenantOwner } from '../owners.js';
import { assistants } from '../assistants/assistants.js';
import { collections } from '../knowledge/collections.js';
import { documents } from '../knowledge/documents.js';

/** A website crawled into its own collection (ADR 0039); deleting the collection deletes it. */
export const websites = pgTable(
  'websites',
  {
    id: id(),
    tenantId: tenantOwner(),
    spaceId: spaceOwner(),
    collectionId: uuid('collection_id')
      .notNull()
      .references(() => collections.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    mode: text('mode').notNull(),
    maxPages: integer('max_pages').notNull(),
    maxDepth: integer('max_depth').notNull(),
    include: text('include').array().notNull(),
    exclude: text('exclude').array().notNull(),
    schedule: text('schedule').notNull(),
    includeFiles: boolean('include_files').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('websites_space_idx').on(t.tenantId, t.spaceId, t.id),
    uniqueIndex('websites_collection_unique').on(t.collectionId),
    // Schedules are restored at start from the websites that have one.
    index('websites_scheduled_idx').on(t.schedule).where(sql`${t.schedule} <> 'never'`),
    check('websites_mode_check', sql`${t.mode} in ('crawl', 'sitemap')`),
    check('websites_schedule_check', sql`${t.schedule} in ('never', 'daily', 'weekly')`),
  ],
);

/** One crawl of a website: its progress while it runs, its stats when it ends. */
export const crawlRuns = pgTable(
  'crawl_runs',
  {
    id: id(),
    tenantId: tenantOwner(),
    websiteId: uuid('website_id')
      .notNull()
      .references(() => websites.id, { onDelete: 'cascade' }),
    jobId: uuid('job_id'),
    status: text('status').notNull(),
    trigger: text('trigger').notNull(),
    progress: jsonb('progress').$type<CrawlProgress>().notNull(),
    stats: jsonb('stats').$type<CrawlStats>().notNull(),
    failures: jsonb('failures').$type<CrawlFailure[]>().notNull().default([]),
    error: text('error'),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    createdAt: createdAt(),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
  },
  (t) => [
    index('crawl_runs_website_idx').on(t.tenantId, t.websiteId, t.id),
    // One crawl at a time per website: a second start while one is queued or running is a conflict.
    uniqueIndex('crawl_runs_one_active').on(t.websiteId).where(sql`${t.status} in ('queued', 'running')`),
    check('crawl_runs_status_check', sql`${t.status} in ('queued', 'running', 'completed', 'failed', 'cancelled')`),
  ],
);

/** What the crawler remembers of each page between runs (validators, hashes, links). */
export const websitePages = pgTable(
  'website_pages',
  {
    websiteId: uuid('website_id')
      .notNull()
      .references(() => websites.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    tenantId: tenantOwner(),
    documentId: uuid('document_id').references(() => documents.id, { onDelete: 'set null' }),
    etag: text('etag'),
    lastModified: text('last_modified'),
    bytesHash: text('bytes_hash'),
    links: text('links').array().notNull(),
    lastSeenRunId: uuid('last_seen_run_id'),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ name: 'website_pages_pk', columns: [t.websiteId, t.url] }), index('website_pages_document_idx').on(t.documentId)],
);

/** The websites an assistant answers from (through their collections). */
export const assistantWebsites = pgTable(
  'assistant_websites',
  {
    assistantId: uuid('assistant_id')
      .notNull()
      .references(() => assistants.id, { onDelete: 'cascade' }),
    websiteId: uuid('website_id')
      .notNull()
      .references(() => websites.id, { onDelete: 'cascade' }),
    tenantId: tenantOwner(),
    position: integer('position').notNull(),
  },
  (t) => [
    primaryKey({ name: 'assistant_websites_pk', columns: [t.assistantId, t.websiteId] }),
    index('assistant_websites_website_idx').on(t.websiteId),
  ],
);
