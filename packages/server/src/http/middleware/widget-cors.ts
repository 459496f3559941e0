import type { AtriumCore } from '@atrium/core';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';
import { problemResponse } from '../problem.js';

/**
 * The origin of the page that sent a widget request: its `Origin`; or, for a same-origin GET,
 * which browsers send without one (`Sec-Fetch-Site: same-origin` says so, and pages cannot
 * forge it), this server's own origin, so that a widget on one of the server's own pages
 * (`/demo`) is admitted like any other: by its allowlist.
 */
export const pageOrigin = (c: Context): string | undefined =>
  c.req.header('origin') ?? (c.req.header('sec-fetch-site') === 'same-origin' ? new URL(c.req.url).origin : undefined);

/**
 * CORS for the widget's public API: only origins that a widget allows get CORS headers.
 *
 * An actual request names its widget (a public key, or a visitor token), and its route puts
 * the Origin in `c.var.widgetOrigin` once that widget has admitted it: only then does the
 * response carry `Access-Control-Allow-Origin`, for that origin alone. A preflight names no
 * widget (browsers send neither body nor credentials with it), so it is answered for origins
 * that some enabled widget allows, and refused with a 403 otherwise; the request that follows
 * is then checked against its own widget.
 */
export const widgetCors = (core: AtriumCore): MiddlewareHandler<AppEnv> =>
  async function widgetCors(c, next) {
    const origin = c.req.header('origin');
    if (c.req.method === 'OPTIONS') {
      if (!origin || !(await core.widget.anyAllowsOrigin(origin)))
        return problemResponse(c, 403, 'This site may not embed an Atrium widget', { code: 'origin_not_allowed' });
      return c.body(null, 204, {
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, Idempotency-Key, X-Request-Id',
        'Access-Control-Max-Age': '600',
        Vary: 'Origin',
      });
    }
    await next();
    // Responses differ by Origin (CORS headers, or none): shared caches must key on it.
    c.res.headers.append('Vary', 'Origin');
    if (origin !== undefined && c.get('widgetOrigin') === origin) {
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      c.res.headers.set('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After, ETag');
    }
  };
