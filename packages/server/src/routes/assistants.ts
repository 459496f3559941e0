import { createRoute, z } from '@hono/zod-openapi';
import { CONVERSATION_CHANNELS } from '@atrium/core';
import type { AppDeps } from '../http/env.js';
import { acceptsAssistantKeys } from '../http/middleware/authenticate.js';
import { jsonBodyChecks } from '../http/middleware/body-limit.js';
import { streamConversations } from '../http/conversation-export.js';
import { createRouter } from '../http/router.js';
import {
  AssistantSchema,
  assistantJson,
  CreateAssistantSchema,
  ModelCatalogSchema,
  modelCatalogJson,
  UpdateAssistantSchema,
} from '../schemas/assistants.js';
import { errorResponses, IdParam, jsonBody, jsonResponse, PageQuery, pageOf, security } from '../schemas/common.js';
import {
  ConversationSchema,
  conversationJson,
  ConversationWithMessagesSchema,
  conversationWithMessagesJson,
  FeedbackRequestSchema,
  FeedbackSchema,
  feedbackJson,
  UsageReportSchema,
  usageReportJson,
} from '../schemas/conversations.js';

const SpaceId = IdParam('spaceId');
const AssistantId = IdParam('assistantId');
const ConversationId = IdParam('conversationId');
const MessageId = IdParam('messageId');

// Timestamps the database can store: years 1 to 9999, also after applying the offset.
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');
const instant = (description: string, example: string) =>
  // ISO 8601 either way: an instant with its offset, or a date alone (midnight UTC).
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'Must be an ISO 8601 date or date-time, e.g. 2026-11-01 or 2026-11-01T00:00:00Z' })
    .refine((value) => {
      const time = Date.parse(value);
      return time >= EARLIEST && time <= LATEST;
    }, 'Must lie between the years 1 and 9999')
    .optional()
    .openapi({ description: `${description}; a date alone means its midnight UTC`, example });

/** Which conversations a listing or an export covers (API.md §Assistants and chat). */
const ConversationFilters = z.object({
  scope: z
    .enum(['mine', 'all'])
    .default('mine')
    .openapi({ description: "`mine`: your own conversations; `all`: everyone's (space admins and editors)" }),
  channel: z.enum(CONVERSATION_CHANNELS).optional().openapi({ description: 'Only conversations of this channel' }),
  feedback: z
    .enum(['up', 'down', 'any'])
    .optional()
    .openapi({ description: 'Only conversations with at least one answer rated up, down, or either' }),
  from: instant('Only conversations started at or after this time, ISO 8601', '2026-11-01T00:00:00Z'),
  to: instant('Only conversations started before this time, ISO 8601', '2026-12-01T00:00:00Z'),
});
const ConversationQuery = PageQuery.extend(ConversationFilters.shape);
const ExportQuery = ConversationFilters.extend({
  format: z.enum(['csv', 'jsonl']).openapi({ description: '`csv`: one row per message; `jsonl`: one conversation with its messages per line' }),
});

/** A period's validated ISO strings as the dates core takes. */
const periodOf = ({ from, to }: { from?: string | undefined; to?: string | undefined }) => ({
  from: from === undefined ? undefined : new Date(from),
  to: to === undefined ? undefined : new Date(to),
});

/** The filters as core takes them. */
const filterOf = ({ channel, feedback, from, to }: z.infer<typeof ConversationFilters>) => ({ channel, feedback, ...periodOf({ from, to }) });

const UsageQuery = z.object({
  from: instant('Start of the period, ISO 8601 (inclusive); default: 30 days before `to`', '2025-01-01T00:00:00Z'),
  to: instant('End of the period, ISO 8601 (exclusive); default: now', '2025-02-01T00:00:00Z'),
  groupBy: z.enum(['day']).optional().openapi({ description: '`day` adds `series`: the totals of every UTC day of the period' }),
  channel: z.enum(CONVERSATION_CHANNELS).optional().openapi({ description: "Only answers of this channel's conversations" }),
});

