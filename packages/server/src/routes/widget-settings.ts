import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../http/env.js';
import { jsonBodyChecks } from '../http/middleware/body-limit.js';
import { createRouter } from '../http/router.js';
import { errorResponses, IdParam, jsonBody, jsonResponse, security } from '../schemas/common.js';
import { WidgetSettingsSchema, widgetSettingsJson, WidgetSettingsUpdateSchema } from '../schemas/widget.js';

const tags = ['Widget settings'];
const AssistantId = IdParam('assistantId');

const routes = {
  get: createRoute({
    method: 'get',
    path: '/assistants/{assistantId}/widget',
    tags,
    summary: "An assistant's chat widget: who may embed it, how it looks, its limits and public key (space editors and admins)",
    security,
    request: { params: AssistantId },
    responses: { 200: jsonResponse(WidgetSettingsSchema, 'The widget settings'), ...errorResponses },
  }),
  update: createRoute({
    method: 'put',
    path: '/assistants/{assistantId}/widget',
    middleware: jsonBodyChecks,
    tags,
    summary: "Replace an assistant's widget settings; fields left out take their defaults",
    security,
    request: { params: AssistantId, body: jsonBody(WidgetSettingsUpdateSchema) },
    responses: { 200: jsonResponse(WidgetSettingsSchema, 'The widget settings'), ...errorResponses },
  }),
  rotateKey: createRoute({
    method: 'post',
    path: '/assistants/{assistantId}/widget/rotate-key',
    tags,
    summary: 'A new public key for the widget; the old one stops working at once',
    security,
    request: { params: AssistantId },
    responses: { 200: jsonResponse(WidgetSettingsSchema, 'The widget settings with the new key'), ...errorResponses },
  }),
  identitySecret: createRoute({
    method: 'post',
    path: '/assistants/{assistantId}/widget/identity-secret',
    tags,
    summary: "Generate the HS256 secret a host site's backend signs visitor identities with (shown only in this response)",
    security,
    request: { params: AssistantId },
    responses: {
      201: jsonResponse(
        z.object({ identitySecret: z.string().openapi({ description: 'Shown only here; store it on your backend' }), widget: WidgetSettingsSchema }).openapi('WidgetIdentitySecret'),
        'The secret, once, and the widget settings',
      ),
      ...errorResponses,
    },
  }),
};

/** Widget settings of an assistant, for the people who run it. The widget's public API is `routes/widget.ts`. */
export const widgetSettingsRoutes = ({ core }: AppDeps) =>
  createRouter()
    .openapi(routes.get, async (c) => {
      return c.json(widgetSettingsJson(await core.assistants.widget.get(c.get('actor'), c.req.valid('param').assistantId)), 200);
    })
    .openapi(routes.update, async (c) => {
      const updated = await core.assistants.widget.update(c.get('actor'), c.req.valid('param').assistantId, c.req.valid('json'));
      return c.json(widgetSettingsJson(updated), 200);
    })
    .openapi(routes.rotateKey, async (c) => {
      return c.json(widgetSettingsJson(await core.assistants.widget.rotateKey(c.get('actor'), c.req.valid('param').assistantId)), 200);
    })
    .openapi(routes.identitySecret, async (c) => {
      const { identitySecret, widget } = await core.assistants.widget.createIdentitySecret(c.get('actor'), c.req.valid('param').assistantId);
      return c.json({ identitySecret, widget: widgetSettingsJson(widget) }, 201);
    });
