import { createRoute, z } from '@hono/zod-openapi';
import { TENANT_ROLES } from '@atrium/core';
import type { AppDeps } from '../http/env.js';
import { jsonBodyChecks } from '../http/middleware/body-limit.js';
import { createRouter } from '../http/router.js';
import { errorResponses, IdParam, jsonBody, jsonResponse, PageQuery, pageOf, security } from '../schemas/common.js';
import { TenantSchema, tenantJson, UserSchema, userJson } from '../schemas/identity.js';

const tags = ['Users'];
const UserPage = pageOf(UserSchema, 'UserPage');
const UserId = IdParam('id');
const email = z.string().min(1).max(320);
const password = z.string().min(1).max(1024);
const name = z.string().min(1).max(200);

const me = createRoute({
  method: 'get',
  path: '/me',
  tags,
  summary: 'The calling user and their tenant',
  security,
  responses: {
    200: jsonResponse(z.object({ user: UserSchema, tenant: TenantSchema }).openapi('Me'), 'The caller'),
    401: errorResponses[401],
  },
});

const list = createRoute({
  method: 'get',
  path: '/users',
  tags,
  summary: "List the tenant's users",
  security,
  request: { query: PageQuery },
  responses: { 200: jsonResponse(UserPage, 'A page of users'), 401: errorResponses[401], 403: errorResponses[403], 422: errorResponses[422] },
});

const create = createRoute({
  method: 'post',
  path: '/users',
  middleware: jsonBodyChecks,
  tags,
  summary: 'Create a user (tenant admins)',
  security,
  request: {
    body: jsonBody(z.object({ email, password, name, role: z.enum(TENANT_ROLES).default('member') })),
  },
  responses: {
    201: jsonResponse(UserSchema, 'The new user'),
    ...errorResponses,
  },
});

const get = createRoute({
  method: 'get',
  path: '/users/{id}',
  tags,
  summary: 'Get a user',
  security,
  request: { params: UserId },
  responses: { 200: jsonResponse(UserSchema, 'The user'), 401: errorResponses[401], 403: errorResponses[403], 404: errorResponses[404] },
});

const update = createRoute({
  method: 'patch',
  path: '/users/{id}',
  middleware: jsonBodyChecks,
  tags,
  summary: 'Update a user (tenant admins; anyone for their own name, email and password — with `currentPassword`)',
  security,
  request: {
    params: UserId,
    body: jsonBody(z.object({ email, password, currentPassword: password, name, role: z.enum(TENANT_ROLES) }).partial()),
  },
  responses: { 200: jsonResponse(UserSchema, 'The updated user'), ...errorResponses },
});

const remove = createRoute({
  method: 'delete',
  path: '/users/{id}',
  tags,
  summary: 'Delete a user (tenant admins)',
  security,
  request: { params: UserId },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});

export const userRoutes = ({ core }: AppDeps) =>
  createRouter()
    .openapi(me, async (c) => {
      const { user, tenant } = await core.me(c.get('actor'));
      return c.json({ user: userJson(user), tenant: tenantJson(tenant) }, 200);
    })
    .openapi(list, async (c) => {
      const page = await core.users.list(c.get('actor'), c.req.valid('query'));
      return c.json({ data: page.data.map(userJson), nextCursor: page.nextCursor }, 200);
    })
    .openapi(create, async (c) => {
      const user = await core.users.create(c.get('actor'), c.req.valid('json'));
      return c.json(userJson(user), 201);
    })
    .openapi(get, async (c) => {
      const user = await core.users.get(c.get('actor'), c.req.valid('param').id);
      return c.json(userJson(user), 200);
    })
    .openapi(update, async (c) => {
      const user = await core.users.update(c.get('actor'), c.req.valid('param').id, c.req.valid('json'));
      return c.json(userJson(user), 200);
    })
    .openapi(remove, async (c) => {
      await core.users.delete(c.get('actor'), c.req.valid('param').id);
      return c.body(null, 204);
    });
