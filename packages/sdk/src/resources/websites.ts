import type { PagePromise } from '../core/pagination.js';
import type { RequestOptions, TransportConfig } from '../internal/request.js';
import { path } from '../internal/request.js';
import { APIResource, call, list } from '../internal/resource.js';
import type {
  CrawlStarted,
  PageParams,
  Website,
  WebsiteCreateParams,
  WebsiteDocument,
  WebsiteDocumentListParams,
  WebsiteRun,
  WebsiteUpdateParams,
} from '../types.js';

/** A website's crawl runs, newest first: live `progress` while one runs, final `stats` after. */
export class WebsiteRuns extends APIResource {
  list(websiteId: string, query?: PageParams, options?: RequestOptions): PagePromise<WebsiteRun> {
    return list(this._transport, path`/api/v1/websites/${websiteId}/runs`, query, options);
  }
  /** Stops a queued or running crawl (an ended run is returned as it is). */
  cancel(websiteId: string, runId: string, options?: RequestOptions): Promise<WebsiteRun> {
    return call(this._transport, 'POST', path`/api/v1/websites/${websiteId}/runs/${runId}/cancel`, {}, options);
  }
}

/** The pages a website's crawls produced (documents of its own collection). */
export class WebsiteDocuments extends APIResource {
  list(websiteId: string, query?: PageParams & WebsiteDocumentListParams, options?: RequestOptions): PagePromise<WebsiteDocument> {
    return list(this._transport, path`/api/v1/websites/${websiteId}/documents`, query, options);
  }
}

/**
 * Websites crawled into knowledge: each keeps its pages as documents of its own collection
 * (`collectionId`), which assistants link as `websiteIds` (see docs/websites.md).
 */
export class Websites extends APIResource {
  readonly runs: WebsiteRuns;
  readonly documents: WebsiteDocuments;

  constructor(transport: TransportConfig) {
    super(transport);
    this.runs = new WebsiteRuns(transport);
    this.documents = new WebsiteDocuments(transport);
  }

  list(spaceId: string, query?: PageParams, options?: RequestOptions): PagePromise<Website> {
    return list(this._transport, path`/api/v1/spaces/${spaceId}/websites`, query, options);
  }
  create(spaceId: string, body: WebsiteCreateParams, options?: RequestOptions): Promise<Website> {
    return call(this._transport, 'POST', path`/api/v1/spaces/${spaceId}/websites`, { body }, options);
  }
  retrieve(websiteId: string, options?: RequestOptions): Promise<Website> {
    return call(this._transport, 'GET', path`/api/v1/websites/${websiteId}`, {}, options);
  }
  update(websiteId: string, body: WebsiteUpdateParams, options?: RequestOptions): Promise<Website> {
    return call(this._transport, 'PATCH', path`/api/v1/websites/${websiteId}`, { body }, options);
  }
  delete(websiteId: string, options?: RequestOptions): Promise<void> {
    return call(this._transport, 'DELETE', path`/api/v1/websites/${websiteId}`, {}, options);
  }
  /** Starts a crawl now (202); a website being crawled already answers 409 (`crawl_running`). */
  crawl(websiteId: string, options?: RequestOptions): Promise<CrawlStarted> {
    return call(this._transport, 'POST', path`/api/v1/websites/${websiteId}/crawl`, {}, options);
  }
}
