import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * The headers for what a browser may render or embed (the API reference at `/docs`, its
 * assets, the operational endpoints, 404s outside the API): hono's `secureHeaders` defaults,
 * except that resources may be read cross-origin, because widgets and SDKs call from other
 * origins.
 */
export const documentSecurityHeaders = (): MiddlewareHandler =>
  secureHeaders({ crossOriginResourcePolicy: 'cross-origin', crossOriginEmbedderPolicy: false });

/**
 * The headers on API responses (JSON, problem details and event streams, read by programs),
 * after OWASP's REST Security Cheat Sheet (ADR 0018): never cached (a handler may say
 * otherwise: event streams say `no-cache, no-transform`), nothing to load and no framing if a
 * browser ever renders one, no MIME sniffing, HTTPS only, no referrer.
 */
export const API_SECURITY_HEADERS: readonly (readonly [name: string, value: string])[] = [
  ['Cache-Control', 'no-store'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

/** `API_SECURITY_HEADERS` on every response of an API group, errors included; a header the handler set wins. */
export const apiSecurityHeaders = (): MiddlewareHandler =>
  async function apiSecurityHeaders(c, next) {
    await next();
    const headers = c.res.headers;
    for (const [name, value] of API_SECURITY_HEADERS) if (!headers.has(name)) headers.set(name, value);
  };
