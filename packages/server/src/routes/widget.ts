import { createRoute, z } from '@hono/zod-openapi';
import { etag } from 'hono/etag';
import type { AppDeps } from '../http/env.js';
import { jsonBodyChecks } from '../http/middleware/body-limit.js';
import { apiSecurityHeaders } from '../http/middleware/security-headers.js';
import { widgetCors } from '../http/middleware/widget-cors.js';
import { noRoute } from '../http/problem.js';
import { createRouter } from '../http/router.js';
import { errorResponses, jsonBody, jsonResponse } from '../schemas/common.js';
import { WidgetConfigSchema, VisitorSessionSchema } from '../schemas/widget.js';

const tags = ['Widget (public)'];
const PublicKey = z.string().min(1).max(100).openapi({ description: "The widget's public key (`atr_pk_...`)", example: 'atr_pk_…' });
const { 400: e400, 401: e401, 403: e403, 413: e413, 422: e422 } = errorResponses;

const config = createRoute({
  method: 'get',
  path: '/config',
  middleware: [etag()],
  tags,
  summary: "What a page shows before the visitor speaks: the assistant's name, greeting, starter prompts, theme (cacheable: ETag, max-age 60 s)",
  description: 'Needs an `Origin` the widget allows; every other request is a 403 (`invalid_widget_key`, `widget_disabled`, `origin_not_allowed`).',
  request: { query: z.object({ key: PublicKey }) },
  responses: { 200: jsonResponse(WidgetConfigSchema, 'The widget configuration'), 304: { description: 'Not modified (If-None-Match)' }, 403: e403, 422: e422 },
});

const sessions = createRoute({
  method: 'post',
  path: '/sessions',
  middleware: jsonBodyChecks,
  tags,
  summary: 'Start (or renew) a visitor session: anonymous, or a verified site user with an identity token',
  request: {
    body: jsonBody(
      z.object({
        key: PublicKey,
        identityToken: z.string().min(1).max(4096).optional().openapi({
          description: "A JWT signed by the host site's backend with the widget's identity secret (HS256): `sub`, optional `name` and `email`, `exp` at most 24 h ahead",
        }),
        visitorToken: z.string().min(1).max(4096).optional().openapi({ description: 'The previous visitor token, expired or not, to remain the same anonymous visitor' }),
      }),
    ),
  },
  responses: { 201: jsonResponse(VisitorSessionSchema, 'The session'), 400: e400, 401: e401, 403: e403, 413: e413, 422: e422 },
});

/**
 * The widget's public API, `/api/v1/widget`: browsers on customers' sites, holding a public
 * key instead of a credential. CORS answers only origins the widget allows; nothing here
 * reaches the authenticated API.
 */
export const widgetRoutes = ({ core }: AppDeps) => {
  const router = createRouter();
  router.use(apiSecurityHeaders(), widgetCors(core));
  return router
    .openapi(config, async (c) => {
      const admitted = await core.widget.admit(c.req.valid('query').key, c.req.header('origin'));
      c.set('widgetOrigin', admitted.origin);
      // Page views are most of a busy site's traffic: let browsers and CDNs keep this a minute.
      return c.json(core.widget.config(admitted), 200, { 'Cache-Control': 'public, max-age=60' });
    })
    .openapi(sessions, async (c) => {
      const { key, ...input } = c.req.valid('json');
      const admitted = await core.widget.admit(key, c.req.header('origin'));
      c.set('widgetOrigin', admitted.origin);
      return c.json(await core.widget.startSession(admitted, input), 201);
    })
    .all('*', noRoute);
};
