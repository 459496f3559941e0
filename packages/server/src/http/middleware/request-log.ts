import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Logger } from 'pino';
import type { AppEnv } from '../env.js';
import type { RequestMetrics } from '../request-metrics.js';

// A caller-supplied id is kept (for tracing across services) only if it is tame.
const ACCEPTABLE_REQUEST_ID = /^[\w.:-]{8,128}$/;

export interface RequestLogOptions {
  logger: Logger;
  metrics: RequestMetrics;
}

/**
 * What every request gets, whatever group answers it:
 *
 * - an id, in `c.var.requestId`, in the logs and as `X-Request-Id` on the response (a tame
 *   incoming `X-Request-Id` is kept, so a trace crosses services);
 * - `c.var.logger`, a child logger carrying that id;
 * - one log line when it is done: method, path (no query string: widget keys and cursors
 *   live there), route template, status and duration, never headers or bodies;
 * - the request metrics, per route template.
 */
export const requestLog = ({ logger, metrics }: RequestLogOptions): MiddlewareHandler<AppEnv> =>
  async function requestLog(c, next) {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const id = incoming && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', id);
    const log = logger.child({ requestId: id });
    c.set('logger', log);

    await next();

    c.res.headers.set('X-Request-Id', id);
    const durationMs = performance.now() - started;
    const status = c.res.status;
    // The template of the endpoint the path matched, whoever answered (an authentication
    // failure included); a path that only middleware and catch-alls match is 'unmatched'.
    const route = matchedRoutes(c).find((matched) => !matched.path.endsWith('*'))?.path ?? 'unmatched';
    metrics.record(c.req.method, route, status, durationMs / 1000);
    const line = { method: c.req.method, path: c.req.path, route, status, durationMs: Math.round(durationMs * 100) / 100 };
    if (status >= 500) log.error(line, 'request failed');
    else log.info(line, 'request');
  };
