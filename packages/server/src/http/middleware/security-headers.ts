import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.js';
import { withResponseHeaders, type HeaderList } from './response-headers.js';

/**
 * The headers hono's `secureHeaders({ crossOriginResourcePolicy: 'cross-origin',
 * crossOriginEmbedderPolicy: false })` sets, name for name and value for value (a test
 * compares the two): its defaults, except that resources may be read cross-origin because
 * widgets and SDKs call from other origins.
 */
export const SECURITY_HEADERS: HeaderList = [
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

/** Security headers on every response (see `withResponseHeaders` for how, cheaply). */
export const securityHeaders = () => createMiddleware<AppEnv>((c, next) => withResponseHeaders(c, next, SECURITY_HEADERS));
