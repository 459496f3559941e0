import { createRoute, z } from '@hono/zod-openapi';
import { collectChat, MAX_MESSAGE_LENGTH, type ChatEvent, type ChatStream, type ChatTimings } from '@atrium/core';
import type { Context } from 'hono';
import type { AppDeps } from '../http/env.js';
import { acceptsAssistantKeys } from '../http/middleware/authenticate.js';
import { jsonBodyChecks } from '../http/middleware/body-limit.js';
import { idempotent } from '../http/middleware/idempotency.js';
import { createRouter } from '../http/router.js';
import { streamEvents } from '../http/sse.js';
import { errorResponses, IdempotencyHeaders, IdParam, jsonBody, security } from '../schemas/common.js';
import { MessageSchema, messageJson } from '../schemas/conversations.js';

export const ChatRequest = z.object({
  message: z.string().min(1).max(MAX_MESSAGE_LENGTH),
  conversationId: z.string().min(1).max(100).nullable().optional().openapi({ description: 'Continue this conversation' }),
  stream: z.boolean().default(true).openapi({ description: 'true (default): text/event-stream; false: one JSON answer' }),
});

const ChatResponse = z.object({ conversationId: z.string(), message: MessageSchema }).openapi('ChatResponse');

export const STREAM_DESCRIPTION = [
  'Server-sent events, in order: `start` {conversationId, messageId}; `references` {references: Reference[]};',
  '`delta` {text} (repeated); then `done` {messageId, conversationId, finishReason, usage: {promptTokens, completionTokens}, timings, model}',
  'or `error` {code, message}, after which nothing follows. Answers cite references as [index].',
].join(' ');

const route = createRoute({
  method: 'post',
  path: '/assistants/{assistantId}/chat',
  tags: ['Chat'],
  summary: 'Ask an assistant: streamed (SSE, default) or one JSON answer',
  description:
    'A client that disconnects cancels generation; the partial answer is stored with finishReason `aborted`. Non-streamed answers carry a `Server-Timing` header (retrieval, ttft, total).',
  security,
  request: { params: IdParam('assistantId'), headers: IdempotencyHeaders, body: jsonBody(ChatRequest) },
  responses: {
    200: {
      description: 'The answer',
      content: {
        'text/event-stream': { schema: z.string().openapi({ description: STREAM_DESCRIPTION }) },
        'application/json': { schema: ChatResponse },
      },
    },
    503: { description: 'The completion model is not configured or not reachable', content: errorResponses[422].content },
    ...errorResponses,
  },
});

/** The data of each SSE event: the event without its `type`, which is the event's name. */
const eventData = (event: ChatEvent): string => {
  const { type: _type, ...data } = event;
  return JSON.stringify(data);
};

/** A chat's events as server-sent events; a client that goes away aborts `controller`, which stops generation. */
export const chatEventStream = (c: Context, chat: ChatStream, controller: AbortController): Response =>
  streamEvents(c, async (stream, clientGone) => {
    clientGone.addEventListener('abort', () => controller.abort(clientGone.reason), { once: true });
    for await (const event of chat.events) {
      if (!stream.aborted) await stream.writeSSE({ event: event.type, data: eventData(event) });
    }
  });

export const serverTiming = (t: ChatTimings): string =>
  [`retrieval;dur=${t.retrievalMs}`, ...(t.firstTokenMs === null ? [] : [`ttft;dur=${t.firstTokenMs}`]), `total;dur=${t.totalMs}`].join(', ');

export const chatRoutes = ({ core }: AppDeps) =>
  createRouter().openapi({ ...route, middleware: [acceptsAssistantKeys, ...jsonBodyChecks, idempotent(core)] }, async (c) => {
    const { message, conversationId, stream: streamed } = c.req.valid('json');
    const actor = c.get('actor');
    const assistantId = c.req.valid('param').assistantId;

    if (!streamed) {
      const chat = await core.assistants.chat(actor, assistantId, { message, conversationId, signal: c.req.raw.signal });
      const answer = await collectChat(chat);
      if (answer.message.timings) c.header('Server-Timing', serverTiming(answer.message.timings));
      return c.json(
        { conversationId: answer.conversationId, message: messageJson(answer.message) },
        200,
      );
    }

    // Settle access, validation and the conversation before any byte is streamed, so
    // those failures are ordinary problem responses.
    const controller = new AbortController();
    const chat = await core.assistants.chat(actor, assistantId, { message, conversationId, signal: controller.signal });
    return chatEventStream(c, chat, controller) as never;
  });
