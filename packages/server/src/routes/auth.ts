import { createRoute, z } from '@hono/zod-openapi';
import { clientIp } from '../http/client-ip.js';
import type { AppDeps } from '../http/env.js';
import { jsonBodyChecks } from '../http/middleware/body-limit.js';
import { apiCors } from '../http/middleware/cors.js';
import { apiSecurityHeaders } from '../http/middleware/security-headers.js';
import { noRoute } from '../http/problem.js';
import { createRouter } from '../http/router.js';
import { errorResponses, jsonBody, jsonResponse } from '../schemas/common.js';
import { SessionSchema, sessionJson } from '../schemas/identity.js';

const { 400: e400, 401: e401, 413: e413, 422: e422, 429: e429 } = errorResponses;

const login = createRoute({
  method: 'post',
  path: '/login',
  middleware: jsonBodyChecks,
  tags: ['Auth'],
  summary: 'Log in with email and password',
  request: { body: jsonBody(z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) })) },
  responses: { 200: jsonResponse(SessionSchema, 'A new session'), 400: e400, 401: e401, 413: e413, 422: e422, 429: e429 },
});

const refresh = createRoute({
  method: 'post',
  path: '/refresh',
  middleware: jsonBodyChecks,
  tags: ['Auth'],
  summary: 'Exchange a refresh token for a new session (the old token stops working)',
  request: { body: jsonBody(z.object({ refreshToken: z.string().min(1).max(512) })) },
  responses: { 200: jsonResponse(SessionSchema, 'A new session'), 400: e400, 401: e401, 413: e413, 422: e422 },
});

const logout = createRoute({
  method: 'post',
  path: '/logout',
  middleware: jsonBodyChecks,
  tags: ['Auth'],
  summary: 'Revoke a refresh token and the session it belongs to',
  request: { body: jsonBody(z.object({ refreshToken: z.string().min(1).max(512) })) },
  responses: { 204: { description: 'Logged out' }, 400: e400, 413: e413, 422: e422 },
});

/** Public authentication: `/api/v1/auth`, for callers who have no token yet. */
export const authRoutes = (deps: AppDeps) => {
  const router = createRouter();
  router.use(apiSecurityHeaders(), apiCors({ origins: deps.corsOrigins ?? '*' }));
  return router
    .openapi(login, async (c) => {
      const { email, password } = c.req.valid('json');
      const session = await deps.core.auth.login({ email, password, ip: clientIp(c, deps.trustProxy ?? false) });
      return c.json(sessionJson(session), 200);
    })
    .openapi(refresh, async (c) => {
      const session = await deps.core.auth.refresh(c.req.valid('json').refreshToken);
      return c.json(sessionJson(session), 200);
    })
    .openapi(logout, async (c) => {
      await deps.core.auth.logout(c.req.valid('json').refreshToken);
      return c.body(null, 204);
    })
    .all('*', noRoute);
};
