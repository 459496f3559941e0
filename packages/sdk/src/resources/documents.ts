import { DocumentFailedError, DocumentWaitTimeoutError } from '../core/errors.js';
import type { PagePromise } from '../core/pagination.js';
import { uploadForm, type Uploadable } from '../core/uploads.js';
import type { RequestOptions, TransportConfig } from '../internal/request.js';
import { path } from '../internal/request.js';
import { APIResource, call, list } from '../internal/resource.js';
import { sleep } from '../internal/retry.js';
import type { AcceptedDocument, Chunk, Document, DocumentListParams, PageParams, RetriedDocument } from '../types.js';

/** A document from text, from a URL the server fetches, or from a file's bytes. */
export type DocumentCreateParams =
  | { title: string; text: string }
  | { url: string; title?: string }
  | { file: Blob; filename?: string; title?: string }
  | { file: Uint8Array | ArrayBuffer; filename: string; title?: string };

export interface WaitOptions {
  /** Give up after this many milliseconds (default 120 000). */
  timeout?: number;
  /** Milliseconds between polls (default 1 000). */
  pollInterval?: number;
}

/** A document's chunks: the pieces search and chat retrieve. */
export class Chunks extends APIResource {
  list(documentId: string, query?: PageParams, options?: RequestOptions): PagePromise<Chunk> {
    return list(this._transport, path`/api/v1/documents/${documentId}/chunks`, query, options);
  }
}

export class Documents extends APIResource {
  readonly chunks: Chunks;

  constructor(transport: TransportConfig) {
    super(transport);
    this.chunks = new Chunks(transport);
  }

  list(collectionId: string, query?: DocumentListParams, options?: RequestOptions): PagePromise<Document> {
    return list(this._transport, path`/api/v1/collections/${collectionId}/documents`, query, options);
  }

  /** Accepted for ingestion (202): poll with `waitUntilReady`, or watch `job`. */
  async create(collectionId: string, body: DocumentCreateParams, options?: RequestOptions): Promise<AcceptedDocument> {
    const payload = 'file' in body ? uploadForm(body.file as Uploadable, body.filename, body.title) : body;
    return call(this._transport, 'POST', path`/api/v1/collections/${collectionId}/documents`, { body: payload }, options);
  }

  retrieve(documentId: string, options?: RequestOptions): Promise<Document> {
    return call(this._transport, 'GET', path`/api/v1/documents/${documentId}`, {}, options);
  }

  delete(documentId: string, options?: RequestOptions): Promise<void> {
    return call(this._transport, 'DELETE', path`/api/v1/documents/${documentId}`, {}, options);
  }

  /** Ingests a `failed` document again (409 otherwise). */
  retry(documentId: string, options?: RequestOptions): Promise<RetriedDocument> {
    return call(this._transport, 'POST', path`/api/v1/documents/${documentId}/retry`, {}, options);
  }

  /**
   * Polls until the document is `ready` and returns it. Throws DocumentFailedError (with
   * the document's `error`) when ingestion fails, DocumentWaitTimeoutError past `timeout`.
   */
  async waitUntilReady(documentId: string, wait: WaitOptions = {}, options?: RequestOptions): Promise<Document> {
    const { timeout = 120_000, pollInterval = 1_000 } = wait;
    const deadline = Date.now() + timeout;
    for (;;) {
      const document = await this.retrieve(documentId, options);
      if (document.status === 'ready') return document;
      if (document.status === 'failed') throw new DocumentFailedError(document);
      if (Date.now() + pollInterval > deadline) throw new DocumentWaitTimeoutError(document);
      await sleep(pollInterval, options?.signal);
    }
  }
}
