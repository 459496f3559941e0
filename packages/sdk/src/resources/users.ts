import type { PagePromise } from '../core/pagination.js';
import type { RequestOptions } from '../internal/request.js';
import { path } from '../internal/request.js';
import { APIResource, call, list } from '../internal/resource.js';
import type { PageParams, User, UserCreateParams, UserUpdateParams } from '../types.js';

/** The tenant's users (tenant admins). */
export class Users extends APIResource {
  list(query?: PageParams, options?: RequestOptions): PagePromise<User> {
    return list(this._transport, '/api/v1/users', query, options);
  }
  create(body: UserCreateParams, options?: RequestOptions): Promise<User> {
    return call(this._transport, 'POST', '/api/v1/users', { body }, options);
  }
  retrieve(id: string, options?: RequestOptions): Promise<User> {
    return call(this._transport, 'GET', path`/api/v1/users/${id}`, {}, options);
  }
  update(id: string, body: UserUpdateParams, options?: RequestOptions): Promise<User> {
    return call(this._transport, 'PATCH', path`/api/v1/users/${id}`, { body }, options);
  }
  delete(id: string, options?: RequestOptions): Promise<void> {
    return call(this._transport, 'DELETE', path`/api/v1/users/${id}`, {}, options);
  }
}
