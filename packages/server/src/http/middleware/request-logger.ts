import { routePath } from 'hono/route';
import { createMiddleware } from 'hono/factory';
import type { Logger } from 'pino';
import type { AppEnv } from '../env.js';

/**
 * One structured line per request. Only method, path (no query string: widget keys and
 * cursors live there), status and timing are logged; never headers or bodies.
 */
export const requestLogger = (logger: Logger) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    // A silent logger writes nothing, so it needs no per-request child (pino serialises a
    // child's bindings, through redaction, as it is made).
    const child = logger.level === 'silent' ? logger : logger.child({ requestId: c.get('requestId') });
    c.set('logger', child);
    await next();
    const status = c.res.status;
    const line = {
      method: c.req.method,
      path: c.req.path,
      route: routePath(c, -1),
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    };
    if (status >= 500) child.error(line, 'request failed');
    else child.info(line, 'request');
  });
