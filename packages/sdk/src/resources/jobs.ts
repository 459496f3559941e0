import type { RequestOptions } from '../internal/request.js';
import { path } from '../internal/request.js';
import { APIResource, call } from '../internal/resource.js';
import type { Job } from '../types.js';

/** Background work (ingestion, crawls): status and progress. */
export class Jobs extends APIResource {
  retrieve(jobId: string, options?: RequestOptions): Promise<Job> {
    return call(this._transport, 'GET', path`/api/v1/jobs/${jobId}`, {}, options);
  }
}
