import type { RequestOptions } from '../internal/request.js';
import { APIResource, call } from '../internal/resource.js';
import type { ModelCatalog, UsageParams, UsageReport } from '../types.js';

/** The completion and embedding models the server is configured with. */
export class Models extends APIResource {
  list(options?: RequestOptions): Promise<ModelCatalog> {
    return call(this._transport, 'GET', '/api/v1/models', {}, options);
  }
}

/** Tokens and messages per assistant over a period. */
export class Usage extends APIResource {
  retrieve(query?: UsageParams, options?: RequestOptions): Promise<UsageReport> {
    return call(this._transport, 'GET', '/api/v1/usage', { query }, options);
  }
}
