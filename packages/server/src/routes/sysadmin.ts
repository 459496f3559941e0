import { createRoute, z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { timingSafeEqual } from '@atrium/core';
import { credentialFrom } from '../http/middleware/authenticate.js';
import { apiCors } from '../http/middleware/cors.js';
import { apiSecurityHeaders } from '../http/middleware/security-headers.js';
import type { AppDeps, AppEnv } from '../http/env.js';
import { jsonBodyChecks } from '../http/middleware/body-limit.js';
import { noRoute, problemResponse } from '../http/problem.js';
import { createRouter } from '../http/router.js';
import { errorResponses, IdParam, jsonBody, jsonResponse, PageQuery, pageOf } from '../schemas/common.js';
import { TenantSchema, tenantJson, UserSchema, userJson } from '../schemas/identity.js';

const tags = ['System administration'];
const security = [{ sysadminKey: [] }];

const list = createRoute({
  method: 'get',
  path: '/tenants',
  tags,
  summary: 'List tenants',
  security,
  request: { query: PageQuery },
  responses: { 200: jsonResponse(pageOf(TenantSchema, 'TenantPage'), 'A page of tenants'), 401: errorResponses[401], 404: errorResponses[404] },
});

const create = createRoute({
  method: 'post',
  path: '/tenants',
  middleware: jsonBodyChecks,
  tags,
  summary: 'Create a tenant and its first owner',
  security,
  request: {
    body: jsonBody(
      z.object({
        name: z.string().min(1).max(200),
        adminEmail: z.string().min(1).max(320),
        adminPassword: z.string().min(1).max(1024),
        adminName: z.string().min(1).max(200).optional(),
      }),
    ),
  },
  responses: {
    201: jsonResponse(z.object({ tenant: TenantSchema, admin: UserSchema }).openapi('CreatedTenant'), 'The tenant and its owner'),
    ...errorResponses,
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/tenants/{tenantId}',
  tags,
  summary: 'Delete a tenant and all its data',
  security,
  request: { params: IdParam('tenantId') },
  responses: { 204: { description: 'Deleted' }, 401: errorResponses[401], 404: errorResponses[404] },
});

/** Without ATRIUM_SYSADMIN_KEY these endpoints do not exist (404); with it they need it as bearer. */
const requireSysadmin = (key: string | undefined) =>
  createMiddleware<AppEnv>(async function requireSysadmin(c, next) {
    if (!key) return problemResponse(c, 404, 'Not found');
    const given = credentialFrom(c.req.header('authorization'), undefined);
    if (!given || !timingSafeEqual(given, key))
      return problemResponse(c, 401, 'A valid sysadmin key is required', { headers: { 'WWW-Authenticate': 'Bearer' } });
    await next();
  });

/** System administration, for operators: `/api/v1/sysadmin`. */
export const sysadminRoutes = ({ core, sysadminKey, corsOrigins }: AppDeps) => {
  const router = createRouter();
  router.use(apiSecurityHeaders(), apiCors({ origins: corsOrigins ?? '*' }), requireSysadmin(sysadminKey));
  return router
    .openapi(list, async (c) => {
      const page = await core.tenants.list(c.req.valid('query'));
      return c.json({ data: page.data.map(tenantJson), nextCursor: page.nextCursor }, 200);
    })
    .openapi(create, async (c) => {
      const { tenant, admin } = await core.tenants.create(c.req.valid('json'));
      return c.json({ tenant: tenantJson(tenant), admin: userJson(admin) }, 201);
    })
    .openapi(remove, async (c) => {
      await core.tenants.delete(c.req.valid('param').tenantId);
      return c.body(null, 204);
    })
    .all('*', noRoute);
};
