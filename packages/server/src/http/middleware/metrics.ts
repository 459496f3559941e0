import { routePath } from 'hono/route';
import { createMiddleware } from 'hono/factory';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { AppEnv } from '../env.js';

export interface HttpMetrics {
  registry: Registry;
  middleware: ReturnType<typeof createMiddleware<AppEnv>>;
}

/**
 * Request counts and latency per route template (not per concrete path, which would
 * explode label cardinality with ids). One registry per app keeps tests independent.
 */
export const httpMetrics = (): HttpMetrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'atrium_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'atrium_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const middleware = createMiddleware<AppEnv>(async (c, next) => {
    const end = duration.startTimer();
    await next();
    const status = c.res.status;
    const matched = routePath(c, -1);
    const route = status === 404 && matched.endsWith('*') ? 'unmatched' : matched;
    const method = c.req.method;
    end({ method, route });
    requests.inc({ method, route, status: String(status) });
  });
  return { registry, middleware };
};
