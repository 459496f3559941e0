import { createRoute, z } from '@hono/zod-openapi';
import type { Registry } from 'prom-client';
import type { AppDeps } from '../http/env.js';
import { problemResponse } from '../http/problem.js';
import { createRouter } from '../http/router.js';
import { docsRoutes } from './docs.js';
import { ProblemSchema } from '../schemas/common.js';

const tags = ['Operations'];
const Status = z.object({ status: z.literal('ok') }).openapi('Status');

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags,
  summary: 'The process is up',
  responses: { 200: { description: 'Up', content: { 'application/json': { schema: Status } } } },
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags,
  summary: 'Dependencies (database, queue) are reachable',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: Status } } },
    503: { description: 'A dependency is down', content: { 'application/problem+json': { schema: ProblemSchema } } },
  },
});

const metrics = createRoute({
  method: 'get',
  path: '/metrics',
  tags,
  summary: 'Prometheus metrics',
  responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
});

/**
 * Operations, at the root: liveness, readiness, metrics, and the API's own description
 * (`/openapi.json`, browsable at `/docs`). Nothing here needs a caller.
 */
export const operationRoutes = (deps: AppDeps, registry: Registry, openApiDocument: () => unknown) => {
  // Probes come every few seconds: a log line when readiness changes (or its reason does),
  // not one with a stack trace per probe while the database starts or is away.
  let notReadyBecause: string | null = null;
  return createRouter()
    .openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(readyz, async (c) => {
      try {
        await deps.ready();
        if (notReadyBecause !== null) c.get('logger')?.info({ was: notReadyBecause }, 'ready again');
        notReadyBecause = null;
        return c.json({ status: 'ok' as const }, 200);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (reason !== notReadyBecause) c.get('logger')?.warn({ reason }, 'not ready');
        notReadyBecause = reason;
        return problemResponse(c, 503, 'A dependency is unavailable', { code: 'not_ready' }) as never;
      }
    })
    .openapi(metrics, async (c) => {
      return c.text(await registry.metrics(), 200, { 'Content-Type': registry.contentType });
    })
    .get('/openapi.json', (c) => c.json(openApiDocument()))
    .route('/', docsRoutes());
};
