import { routePath } from 'hono/route';
import { createMiddleware } from 'hono/factory';
import type { Logger } from 'pino';
import type { AppEnv } from '../env.js';
import { requestHeader } from '../request-header.js';
import type { RequestMetrics } from '../request-metrics.js';
import { nodeResponseOf } from './response-headers.js';
import { securityHeadersFor } from './security-headers.js';

// A caller-supplied id is kept (for tracing across services) only if it is tame.
const ACCEPTABLE_REQUEST_ID = /^[\w.:-]{8,128}$/;

export interface EdgeOptions {
  logger: Logger;
  metrics: RequestMetrics;
}

/**
 * What every request gets, in one middleware rather than four (ADR 0018; each layer of
 * hono's chain is an async frame and a closure, and these run on every request):
 *
 * - an id, in `c.var.requestId`, in the logs and as `X-Request-Id` on the response;
 * - the security headers (`securityHeadersFor` the path) on the response, error and 404
 *   responses included;
 * - `c.var.logger`, a child logger that carries the id, and one log line when it is done:
 *   method, path (no query string: widget keys and cursors live there), route, status and
 *   duration, never headers or bodies;
 * - the request metrics, per route template (not per concrete path, which would explode
 *   label cardinality with ids).
 *
 * On @hono/node-server the headers go on Node's response before the handler runs, so no
 * WHATWG `Headers` is built for them (see `nodeResponseOf`). Elsewhere (`app.request()`,
 * other runtimes) they are added to `c.res` afterwards. Either way a handler that sets one of
 * them itself (an event stream's `Cache-Control`) wins.
 */
export const edge = ({ logger, metrics }: EdgeOptions) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    const incoming = requestHeader(c, 'x-request-id');
    const id = incoming && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', id);
    // A silent logger writes nothing, so it needs no per-request child (pino serialises a
    // child's bindings, through redaction, as it is made).
    const log = logger.level === 'silent' ? logger : logger.child({ requestId: id });
    c.set('logger', log);

    const security = securityHeadersFor(c.req.path);
    const node = nodeResponseOf(c);
    if (node) {
      node.setHeader('X-Request-Id', id);
      for (const [name, value] of security) node.setHeader(name, value);
    }
    await next();
    if (!node) {
      const headers = c.res.headers;
      headers.set('X-Request-Id', id);
      for (const [name, value] of security) if (!headers.has(name)) headers.set(name, value);
    }

    const durationMs = performance.now() - started;
    const status = c.res.status;
    const matched = routePath(c, -1);
    const route = status === 404 && matched.endsWith('*') ? 'unmatched' : matched;
    metrics.record(c.req.method, route, status, durationMs / 1000);
    if (status >= 500 || log.isLevelEnabled('info')) {
      const line = { method: c.req.method, path: c.req.path, route, status, durationMs: Math.round(durationMs * 100) / 100 };
      if (status >= 500) log.error(line, 'request failed');
      else log.info(line, 'request');
    }
  });
