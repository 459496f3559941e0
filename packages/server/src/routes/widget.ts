import { createRoute, z } from '@hono/zod-openapi';
import { createHash } from 'node:crypto';
import { visitorOwner } from '@atrium/core';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../http/env.js';
import { ifNoneMatchMatches } from '../http/conditional.js';
import { credentialFrom } from '../http/middleware/authenticate.js';
import { jsonBodyChecks } from '../http/middleware/body-limit.js';
import { idempotent } from '../http/middleware/idempotency.js';
import { apiSecurityHeaders } from '../http/middleware/security-headers.js';
import { pageOrigin, widgetCors } from '../http/middleware/widget-cors.js';
import { noRoute } from '../http/problem.js';
import { createRouter } from '../http/router.js';
import { errorResponses, IdempotencyHeaders, IdParam, jsonBody, jsonResponse } from '../schemas/common.js';
import { ConversationWithMessagesSchema, conversationWithMessagesJson, FeedbackRequestSchema, FeedbackSchema, feedbackJson } from '../schemas/conversations.js';
import { ChatRequest, chatEventStream, STREAM_DESCRIPTION } from './chat.js';
import { WidgetConfigSchema, VisitorSessionSchema } from '../schemas/widget.js';

const tags = ['Widget (public)'];
// Optional in the schema so that a request without one gets the 403 `invalid_widget_key` API.md promises, not a 422.
const PublicKey = z.string().min(1).max(100).openapi({ description: "The widget's public key (`atr_pk_...`); without it, 403 `invalid_widget_key`", example: 'atr_pk_…' });
const { 400: e400, 401: e401, 403: e403, 413: e413, 422: e422 } = errorResponses;

const config = createRoute({
  method: 'get',
  path: '/config',
  tags,
  summary: "What a page shows before the visitor speaks: the assistant's name, greeting, starter prompts, theme (cacheable: ETag, max-age 60 s)",
  description: 'Needs an `Origin` the widget allows; every other request is a 403 (`invalid_widget_key`, `widget_disabled`, `origin_not_allowed`).',
  security: [{ widgetPublicKey: [] }],
  request: { query: z.object({ key: PublicKey.optional() }) },
  responses: { 200: jsonResponse(WidgetConfigSchema, 'The widget configuration'), 304: { description: 'Not modified (If-None-Match)' }, 403: e403, 422: e422 },
});

const sessions = createRoute({
  method: 'post',
  path: '/sessions',
  middleware: jsonBodyChecks,
  tags,
  summary: 'Start (or renew) a visitor session: anonymous, or a verified site user with an identity token',
  description: 'No credential: the public key in the body names the widget, and the `Origin` must be one it allows.',
  security: [],
  request: {
    body: jsonBody(
      z.object({
        key: PublicKey.optional(),
        identityToken: z.string().min(1).max(4096).optional().openapi({
          description: "A JWT signed by the host site's backend with the widget's identity secret (HS256): `sub`, optional `name` and `email`, `exp` at most 24 h ahead",
        }),
        visitorToken: z.string().min(1).max(4096).optional().openapi({ description: 'The previous visitor token, expired or not, to remain the same anonymous visitor' }),
      }),
    ),
  },
  responses: { 201: jsonResponse(VisitorSessionSchema, 'The session'), 400: e400, 401: e401, 403: e403, 413: e413, 422: e422 },
});

const visitorSecurity = [{ visitorToken: [] }];

const chat = createRoute({
  method: 'post',
  path: '/chat',
  middleware: jsonBodyChecks,
  tags,
  summary: 'Ask the assistant as a visitor: streamed like the API chat; counts against the widget budgets (429 past them)',
  security: visitorSecurity,
  request: { headers: IdempotencyHeaders, body: jsonBody(ChatRequest.omit({ stream: true })) },
  responses: {
    200: { description: 'The answer', content: { 'text/event-stream': { schema: z.string().openapi({ description: STREAM_DESCRIPTION }) } } },
    400: e400,
    401: e401,
    403: e403,
    404: errorResponses[404],
    413: e413,
    422: e422,
    429: errorResponses[429],
  },
});

const conversation = createRoute({
  method: 'get',
  path: '/conversations/{conversationId}',
  tags,
  summary: "One of the visitor's own conversations, with its messages (after a reload)",
  security: visitorSecurity,
  request: { params: IdParam('conversationId') },
  responses: { 200: jsonResponse(ConversationWithMessagesSchema, 'The conversation'), 401: e401, 403: e403, 404: errorResponses[404] },
});

