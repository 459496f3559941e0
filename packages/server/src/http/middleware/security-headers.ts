import type { HeaderList } from './response-headers.js';

/**
 * The headers the `edge` middleware puts on responses a browser may render or embed (the
 * API reference at `/docs`, its assets, the operational endpoints, 404s outside the API):
 * those hono's
 * `secureHeaders({ crossOriginResourcePolicy: 'cross-origin', crossOriginEmbedderPolicy: false })`
 * sets, name for name and value for value (a test compares the two): its defaults, except
 * that resources may be read cross-origin because widgets and SDKs call from other origins.
 */
export const DOCUMENT_SECURITY_HEADERS: HeaderList = [
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

/**
 * The headers on API responses (`/api/*` and `/v1/*`: JSON, problem details and event
 * streams, read by programs), after OWASP's REST Security Cheat Sheet (ADR 0018): never
 * cached (a handler may say otherwise: event streams say `no-cache, no-transform`), nothing
 * to load and no framing if a browser ever renders one, no MIME sniffing, HTTPS only, no
 * referrer. The rest of the set above only changes how a browser treats an HTML document.
 */
export const API_SECURITY_HEADERS: HeaderList = [
  ['Cache-Control', 'no-store'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

const API_PATH = /^\/(?:api|v1)\//;

/** `/api/...` and `/v1/...`: the API, read by programs (and by browsers' scripts, through CORS). */
export const isApiPath = (path: string): boolean => API_PATH.test(path);

/** The security headers for a request path. */
export const securityHeadersFor = (path: string): HeaderList => (isApiPath(path) ? API_SECURITY_HEADERS : DOCUMENT_SECURITY_HEADERS);
