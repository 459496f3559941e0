/**
 * The middleware middleware-cost.ts measures, one per server process (servers/middleware.ts).
 * Atrium's own middleware are imported from @atrium/server's source files (they are not
 * exported): if they move, update the imports below.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { createLogger } from '@atrium/server';
import { limitBodies } from '../../packages/server/src/http/middleware/body-limit.js';
import { apiCors } from '../../packages/server/src/http/middleware/cors.js';
import { httpMetrics } from '../../packages/server/src/http/middleware/metrics.js';
import { requestId } from '../../packages/server/src/http/middleware/request-id.js';
import { requestLogger } from '../../packages/server/src/http/middleware/request-logger.js';

const CORS = {
  origin: '*',
  allowHeaders: ['Authorization', 'Content-Type', 'X-API-Key', 'X-Request-Id'],
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  exposeHeaders: ['X-Request-Id', 'Retry-After'],
  maxAge: 600,
};

export const VARIANTS: Record<string, () => MiddlewareHandler | null> = {
  bare: () => null,
  requestId: () => requestId() as MiddlewareHandler,
  "requestLogger (level 'silent')": () => requestLogger(createLogger('silent')) as MiddlewareHandler,
  "requestLogger (level 'info', to a no-op stream)": () => requestLogger(createLogger('info', { write: () => {} })) as MiddlewareHandler,
  httpMetrics: () => httpMetrics().middleware as MiddlewareHandler,
  secureHeaders: () => secureHeaders({ crossOriginResourcePolicy: 'cross-origin', crossOriginEmbedderPolicy: false }),
  "cors (hono/cors, Atrium's options)": () => cors(CORS),
  'bodyLimit (hono/body-limit) on a GET': () => bodyLimit({ maxSize: 1024 * 1024 }),
  // What Atrium runs now (packages/server/src/http/middleware/{cors,body-limit}.ts).
  "apiCors (Atrium's: hono/cors only for OPTIONS or an Origin header; none here)": () => apiCors({ origins: '*' }) as MiddlewareHandler,
  "limitBodies (Atrium's: bodyLimit skipped for a GET without a body)": () => {
    const limit = bodyLimit({ maxSize: 1024 * 1024 });
    return limitBodies(() => limit) as MiddlewareHandler;
  },
  // Alternatives, to show what the two above cost for a plain GET when written differently.
  'alt: the same CORS response headers set with c.header() before next()': () => async (c, next) => {
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Access-Control-Expose-Headers', CORS.exposeHeaders.join(','));
    await next();
  },
  'alt: the same security headers set in one pass after next()': () => {
    const list: [string, string][] = [
      ['Cross-Origin-Opener-Policy', 'same-origin'],
      ['Cross-Origin-Resource-Policy', 'cross-origin'],
      ['Origin-Agent-Cluster', '?1'],
      ['Referrer-Policy', 'no-referrer'],
      ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
      ['X-Content-Type-Options', 'nosniff'],
      ['X-DNS-Prefetch-Control', 'off'],
      ['X-Download-Options', 'noopen'],
      ['X-Frame-Options', 'SAMEORIGIN'],
      ['X-Permitted-Cross-Domain-Policies', 'none'],
      ['X-XSS-Protection', '0'],
    ];
    return async (c, next) => {
      await next();
      const headers = c.res.headers;
      for (const [k, v] of list) headers.set(k, v);
    };
  },
  'scratch: secure headers + request id via outgoing.setHeader before next()': () => {
    const list: [string, string][] = [
      ['Cross-Origin-Opener-Policy', 'same-origin'],
      ['Cross-Origin-Resource-Policy', 'cross-origin'],
      ['Origin-Agent-Cluster', '?1'],
      ['Referrer-Policy', 'no-referrer'],
      ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
      ['X-Content-Type-Options', 'nosniff'],
      ['X-DNS-Prefetch-Control', 'off'],
      ['X-Download-Options', 'noopen'],
      ['X-Frame-Options', 'SAMEORIGIN'],
      ['X-Permitted-Cross-Domain-Policies', 'none'],
      ['X-XSS-Protection', '0'],
    ];
    return async (c, next) => {
      const out = (c.env as { outgoing: import('node:http').ServerResponse }).outgoing;
      for (const [k, v] of list) out.setHeader(k, v);
      out.setHeader('X-Request-Id', crypto.randomUUID());
      await next();
    };
  },
  'scratch: secureHeaders + requestId (hono, after next)': () => {
    const sh = secureHeaders({ crossOriginResourcePolicy: 'cross-origin', crossOriginEmbedderPolicy: false });
    const rid = requestId() as MiddlewareHandler;
    return (c, next) => rid(c, () => sh(c, next) as Promise<void>);
  },
  'alt: bodyLimit skipped when there is no content-length / transfer-encoding': () => {
    const limit = bodyLimit({ maxSize: 1024 * 1024 });
    return async (c, next) => {
      if (!c.req.header('content-length') && !c.req.header('transfer-encoding')) return next();
      return limit(c, next);
    };
  },
};

