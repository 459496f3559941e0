import { z } from '@hono/zod-openapi';
import {
  CONVERSATION_CHANNELS,
  FEEDBACK_RATINGS,
  FINISH_REASONS,
  MESSAGE_ROLES,
  type Conversation,
  type ConversationWithMessages,
  type Feedback,
  type Message,
  type Reference,
  type UsageReport,
  type UsageTotals,
} from '@atrium/core';
import { iso } from './common.js';

export const ReferenceSchema = z
  .object({
    id: z.string().openapi({ description: 'The chunk id' }),
    index: z.number().int().openapi({ description: 'Cited in the answer as [index]', example: 1 }),
    documentId: z.string(),
    documentTitle: z.string(),
    url: z.string().optional(),
    text: z.string(),
    score: z.number(),
  })
  .openapi('Reference');

export const UsageSchema = z
  .object({ promptTokens: z.number().int(), completionTokens: z.number().int() })
  .openapi('TokenUsage');

export const TimingsSchema = z
  .object({
    retrievalMs: z.number(),
    firstTokenMs: z.number().nullable(),
    totalMs: z.number(),
  })
  .openapi('ChatTimings');

export const FeedbackSchema = z
  .object({
    messageId: z.string(),
    rating: z.enum(FEEDBACK_RATINGS),
    comment: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Feedback');

export const MessageSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    role: z.enum(MESSAGE_ROLES),
    content: z.string(),
    references: z.array(ReferenceSchema),
    citations: z.array(z.number().int()).openapi({ description: 'Reference indexes the answer cites, in order' }),
    finishReason: z.enum(FINISH_REASONS).nullable().openapi({ description: '`aborted`: the client left and the answer is partial' }),
    errorCode: z.string().nullable(),
    model: z.string().nullable(),
    usage: UsageSchema.nullable(),
    timings: TimingsSchema.nullable(),
    createdAt: z.string(),
    feedback: FeedbackSchema.nullable().openapi({ description: 'Answers: the rating their asker gave (POST .../feedback), or null' }),
  })
  .openapi('Message');

export const ConversationSchema = z
  .object({
    id: z.string(),
    assistantId: z.string(),
    spaceId: z.string(),
    userId: z.string().nullable().openapi({ description: 'The user who asked, or for whom the API key acted; null for widget visitors' }),
    apiKeyId: z.string().nullable().openapi({ description: 'The API key that asked (channels `api` and `openai`); null otherwise' }),
    visitor: z
      .object({
        id: z.string(),
        verified: z.boolean().openapi({ description: "The host site vouched for this visitor (a verified identity token): then `subject` is the site's own user id" }),
        subject: z.string().nullable(),
        name: z.string().nullable(),
        email: z.string().nullable(),
      })
      .nullable()
      .openapi({ description: 'The widget visitor who asked (channel `widget`); null for users and API keys' }),
    channel: z.enum(CONVERSATION_CHANNELS).openapi({
      description: '`app`: a signed-in user (access token); `api`: an API key; `openai`: the OpenAI-compatible endpoint; `widget`: a widget visitor',
    }),
    title: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Conversation');

export const ConversationWithMessagesSchema = ConversationSchema.extend({ messages: z.array(MessageSchema) }).openapi(
  'ConversationWithMessages',
);

export const referenceJson = (r: Reference) => ({
  id: r.id,
  index: r.index,
  documentId: r.documentId,
  documentTitle: r.documentTitle,
  ...(r.url !== undefined && { url: r.url }),
  text: r.text,
  score: r.score,
});

export const messageJson = (m: Message) => ({
  id: m.id,
  conversationId: m.conversationId,
  role: m.role,
  content: m.content,
  references: m.references.map(referenceJson),
  citations: m.citations,
  finishReason: m.finishReason,
  errorCode: m.errorCode,
  model: m.model,
  usage: m.usage,
  timings: m.timings,
  createdAt: iso(m.createdAt),
  feedback: m.feedback ? feedbackJson(m.feedback) : null,
});

export const conversationJson = (c: Conversation) => ({
  id: c.id,
  assistantId: c.assistantId,
  spaceId: c.spaceId,
  userId: c.userId,
  apiKeyId: c.apiKeyId,
  visitor: c.visitorId
    ? {
        id: c.visitorId,
        verified: c.visitorIdentity !== null,
        subject: c.visitorIdentity?.subject ?? null,
        name: c.visitorIdentity?.name ?? null,
        email: c.visitorIdentity?.email ?? null,
      }
    : null,
  channel: c.channel,
  title: c.title,
  createdAt: iso(c.createdAt),
  updatedAt: iso(c.updatedAt),
});

export const conversationWithMessagesJson = (c: ConversationWithMessages) => ({
  ...conversationJson(c),
  messages: c.messages.map(messageJson),
});

export const FEEDBACK_COMMENT_MAX_LENGTH = 2000;

export const FeedbackRequestSchema = z
  .object({
    rating: z.enum(FEEDBACK_RATINGS),
    comment: z.string().max(FEEDBACK_COMMENT_MAX_LENGTH).nullable().optional(),
  })
  .openapi('FeedbackRequest');


const usageTotalsFields = {
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  messages: z.number().int().openapi({ description: 'Answers generated' }),
};

export const UsageReportSchema = z
  .object({
    from: z.string().openapi({ description: 'Start of the period (inclusive)' }),
    to: z.string().openapi({ description: 'End of the period (exclusive)' }),
    channel: z.enum(CONVERSATION_CHANNELS).optional().openapi({ description: 'The channel counted, when one was asked for' }),
    total: z.object(usageTotalsFields).openapi('UsageTotals'),
    assistants: z.array(
      z
        .object({
          assistantId: z.string(),
          name: z.string().nullable().openapi({ description: 'null when the assistant has since been deleted' }),
          ...usageTotalsFields,
        })
        .openapi('AssistantUsage'),
    ),
    series: z
      .array(z.object({ date: z.string().openapi({ description: 'A UTC day, YYYY-MM-DD', example: '2026-11-24' }), ...usageTotalsFields }).openapi('DailyUsage'))
      .optional()
      .openapi({ description: 'With groupBy=day: every UTC day the period touches, oldest first, days without answers as zeros' }),
  })
  .openapi('UsageReport');

export const feedbackJson = (f: Feedback) => ({
  messageId: f.messageId,
  rating: f.rating,
  comment: f.comment,
  createdAt: iso(f.createdAt),
  updatedAt: iso(f.updatedAt),
});

const totalsJson = (t: UsageTotals) => ({ promptTokens: t.promptTokens, completionTokens: t.completionTokens, messages: t.messages });

export const usageReportJson = (r: UsageReport) => ({
  from: iso(r.from),
  to: iso(r.to),
  ...(r.channel && { channel: r.channel }),
  total: totalsJson(r.total),
  assistants: r.assistants.map((a) => ({ assistantId: a.assistantId, name: a.name, ...totalsJson(a) })),
  ...(r.series && { series: r.series.map((d) => ({ date: d.date, ...totalsJson(d) })) }),
});