const feedback = createRoute({
  method: 'post',
  path: '/messages/{messageId}/feedback',
  middleware: jsonBodyChecks,
  tags,
  summary: "Rate an answer in one of the visitor's own conversations",
  security: visitorSecurity,
  request: { params: IdParam('messageId'), body: jsonBody(FeedbackRequestSchema) },
  responses: { 200: jsonResponse(FeedbackSchema, 'The rating'), 400: e400, 401: e401, 403: e403, 404: errorResponses[404], 413: e413, 422: e422 },
});

/** A widget's config as sent: its JSON and a strong ETag of it. */
interface ConfigBody {
  json: string;
  etag: string;
}

/**
 * The config's JSON and ETag, made once per widget as the widget cache loaded it (ADR 0032:
 * a record lives there two seconds and is replaced, never changed, when reloaded), instead of
 * serialising and hashing the same bytes again on every page view.
 */
const configBodies = (core: AppDeps['core']) => {
  const made = new WeakMap<object, ConfigBody>();
  return (admitted: Parameters<AppDeps['core']['widget']['config']>[0]): ConfigBody => {
    let body = made.get(admitted.widget);
    if (!body) {
      const json = JSON.stringify(core.widget.config(admitted));
      body = { json, etag: `"${createHash('sha1').update(json).digest('base64url')}"` };
      made.set(admitted.widget, body);
    }
    return body;
  };
};

/** The visitor behind `Authorization: Bearer <visitorToken>`, admitted by their widget; CORS follows. */
const admitVisitor = async (core: AppDeps['core'], c: Context<AppEnv>) => {
  const token = credentialFrom(c.req.header('authorization'), undefined) ?? undefined;
  const visitor = await core.widget.admitVisitor(token, pageOrigin(c));
  c.set('widgetOrigin', visitor.origin);
  return visitor;
};

/** Admits the visitor before the handler, for middleware that needs them (Idempotency-Key is theirs). */
const admitsVisitor =
  (core: AppDeps['core']): MiddlewareHandler<AppEnv> =>
  async function admitsVisitor(c, next) {
    c.set('visitor', await admitVisitor(core, c));
    await next();
  };

/**
 * The widget's public API, `/api/v1/widget`: browsers on customers' sites, holding a public
 * key instead of a credential. CORS answers only origins the widget allows; nothing here
 * reaches the authenticated API.
 */
export const widgetRoutes = ({ core }: AppDeps) => {
  const router = createRouter();
  const configBody = configBodies(core);
  router.use(apiSecurityHeaders(), widgetCors(core));
  return router
    .openapi(config, async (c) => {
      const admitted = await core.widget.admit(c.req.valid('query').key, pageOrigin(c));
      c.set('widgetOrigin', admitted.origin);
      const { json, etag } = configBody(admitted);
      // Page views are most of a busy site's traffic: let browsers and CDNs keep this a minute.
      const headers = { 'Cache-Control': 'public, max-age=60', ETag: etag };
      if (ifNoneMatchMatches(c, etag)) return c.body(null, 304, headers) as never;
      return c.body(json, 200, { ...headers, 'Content-Type': 'application/json' }) as never;
    })
    .openapi(sessions, async (c) => {
      const { key, ...input } = c.req.valid('json');
      const admitted = await core.widget.admit(key, pageOrigin(c));
      c.set('widgetOrigin', admitted.origin);
      return c.json(await core.widget.startSession(admitted, input), 201);
    })
    // A retry of a visitor's question (the widget client retries with the same key) gets the first answer, not a second one.
    .openapi({ ...chat, middleware: [...jsonBodyChecks, admitsVisitor(core), idempotent(core, (c) => visitorOwner(c.get('visitor').claims))] }, async (c) => {
      const visitor = c.get('visitor');
      const { message, conversationId } = c.req.valid('json');
      const controller = new AbortController();
      const stream = await core.widget.chat(visitor, { message, conversationId, signal: controller.signal });
      return chatEventStream(c, stream, controller) as never;
    })
    .openapi(conversation, async (c) => {
      const visitor = await admitVisitor(core, c);
      return c.json(conversationWithMessagesJson(await core.widget.conversation(visitor, c.req.valid('param').conversationId)), 200);
    })
    .openapi(feedback, async (c) => {
      const visitor = await admitVisitor(core, c);
      return c.json(feedbackJson(await core.widget.rate(visitor, c.req.valid('param').messageId, c.req.valid('json'))), 200);
    })
    .all('*', noRoute);
};
