import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../http/env.js';
import { jsonBodyChecks } from '../http/middleware/body-limit.js';
import { createRouter } from '../http/router.js';
import { errorResponses, IdParam, jsonBody, jsonResponse, PageQuery, pageOf, security } from '../schemas/common.js';
import { ApiKeySchema, apiKeyJson, CreatedApiKeySchema, createdApiKeyJson } from '../schemas/identity.js';

const tags = ['API keys'];

const list = createRoute({
  method: 'get',
  path: '/api-keys',
  tags,
  summary: 'List active API keys (your own; tenant admins see all)',
  security,
  request: { query: PageQuery },
  responses: { 200: jsonResponse(pageOf(ApiKeySchema, 'ApiKeyPage'), 'A page of API keys'), 401: errorResponses[401], 422: errorResponses[422] },
});

const create = createRoute({
  method: 'post',
  path: '/api-keys',
  middleware: jsonBodyChecks,
  tags,
  summary: 'Create an API key; the secret `key` is returned only once',
  security,
  request: {
    body: jsonBody(
      z.object({
        name: z.string().min(1).max(200),
        assistantId: z.string().uuid().nullable().optional(),
        expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
      }),
    ),
  },
  responses: { 201: jsonResponse(CreatedApiKeySchema, 'The new key, with its secret'), ...errorResponses },
});

const revoke = createRoute({
  method: 'delete',
  path: '/api-keys/{id}',
  tags,
  summary: 'Revoke an API key at once',
  security,
  request: { params: IdParam('id') },
  responses: { 204: { description: 'Revoked' }, 401: errorResponses[401], 403: errorResponses[403], 404: errorResponses[404] },
});

export const apiKeyRoutes = ({ core }: AppDeps) =>
  createRouter()
    .openapi(list, async (c) => {
      const page = await core.apiKeys.list(c.get('actor'), c.req.valid('query'));
      return c.json({ data: page.data.map(apiKeyJson), nextCursor: page.nextCursor }, 200);
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const key = await core.apiKeys.create(c.get('actor'), {
        name: body.name,
        assistantId: body.assistantId ?? null,
        expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
      });
      c.header('Cache-Control', 'no-store');
      return c.json(createdApiKeyJson(key), 201);
    })
    .openapi(revoke, async (c) => {
      await core.apiKeys.revoke(c.get('actor'), c.req.valid('param').id);
      return c.body(null, 204);
    });
