/**
 * Types of the routes API.md fixes but today's server does not serve yet (websites,
 * document retry, conversation export).
 * Hand-written from API.md; once a route appears in the OpenAPI document, its type moves
 * to types.ts as a name for the generated one (the coverage test lists these routes).
 */
import type { AcceptedDocument, Document, Job } from './types.js';

export type WebsiteSchedule = 'never' | 'daily' | 'weekly';

export interface WebsiteCreateParams {
  url: string;
  mode: 'crawl' | 'sitemap';
  maxPages?: number;
  maxDepth?: number;
  include?: string[];
  exclude?: string[];
  schedule?: WebsiteSchedule;
}
export type WebsiteUpdateParams = Partial<WebsiteCreateParams>;

export interface Website extends WebsiteCreateParams {
  id: string;
  spaceId: string;
  /** The collection that keeps the crawled pages. */
  collectionId: string;
  createdAt: string;
  updatedAt: string;
}

export interface WebsiteRun {
  id: string;
  websiteId: string;
  status: string;
  pagesCrawled: number;
  pagesNew: number;
  pagesUpdated: number;
  pagesUnchanged: number;
  pagesRemoved: number;
  pagesFailed: number;
  pagesSkipped: number;
  durationMs: number | null;
  progress?: number;
}

export interface CrawlStarted {
  run: WebsiteRun;
  job: Job | null;
}

/** `documents.retry`: the same shape as an upload's answer. */
export type RetriedDocument = AcceptedDocument;
export type WebsiteDocument = Document;

export interface ConversationExportParams {
  format: 'csv' | 'jsonl';
}
