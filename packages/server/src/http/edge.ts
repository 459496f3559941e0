import type { Context } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';
import type { AppEnv } from './env.js';
import { requestHeader } from './request-header.js';
import type { RequestMetrics } from './request-metrics.js';
import { nodeResponseOf, type HeaderList } from './middleware/response-headers.js';
import { securityHeadersFor } from './middleware/security-headers.js';

// A caller-supplied id is kept (for tracing across services) only if it is tame.
const ACCEPTABLE_REQUEST_ID = /^[\w.:-]{8,128}$/;

export interface EdgeOptions {
  logger: Logger;
  metrics: RequestMetrics;
}

/** What `enter` noted about a request, for `leave`. */
export interface EdgeVisit {
  readonly started: number;
  readonly id: string;
  readonly log: Logger;
  readonly security: HeaderList;
  /** Whether the headers already went on Node's response (see `nodeResponseOf`). */
  readonly onNode: boolean;
}

export interface Edge {
  /** The request arrives: its id, logger and security headers. */
  enter(c: Context<AppEnv>): EdgeVisit;
  /** Its response leaves: headers (off Node), metrics, the log line. */
  leave(c: Context<AppEnv>, visit: EdgeVisit, response: Response): Response;
}

/**
 * What every request gets, on its way in and out (the gateway calls both; ADR 0018, 0020):
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
 * other runtimes) they are added to the response afterwards. Either way a handler that sets
 * one of them itself (an event stream's `Cache-Control`) wins.
 */
export const createEdge = ({ logger, metrics }: EdgeOptions): Edge => ({
  enter: (c) => {
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
    return { started, id, log, security, onNode: node !== undefined };
  },
  leave: (c, { started, id, log, security, onNode }, response) => {
    if (!onNode) {
      const headers = response.headers;
      headers.set('X-Request-Id', id);
      for (const [name, value] of security) if (!headers.has(name)) headers.set(name, value);
    }
    const durationMs = performance.now() - started;
    const status = response.status;
    // The last handler's template; none matched (or only a prefix's middleware) is 'unmatched'.
    const matched = routePath(c, -1);
    const route = matched === '' || (status === 404 && matched.endsWith('*')) ? 'unmatched' : matched;
    metrics.record(c.req.method, route, status, durationMs / 1000);
    if (status >= 500 || log.isLevelEnabled('info')) {
      const line = { method: c.req.method, path: c.req.path, route, status, durationMs: Math.round(durationMs * 100) / 100 };
      if (status >= 500) log.error(line, 'request failed');
      else log.info(line, 'request');
    }
    return response;
  },
});
