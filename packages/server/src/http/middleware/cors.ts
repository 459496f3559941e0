import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.js';
import { withResponseHeaders, type HeaderList } from './response-headers.js';
import { requestHeader } from '../request-header.js';

const VARY_ORIGIN: HeaderList = [['Vary', 'Origin']];

export interface ApiCorsOptions {
  /** Origins allowed to call the API from a browser, or '*'. */
  origins: string[] | '*';
}

/**
 * CORS for `/api/*`. Browsers send `Origin` with every cross-origin request (preflights
 * included), so hono's `cors` runs for those and for every OPTIONS, and answers them exactly
 * as before. Other callers (SDKs, servers, curl) get no CORS headers: they would ignore them,
 * and `cors` is costly on @hono/node-server (it builds a placeholder Response before the
 * handler runs). Their responses say `Vary: Origin`, so a shared cache never hands one of
 * them to a browser.
 */
export const apiCors = ({ origins }: ApiCorsOptions) => {
  const forBrowsers = cors({
    origin: origins,
    allowHeaders: ['Authorization', 'Content-Type', 'X-API-Key', 'X-Request-Id'],
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    exposeHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
  return createMiddleware<AppEnv>((c, next) =>
    c.req.method === 'OPTIONS' || requestHeader(c, 'origin') !== undefined
      ? forBrowsers(c, next)
      : withResponseHeaders(c, next, VARY_ORIGIN, { append: true }),
  );
};
