import type { PagePromise } from '../core/pagination.js';
import type { RequestOptions } from '../internal/request.js';
import { path } from '../internal/request.js';
import { APIResource, call, list } from '../internal/resource.js';
import type {
  Collection,
  CollectionCreateParams,
  CollectionUpdateParams,
  PageParams,
  SearchParams,
  SearchResults,
  UpdatedCollection,
} from '../types.js';

export class Collections extends APIResource {
  list(spaceId: string, query?: PageParams, options?: RequestOptions): PagePromise<Collection> {
    return list(this._transport, path`/api/v1/spaces/${spaceId}/collections`, query, options);
  }
  /** The embedding model is pinned for the collection's life. */
  create(spaceId: string, body: CollectionCreateParams, options?: RequestOptions): Promise<Collection> {
    return call(this._transport, 'POST', path`/api/v1/spaces/${spaceId}/collections`, { body }, options);
  }
  retrieve(collectionId: string, options?: RequestOptions): Promise<Collection> {
    return call(this._transport, 'GET', path`/api/v1/collections/${collectionId}`, {}, options);
  }
  /**
   * A new `language` re-indexes the collection in the background: the answer's `job`
   * (follow it with `jobs.retrieve`); search keeps working meanwhile.
   */
  update(collectionId: string, body: CollectionUpdateParams, options?: RequestOptions): Promise<UpdatedCollection> {
    return call(this._transport, 'PATCH', path`/api/v1/collections/${collectionId}`, { body }, options);
  }
  delete(collectionId: string, options?: RequestOptions): Promise<void> {
    return call(this._transport, 'DELETE', path`/api/v1/collections/${collectionId}`, {}, options);
  }
  /** Hybrid (default), vector or keyword search over the collection's chunks. */
  search(collectionId: string, body: SearchParams, options?: RequestOptions): Promise<SearchResults> {
    return call(this._transport, 'POST', path`/api/v1/collections/${collectionId}/search`, { body }, options);
  }
}
