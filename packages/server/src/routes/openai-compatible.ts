/**
 * The OpenAI-compatible API (API.md §OpenAI-compatible): `GET /v1/models` lists the
 * assistants the key may use, `POST /v1/chat/completions` answers with an assistant
 * (`model` = assistant id), streamed or not, in OpenAI's own shapes, so any OpenAI client
 * works unchanged. Errors use OpenAI's error format on these paths (ADR 0013), and the
 * routes are documented in docs/openai-compatible.md rather than in /openapi.json.
 */
import { AtriumError, collectChat, isAtriumError, type Actor, type Assistant, type AtriumCore, type ChatMessage, type FinishReason, type TokenUsage } from '@atrium/core';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { AppDeps, AppEnv } from '../http/env.js';
import { credentialFrom } from '../http/middleware/authenticate.js';
import { MAX_JSON_BYTES } from '../http/middleware/body-limit.js';
import { apiCors } from '../http/middleware/cors.js';
import { apiSecurityHeaders } from '../http/middleware/security-headers.js';
import { streamEvents } from '../http/sse.js';
import { STATUS_BY_KIND } from '../http/problem.js';
import { referenceJson } from '../schemas/conversations.js';
import { serverTiming } from './chat.js';

type OpenAIErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error' | 'rate_limit_error' | 'api_error';

const ERROR_TYPES: Record<number, OpenAIErrorType> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

/** Atrium's statuses, except that OpenAI answers invalid requests with 400, not 422. */
const statusFor = (kind: AtriumError['kind']): ContentfulStatusCode => (kind === 'invalid' ? 400 : STATUS_BY_KIND[kind]);

/** An error in OpenAI's format (`{ error: { message, type, param, code } }`), for everything under `/v1`. */
export const openAIErrorResponse = (
  c: Context,
  status: ContentfulStatusCode,
  message: string,
  code: string | null,
  param: string | null = null,
  headers: Record<string, string> = {},
) =>
  c.json({ error: { message, type: ERROR_TYPES[status] ?? 'api_error', param, code } }, status, {
    ...headers,
    ...(c.get('requestId') && { 'X-Request-Id': c.get('requestId') }),
  });

const errorResponse = (c: Context, error: unknown): Response => {
  if (isAtriumError(error)) {
    const status = statusFor(error.kind);
    const field = error.details.errors?.[0];
    const headers: Record<string, string> = {};
    if (error.details.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.details.retryAfterSeconds);
    // An unknown model is what OpenAI clients know as model_not_found.
    const code = status === 404 && /assistant/i.test(error.message) ? 'model_not_found' : error.code;
    const message = status === 404 && code === 'model_not_found' ? 'The model does not exist or you do not have access to it' : error.message;
    return openAIErrorResponse(c, status, field ? `${message}: ${field.path}: ${field.message}` : message, code, field?.path ?? (code === 'model_not_found' ? 'model' : null), headers);
  }
  if (error instanceof HTTPException) return openAIErrorResponse(c, error.status as ContentfulStatusCode, error.message || 'Bad request', null);
  c.get('logger')?.error({ err: error }, 'unhandled error');
  return openAIErrorResponse(c, 500, 'An unexpected error occurred; quote the X-Request-Id header when reporting it', 'internal_error');
};

const TextPart = z.object({ type: z.literal('text'), text: z.string() }).passthrough();
const OtherPart = z.object({ type: z.string() }).passthrough();
const MessageInput = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
    content: z.union([z.string(), z.array(z.union([TextPart, OtherPart])), z.null()]).optional(),
    name: z.string().optional(),
  })
  .passthrough();

const CompletionRequest = z
  .object({
    model: z.string().min(1),
    messages: z.array(MessageInput).min(1),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).passthrough().nullable().optional(),
    n: z.number().int().nullable().optional(),
  })
  .passthrough();

/** Text of a message: strings as they are, text parts joined; images and other parts are not supported. */
const textOf = (content: z.infer<typeof MessageInput>['content'], index: number): string => {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part, p) => {
      if (part.type !== 'text') throw new AtriumError('invalid', 'unsupported_content', `Only text content is supported (messages[${index}].content[${p}] is ${part.type})`);
      return (part as z.infer<typeof TextPart>).text;
    })
    .join('');
};

/** OpenAI roles onto ours: `developer` is the newer name for `system`; tool traffic is dropped. */
const toChatMessages = (messages: z.infer<typeof MessageInput>[]): ChatMessage[] =>
  messages.flatMap((m, i): ChatMessage[] => {
    if (m.role === 'tool' || m.role === 'function') return [];
    const role = m.role === 'developer' ? 'system' : m.role;
    return [{ role, content: textOf(m.content, i) }];
  });

const finishReasonOf = (reason: FinishReason): 'stop' | 'length' | 'content_filter' =>
  reason === 'length' || reason === 'content_filter' ? reason : 'stop';

const usageJson = (usage: TokenUsage) => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.promptTokens + usage.completionTokens,
});

