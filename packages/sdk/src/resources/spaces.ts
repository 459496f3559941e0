import type { PagePromise } from '../core/pagination.js';
import type { RequestOptions, TransportConfig } from '../internal/request.js';
import { path } from '../internal/request.js';
import { APIResource, call, list } from '../internal/resource.js';
import type { Member, MemberCreateParams, MemberUpdateParams, PageParams, Space, SpaceCreateParams, SpaceUpdateParams } from '../types.js';

/** Who may do what in a space (admin, editor, viewer). */
export class Members extends APIResource {
  list(spaceId: string, query?: PageParams, options?: RequestOptions): PagePromise<Member> {
    return list(this._transport, path`/api/v1/spaces/${spaceId}/members`, query, options);
  }
  create(spaceId: string, body: MemberCreateParams, options?: RequestOptions): Promise<Member> {
    return call(this._transport, 'POST', path`/api/v1/spaces/${spaceId}/members`, { body }, options);
  }
  update(spaceId: string, userId: string, body: MemberUpdateParams, options?: RequestOptions): Promise<Member> {
    return call(this._transport, 'PATCH', path`/api/v1/spaces/${spaceId}/members/${userId}`, { body }, options);
  }
  delete(spaceId: string, userId: string, options?: RequestOptions): Promise<void> {
    return call(this._transport, 'DELETE', path`/api/v1/spaces/${spaceId}/members/${userId}`, {}, options);
  }
}

export class Spaces extends APIResource {
  readonly members: Members;

  constructor(transport: TransportConfig) {
    super(transport);
    this.members = new Members(transport);
  }

  list(query?: PageParams, options?: RequestOptions): PagePromise<Space> {
    return list(this._transport, '/api/v1/spaces', query, options);
  }
  /** The creator becomes the space's admin. */
  create(body: SpaceCreateParams, options?: RequestOptions): Promise<Space> {
    return call(this._transport, 'POST', '/api/v1/spaces', { body }, options);
  }
  retrieve(spaceId: string, options?: RequestOptions): Promise<Space> {
    return call(this._transport, 'GET', path`/api/v1/spaces/${spaceId}`, {}, options);
  }
  update(spaceId: string, body: SpaceUpdateParams, options?: RequestOptions): Promise<Space> {
    return call(this._transport, 'PATCH', path`/api/v1/spaces/${spaceId}`, { body }, options);
  }
  delete(spaceId: string, options?: RequestOptions): Promise<void> {
    return call(this._transport, 'DELETE', path`/api/v1/spaces/${spaceId}`, {}, options);
  }
}
