/**
 * The middleware middleware-cost.ts measures, one per server process (servers/middleware.ts).
 * Atrium's own middleware are imported from @atrium/server's source files (they are not
 * exported): if they move, update the imports below. Rows marked "(hono, …)" are what
 * Atrium used before the request-overhead work, kept for comparison.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { createLogger } from '@atrium/server';
import { limitBodies } from '../../packages/server/src/http/middleware/body-limit.js';
import { apiCors } from '../../packages/server/src/http/middleware/cors.js';
import { edge } from '../../packages/server/src/http/middleware/edge.js';
import { requestMetrics } from '../../packages/server/src/http/request-metrics.js';

const CORS = {
  origin: '*',
  allowHeaders: ['Authorization', 'Content-Type', 'X-API-Key', 'X-Request-Id'],
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  exposeHeaders: ['X-Request-Id', 'Retry-After'],
  maxAge: 600,
};

export const VARIANTS: Record<string, () => MiddlewareHandler | null> = {
  bare: () => null,
  "edge (Atrium's: request id, the 11 document security headers, metrics; log level 'silent')": () =>
    edge({ logger: createLogger('silent'), metrics: requestMetrics() }) as MiddlewareHandler,
  "edge, log level 'info' to a no-op stream": () => edge({ logger: createLogger('info', { write: () => {} }), metrics: requestMetrics() }) as MiddlewareHandler,
  'secureHeaders (hono, as Atrium had it: set on c.res after the handler)': () =>
    secureHeaders({ crossOriginResourcePolicy: 'cross-origin', crossOriginEmbedderPolicy: false }),
  "apiCors (Atrium's: hono/cors only for OPTIONS or an Origin header; none here)": () => apiCors({ origins: '*' }) as MiddlewareHandler,
  'cors (hono/cors, as Atrium had it, on every request)': () => cors(CORS),
  "limitBodies (Atrium's: bodyLimit skipped for a GET without a body)": () => {
    const limit = bodyLimit({ maxSize: 1024 * 1024 });
    return limitBodies(() => limit) as MiddlewareHandler;
  },
  'bodyLimit (hono/body-limit, as Atrium had it) on a GET': () => bodyLimit({ maxSize: 1024 * 1024 }),
};
