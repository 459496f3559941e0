import type { Context, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { requestHeader } from '../request-header.js';
import { isApiPath } from './security-headers.js';

export interface ApiCorsOptions {
  /** Origins allowed to call the API from a browser, or '*'. */
  origins: string[] | '*';
}

/**
 * CORS for `/api/*` and `/v1/*`: hono's `cors` for the requests that need it, else
 * `undefined`. Browsers send `Origin` with every cross-origin request (preflights included),
 * so it runs for those and for every OPTIONS. Other callers (SDKs, servers, curl) get no
 * CORS headers: they would ignore them, and `cors` is costly on @hono/node-server (it builds
 * a placeholder Response before the handler runs). Nor do they need `Vary: Origin`: every
 * API response says `Cache-Control: no-store` (see `API_SECURITY_HEADERS`), and a response
 * no cache may store never has to be told apart from another by its Origin (ADR 0018).
 */
export const apiCors = ({ origins }: ApiCorsOptions): ((c: Context) => MiddlewareHandler | undefined) => {
  const forBrowsers = cors({
    origin: origins,
    allowHeaders: ['Authorization', 'Content-Type', 'X-API-Key', 'X-Request-Id'],
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    exposeHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
  return (c) =>
    (c.req.method === 'OPTIONS' || requestHeader(c, 'origin') !== undefined) && isApiPath(c.req.path) ? forBrowsers : undefined;
};
