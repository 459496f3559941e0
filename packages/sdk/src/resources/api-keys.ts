import type { PagePromise } from '../core/pagination.js';
import type { RequestOptions } from '../internal/request.js';
import { path } from '../internal/request.js';
import { APIResource, call, list } from '../internal/resource.js';
import type { ApiKey, ApiKeyCreateParams, CreatedApiKey, PageParams } from '../types.js';

/** API keys (`atr_sk_...`); the secret `key` is in `create`'s answer only. */
export class ApiKeys extends APIResource {
  list(query?: PageParams, options?: RequestOptions): PagePromise<ApiKey> {
    return list(this._transport, '/api/v1/api-keys', query, options);
  }
  create(body: ApiKeyCreateParams, options?: RequestOptions): Promise<CreatedApiKey> {
    return call(this._transport, 'POST', '/api/v1/api-keys', { body }, options);
  }
  /** Revokes the key at once. */
  delete(id: string, options?: RequestOptions): Promise<void> {
    return call(this._transport, 'DELETE', path`/api/v1/api-keys/${id}`, {}, options);
  }
}
