/**
 * The middleware middleware-cost.ts measures, one per server process (servers/middleware.ts).
 * Atrium's own middleware are imported from @atrium/server's source files (they are not
 * exported): if they move, update the imports below. Rows marked "(hono, …)" are what
 * Atrium used before the request-overhead work, kept for comparison.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { createLogger } from '@atrium/server';
import { createEdge } from '../../packages/server/src/http/edge.js';
import { createGateway } from '../../packages/server/src/http/gateway.js';
import { hasNoBody } from '../../packages/server/src/http/middleware/body-limit.js';
import { apiCors } from '../../packages/server/src/http/middleware/cors.js';
import { handleError } from '../../packages/server/src/http/problem.js';
import { requestMetrics } from '../../packages/server/src/http/request-metrics.js';

type Logger = ReturnType<typeof createLogger>;

/**
 * Atrium's gateway with only its edge at work (no CORS, body limit or caller), used as a
 * middleware: in the app it runs in place of the route's first handler instead (gatedRouter).
 */
export const edgeOnlyGate = (logger: Logger): MiddlewareHandler => {
  const gate = createGateway({
    edge: createEdge({ logger, metrics: requestMetrics() }),
    corsFor: () => undefined,
    bodyLimitFor: () => undefined,
    identify: () => undefined,
    onError: handleError,
  });
  return (c, next) => gate(c, next) as Promise<Response>;
};

/** A picker of the app's (middleware for this request, or none) as a middleware. */
export const picked =
  (pick: (c: Context) => MiddlewareHandler | undefined): MiddlewareHandler =>
  (c, next) =>
    (pick(c) ?? ((_, go) => go()))(c, next);

const CORS = {
  origin: '*',
  allowHeaders: ['Authorization', 'Content-Type', 'X-API-Key', 'X-Request-Id'],
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  exposeHeaders: ['X-Request-Id', 'Retry-After'],
  maxAge: 600,
};

export const VARIANTS: Record<string, () => MiddlewareHandler | null> = {
  bare: () => null,
  "gateway's edge (Atrium's: request id, the 11 document security headers, metrics; log level 'silent')": () =>
    edgeOnlyGate(createLogger('silent')),
  "gateway's edge, log level 'info' to a no-op stream": () => edgeOnlyGate(createLogger('info', { write: () => {} })),
  'secureHeaders (hono, as Atrium had it: set on c.res after the handler)': () =>
    secureHeaders({ crossOriginResourcePolicy: 'cross-origin', crossOriginEmbedderPolicy: false }),
  "apiCors (Atrium's: hono/cors only for OPTIONS or an Origin header; none here)": () => picked(apiCors({ origins: '*' })),
  'cors (hono/cors, as Atrium had it, on every request)': () => cors(CORS),
  "Atrium's body limit: bodyLimit skipped for a GET without a body": () => {
    const limit = bodyLimit({ maxSize: 1024 * 1024 });
    return picked((c) => (hasNoBody(c) ? undefined : limit));
  },
  'bodyLimit (hono/body-limit, as Atrium had it) on a GET': () => bodyLimit({ maxSize: 1024 * 1024 }),
};