const routes = {
  list: createRoute({
    method: 'get',
    path: '/spaces/{spaceId}/assistants',
    tags: ['Assistants'],
    summary: "List a space's assistants (viewers see published ones only)",
    security,
    request: { params: SpaceId, query: PageQuery },
    responses: { 200: jsonResponse(pageOf(AssistantSchema, 'AssistantPage'), 'A page of assistants'), ...errorResponses },
  }),
  create: createRoute({
    method: 'post',
    path: '/spaces/{spaceId}/assistants',
    middleware: jsonBodyChecks,
    tags: ['Assistants'],
    summary: 'Create an assistant (space editors and admins); a draft unless `published`',
    security,
    request: { params: SpaceId, body: jsonBody(CreateAssistantSchema) },
    responses: { 201: jsonResponse(AssistantSchema, 'The new assistant'), ...errorResponses },
  }),
  get: createRoute({
    method: 'get',
    path: '/assistants/{assistantId}',
    middleware: [acceptsAssistantKeys],
    tags: ['Assistants'],
    summary: 'Get an assistant',
    security,
    request: { params: AssistantId },
    responses: { 200: jsonResponse(AssistantSchema, 'The assistant'), ...errorResponses },
  }),
  update: createRoute({
    method: 'patch',
    path: '/assistants/{assistantId}',
    middleware: [acceptsAssistantKeys, ...jsonBodyChecks],
    tags: ['Assistants'],
    summary: 'Update an assistant; fields left out stay as they are',
    security,
    request: { params: AssistantId, body: jsonBody(UpdateAssistantSchema) },
    responses: { 200: jsonResponse(AssistantSchema, 'The updated assistant'), ...errorResponses },
  }),
  delete: createRoute({
    method: 'delete',
    path: '/assistants/{assistantId}',
    middleware: [acceptsAssistantKeys],
    tags: ['Assistants'],
    summary: 'Delete an assistant with its conversations; API keys scoped to it are revoked',
    security,
    request: { params: AssistantId },
    responses: { 204: { description: 'Deleted' }, ...errorResponses },
  }),
  listConversations: createRoute({
    method: 'get',
    path: '/assistants/{assistantId}/conversations',
    middleware: [acceptsAssistantKeys],
    tags: ['Conversations'],
    summary: "An assistant's conversations, newest first: your own, or with scope=all everyone's (space admins and editors)",
    security,
    request: { params: AssistantId, query: ConversationQuery },
    responses: { 200: jsonResponse(pageOf(ConversationSchema, 'ConversationPage'), 'A page of conversations'), ...errorResponses },
  }),
  exportConversations: createRoute({
    method: 'get',
    path: '/assistants/{assistantId}/conversations/export',
    middleware: [acceptsAssistantKeys],
    tags: ['Conversations'],
    summary: 'Download conversations as CSV or JSON Lines, with the same scope and filters as the listing; streamed',
    security,
    request: { params: AssistantId, query: ExportQuery },
    responses: {
      200: {
        description: 'The conversations, newest first, as an attachment',
        content: { 'text/csv': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() } },
      },
      ...errorResponses,
    },
  }),
  getConversation: createRoute({
    method: 'get',
    path: '/conversations/{conversationId}',
    middleware: [acceptsAssistantKeys],
    tags: ['Conversations'],
    summary: 'Get a conversation with its messages (your own; space admins any in their space)',
    security,
    request: { params: ConversationId },
    responses: { 200: jsonResponse(ConversationWithMessagesSchema, 'The conversation and its messages, oldest first'), ...errorResponses },
  }),
  deleteConversation: createRoute({
    method: 'delete',
    path: '/conversations/{conversationId}',
    middleware: [acceptsAssistantKeys],
    tags: ['Conversations'],
    summary: 'Delete a conversation with its messages',
    security,
    request: { params: ConversationId },
    responses: { 204: { description: 'Deleted' }, ...errorResponses },
  }),
  rate: createRoute({
    method: 'post',
    path: '/messages/{messageId}/feedback',
    middleware: [acceptsAssistantKeys, ...jsonBodyChecks],
    tags: ['Conversations'],
    summary: 'Rate an answer (the person who asked); rating again replaces the earlier rating',
    security,
    request: { params: MessageId, body: jsonBody(FeedbackRequestSchema) },
    responses: { 200: jsonResponse(FeedbackSchema, 'The rating now stored'), ...errorResponses },
  }),
  usage: createRoute({
    method: 'get',
    path: '/usage',
    tags: ['Usage'],
    summary: "Token usage of the tenant's assistants over a period (tenant owners and admins)",
    security,
    request: { query: UsageQuery },
    responses: { 200: jsonResponse(UsageReportSchema, 'Totals for the tenant and per assistant'), ...errorResponses },
  }),
  models: createRoute({
    method: 'get',
    path: '/models',
    middleware: [acceptsAssistantKeys],
    tags: ['Models'],
    summary: 'The configured completion and embedding models',
    security,
    responses: { 200: jsonResponse(ModelCatalogSchema, 'The models'), 401: errorResponses[401], 403: errorResponses[403] },
  }),
};

