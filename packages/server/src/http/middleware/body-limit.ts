import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.js';
import { requestHeader } from '../request-header.js';

const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * True when the request has no body: a GET, HEAD or OPTIONS without Content-Length or
 * Transfer-Encoding. (Without either header an HTTP/1.1 request has no body at all; the
 * method check also covers HTTP/2, where a body need not announce its length, because no
 * handler reads the body of these methods.)
 */
export const hasNoBody = (c: Context): boolean =>
  BODYLESS_METHODS.has(c.req.method) && requestHeader(c, 'content-length') === undefined && requestHeader(c, 'transfer-encoding') === undefined;

/**
 * Caps request bodies: `pick` chooses the limit for the request (hono's bodyLimit, which
 * also counts bodies that do not announce their length). Requests without a body skip it:
 * bodyLimit reads `c.req.raw.body`, which on @hono/node-server builds a full Request.
 */
export const limitBodies = (pick: (c: Context<AppEnv>) => MiddlewareHandler) =>
  createMiddleware<AppEnv>((c, next) => (hasNoBody(c) ? next() : pick(c)(c, next)));