const modelJson = (a: Assistant) => ({
  id: a.id,
  object: 'model' as const,
  created: Math.floor(a.createdAt.getTime() / 1000),
  owned_by: 'atrium',
  name: a.name,
});

/** Any API key or access token, assistant-scoped keys included; refusals in OpenAI's format. */
const authenticateOpenAI = (core: AtriumCore): MiddlewareHandler<AppEnv> =>
  async function authenticateOpenAI(c, next) {
    const credential = credentialFrom(c.req.header('authorization'), c.req.header('x-api-key'));
    if (!credential)
      return openAIErrorResponse(c, 401, 'Missing API key: send it as `Authorization: Bearer atr_sk_...`', 'invalid_api_key');
    let actor: Actor;
    try {
      actor = await core.auth.authenticate(credential);
    } catch (error) {
      if (isAtriumError(error) && error.kind === 'unauthenticated') return openAIErrorResponse(c, 401, 'Incorrect API key provided', 'invalid_api_key');
      throw error;
    }
    c.set('actor', actor);
    await next();
  };

const limitBody = bodyLimit({
  maxSize: MAX_JSON_BYTES,
  onError: (c) => openAIErrorResponse(c, 413, 'The request body is too large', 'request_too_large'),
});

/** The OpenAI-compatible API, `/v1`: its own authentication, body limit and error format. */
export const openAICompatibleRoutes = ({ core, corsOrigins }: AppDeps) => {
  const app = new Hono<AppEnv>();

  app.onError((error, c) => errorResponse(c, error));
  app.use(apiSecurityHeaders(), apiCors({ origins: corsOrigins ?? '*' }), authenticateOpenAI(core));

  app.get('/models', async (c) => {
    const assistants = await core.models.assistants(c.get('actor'));
    return c.json({ object: 'list', data: assistants.map(modelJson) });
  });

  app.get('/models/:model', async (c) => {
    return c.json(modelJson(await core.assistants.get(c.get('actor'), c.req.param('model'))));
  });

  app.post('/chat/completions', limitBody, async (c) => {
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      return openAIErrorResponse(c, 400, 'We could not parse the JSON body of your request', 'invalid_json');
    }
    const parsed = CompletionRequest.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const param = issue.path.join('.');
      return openAIErrorResponse(c, 400, `Invalid value for '${param || 'body'}': ${issue.message}`, 'invalid_value', param || null);
    }
    const body = parsed.data;
    if (body.n !== undefined && body.n !== null && body.n !== 1)
      return openAIErrorResponse(c, 400, 'Only n = 1 is supported', 'invalid_value', 'n');
    const actor = c.get('actor');
    const messages = toChatMessages(body.messages);
    const controller = new AbortController();
    const chat = await core.assistants.complete(actor, body.model, { messages, signal: controller.signal });
    const id = `chatcmpl-${chat.messageId}`;
    const created = Math.floor(Date.now() / 1000);

    if (!body.stream) {
      c.req.raw.signal?.addEventListener('abort', () => controller.abort(), { once: true });
      const { conversationId, message } = await collectChat(chat);
      if (message.timings) c.header('Server-Timing', serverTiming(message.timings));
      return c.json({
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: message.content, refusal: null },
            finish_reason: finishReasonOf(message.finishReason ?? 'stop'),
            logprobs: null,
          },
        ],
        usage: usageJson(message.usage ?? { promptTokens: 0, completionTokens: 0 }),
        // Extensions: the passages the answer cites as [n], and where it was stored.
        references: message.references.map(referenceJson),
        conversation_id: conversationId,
      });
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (delta: Record<string, unknown>, finishReason: string | null, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model: body.model,
        choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
        ...extra,
      });
    return streamEvents(c, async (stream, clientGone) => {
      clientGone.addEventListener('abort', () => controller.abort(clientGone.reason), { once: true });
      const send = async (data: string) => {
        if (!stream.aborted) await stream.writeSSE({ data });
      };
      for await (const event of chat.events) {
        if (event.type === 'references')
          await send(chunk({ role: 'assistant', content: '' }, null, { references: event.references.map(referenceJson), conversation_id: chat.conversationId }));
        else if (event.type === 'delta') await send(chunk({ content: event.text }, null));
        else if (event.type === 'done') {
          await send(chunk({}, finishReasonOf(event.finishReason)));
          if (includeUsage)
            await send(
              JSON.stringify({
                id,
                object: 'chat.completion.chunk',
                created,
                model: body.model,
                choices: [],
                usage: usageJson(event.usage),
              }),
            );
          await send('[DONE]');
        } else if (event.type === 'error') {
          // OpenAI's clients raise an APIError for a data line holding `error`.
          await send(JSON.stringify({ error: { message: event.message, type: 'api_error', param: null, code: event.code } }));
        }
      }
    });
  });

  app.all('*', (c) => openAIErrorResponse(c, 404, `Unknown request URL: ${c.req.method} ${c.req.path}`, 'unknown_url'));
  return app;
};