/** Assistants CRUD, conversations, feedback, usage and the model list. */
export const assistantRoutes = ({ core }: AppDeps) =>
  createRouter()
    .openapi(routes.list, async (c) => {
      const page = await core.assistants.list(c.get('actor'), c.req.valid('param').spaceId, c.req.valid('query'));
      return c.json({ data: page.data.map(assistantJson), nextCursor: page.nextCursor }, 200);
    })
    .openapi(routes.create, async (c) => {
      const created = await core.assistants.create(c.get('actor'), c.req.valid('param').spaceId, c.req.valid('json'));
      return c.json(assistantJson(created), 201);
    })
    .openapi(routes.get, async (c) => {
      return c.json(assistantJson(await core.assistants.get(c.get('actor'), c.req.valid('param').assistantId)), 200);
    })
    .openapi(routes.update, async (c) => {
      const updated = await core.assistants.update(c.get('actor'), c.req.valid('param').assistantId, c.req.valid('json'));
      return c.json(assistantJson(updated), 200);
    })
    .openapi(routes.delete, async (c) => {
      await core.assistants.delete(c.get('actor'), c.req.valid('param').assistantId);
      return c.body(null, 204);
    })
    .openapi(routes.listConversations, async (c) => {
      const { scope, limit, cursor, ...filters } = c.req.valid('query');
      const filter = filterOf({ scope, ...filters });
      const result = await core.conversations.list(c.get('actor'), c.req.valid('param').assistantId, { limit, cursor }, scope, filter);
      return c.json({ data: result.data.map(conversationJson), nextCursor: result.nextCursor }, 200);
    })
    .openapi(routes.exportConversations, async (c) => {
      const { format, ...filters } = c.req.valid('query');
      const { assistantId } = c.req.valid('param');
      // Access and filters are settled here, so a refusal is still a problem+json, not a broken download.
      const conversations = await core.conversations.export(c.get('actor'), assistantId, filters.scope, filterOf(filters));
      return streamConversations(c, conversations, format, `conversations-${assistantId}`);
    })
    .openapi(routes.getConversation, async (c) => {
      const conversation = await core.conversations.get(c.get('actor'), c.req.valid('param').conversationId);
      return c.json(conversationWithMessagesJson(conversation), 200);
    })
    .openapi(routes.deleteConversation, async (c) => {
      await core.conversations.delete(c.get('actor'), c.req.valid('param').conversationId);
      return c.body(null, 204);
    })
    .openapi(routes.rate, async (c) => {
      const feedback = await core.messages.rate(c.get('actor'), c.req.valid('param').messageId, c.req.valid('json'));
      return c.json(feedbackJson(feedback), 200);
    })
    .openapi(routes.usage, async (c) => {
      const { groupBy, channel, ...period } = c.req.valid('query');
      const report = await core.usage(c.get('actor'), { ...periodOf(period), groupBy, channel });
      return c.json(usageReportJson(report), 200);
    })
    .openapi(routes.models, (c) => c.json(modelCatalogJson(core.models.list()), 200));
