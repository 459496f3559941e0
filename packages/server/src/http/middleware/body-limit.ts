import type { Context } from 'hono';
import { requestHeader } from '../request-header.js';

const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * True when the request has no body: a GET, HEAD or OPTIONS without Content-Length or
 * Transfer-Encoding. (Without either header an HTTP/1.1 request has no body at all; the
 * method check also covers HTTP/2, where a body need not announce its length, because no
 * handler reads the body of these methods.) Such requests skip the body limit: hono's
 * `bodyLimit` reads `c.req.raw.body`, which on @hono/node-server builds a full Request.
 */
export const hasNoBody = (c: Context): boolean =>
  BODYLESS_METHODS.has(c.req.method) && requestHeader(c, 'content-length') === undefined && requestHeader(c, 'transfer-encoding') === undefined;
