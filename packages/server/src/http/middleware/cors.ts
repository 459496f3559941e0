import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

export interface ApiCorsOptions {
  /** Origins allowed to call the API from a browser, or '*'. */
  origins: string[] | '*';
}

/**
 * CORS for the API groups: hono's `cors`, for browsers. They send `Origin` with every
 * cross-origin request, preflights included; other callers (SDKs, servers, curl) get no CORS
 * headers, which they would ignore. Nor do they need `Vary: Origin`: every API response says
 * `Cache-Control: no-store`, and a response no cache may store never has to be told apart
 * from another by its Origin.
 */
export const apiCors = ({ origins }: ApiCorsOptions): MiddlewareHandler => {
  const forBrowsers = cors({
    origin: origins,
    allowHeaders: ['Authorization', 'Content-Type', 'X-API-Key', 'X-Request-Id', 'Idempotency-Key'],
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    exposeHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
  return async function apiCors(c, next) {
    if (c.req.method !== 'OPTIONS' && c.req.header('origin') === undefined) return next();
    return forBrowsers(c, next);
  };
};
