/**
 * ChatModel over any OpenAI-compatible Chat Completions API (OpenAI, Azure's v1 endpoint,
 * Ollama, vLLM, LM Studio, ...) through the official `openai` client, streamed
 * (`stream: true`, with `stream_options.include_usage` for token usage).
 *
 * Retries are ours, not the client's (its `maxRetries` is 0), as in the embeddings
 * adapter: 429, 408, 409, 5xx, connection failures and timeouts, with exponential backoff
 * and full jitter, honouring `Retry-After` up to a cap. Unlike embeddings, a stream is
 * retried only until its first token has been yielded: after that the caller has shown
 * text to someone, and a second attempt would answer differently.
 *
 * Two timeouts of our own, since the client's covers only the wait for response headers:
 * `firstTokenTimeoutMs` from sending the request to the first token (or the first
 * reasoning a server streams), and `idleTimeoutMs` between chunks after that. Time the
 * caller spends between reading parts does not count.
 *
 * `request.grounding` is ignored: the sources are in the messages already.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { chatModelSpecFor } from '../../chat/model-catalog.js';
import type { TokenUsage } from '../../domain/conversations.js';
import { AtriumError } from '../../domain/errors.js';
import type { ChatFinishReason, ChatModel, ChatRequest, ChatStreamPart } from '../../ports/chat.js';
import { abortableSleep } from '../shared/abortable-sleep.js';
import { isRetryableApiError, jitteredBackoffMs, MAX_RETRY_DELAY_MS, retryAfterMs } from './retry.js';

export interface OpenAIChatModelOptions {
  apiKey: string;
  /** e.g. `http://localhost:11434/v1` for Ollama; OpenAI's API when omitted. */
  baseURL?: string | undefined;
  model: string;
  /**
   * The context window the server actually serves, in tokens, when it differs from the
   * model catalog's (Ollama's `num_ctx`, vLLM's `--max-model-len`) or the model is unknown
   * to it (8192 then).
   */
  contextWindow?: number | undefined;
  /** Tokens kept free for the answer when a request sets no `maxTokens` (default from the catalog). */
  defaultMaxOutputTokens?: number | undefined;
  /** Retries after the first attempt, before the first token only (default 2). */
  maxRetries?: number | undefined;
  /** From sending a request to its first token, including connecting (default 30 s); retried. */
  firstTokenTimeoutMs?: number | undefined;
  /** Between two chunks once the answer has started (default 60 s); not retried. */
  idleTimeoutMs?: number | undefined;
  /** First backoff step (default 500 ms); doubles per retry, with jitter, up to 20 s. */
  retryBaseDelayMs?: number | undefined;
  /** A fetch implementation, e.g. for proxies or tests. */
  fetch?: typeof globalThis.fetch | undefined;
}

/** The wait a 429 names when the provider's own answer named none. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** Upstream messages are quoted in ours up to this length. */
const MAX_UPSTREAM_MESSAGE = 300;

/** Failures of a stream that the client does not report as errors of its own. */
class StreamFailure extends Error {
  constructor(
    readonly reason: 'first_token_timeout' | 'idle_timeout' | 'connection_lost' | 'bad_response',
    message: string,
  ) {
    super(message);
  }
}

const isRetryable = (error: unknown): boolean =>
  error instanceof StreamFailure ? error.reason !== 'bad_response' : isRetryableApiError(error);

/**
 * The wait before the next attempt, or undefined when the server asked for longer than
 * MAX_RETRY_DELAY_MS: then the retries end instead.
 */
const backoffMs = (attempt: number, baseMs: number, error: unknown): number | undefined => {
  const asked = retryAfterMs(error);
  if (asked !== undefined) return asked <= MAX_RETRY_DELAY_MS ? asked : undefined;
  return jitteredBackoffMs(attempt, baseMs);
};

const isContextLengthError = (error: APIError): boolean =>
  error.code === 'context_length_exceeded' ||
  /maximum context length|context length exceeded|context window|too many tokens|prompt is too long/i.test(error.message);

const mapFinishReason = (reason: string): ChatFinishReason =>
  reason === 'length' || reason === 'content_filter' ? reason : 'stop';

const describeHost = (baseURL: string | undefined): string => {
  if (!baseURL) return 'api.openai.com';
  try {
    return new URL(baseURL).host;
  } catch {
    return 'the configured base URL';
  }
};

export const openAIChatModel = (options: OpenAIChatModelOptions): ChatModel => {
  const model = options.model.trim();
  const { apiKey } = options;
  if (!model) throw new AtriumError('invalid', 'chat_model_required', 'Name the completion model to use');
  const spec = chatModelSpecFor(model, { contextWindow: options.contextWindow, defaultMaxOutputTokens: options.defaultMaxOutputTokens });
  const maxRetries = Math.max(0, options.maxRetries ?? 2);
  const baseDelayMs = options.retryBaseDelayMs ?? 500;
  const firstTokenTimeoutMs = options.firstTokenTimeoutMs ?? 30_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const host = describeHost(options.baseURL);
  const client = new OpenAI({
    apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    maxRetries: 0,
    // A backstop: ours fires first, and also covers the wait for the body.
    timeout: firstTokenTimeoutMs + 1000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  /** Never lets the key (or anything shaped like one) into a message. */
  const redact = (text: string): string => {
    let out = apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
    out = out.replace(/\bsk-[A-Za-z0-9_*-]{6,}/g, '[redacted]');
    return out.length > MAX_UPSTREAM_MESSAGE ? `${out.slice(0, MAX_UPSTREAM_MESSAGE)}…` : out;
  };

  const toAtriumError = (error: unknown): AtriumError => {
    if (error instanceof AtriumError) return error;
    const fail = (kind: 'invalid' | 'rate_limited' | 'unavailable', code: string, message: string, details = {}) =>
      new AtriumError(kind, code, redact(message), details);
    if (error instanceof StreamFailure) {
      switch (error.reason) {
        case 'first_token_timeout':
          return fail('unavailable', 'model_timeout', `The model ${model} at ${host} did not start answering within ${firstTokenTimeoutMs} ms`);
        case 'idle_timeout':
          return fail('unavailable', 'model_timeout', `The model ${model} at ${host} stopped answering for ${idleTimeoutMs} ms`);
        case 'connection_lost':
          return fail('unavailable', 'model_unavailable', `The connection to the model ${model} at ${host} broke: ${error.message}`);
        default:
          return fail('unavailable', 'model_error', `The model ${model} at ${host} sent a broken answer: ${error.message}`);
      }
    }
    if (error instanceof APIConnectionTimeoutError) {
      return fail('unavailable', 'model_timeout', `The model ${model} at ${host} did not respond within ${firstTokenTimeoutMs} ms`);
    }
    if (error instanceof APIConnectionError) {
      const cause = error.cause instanceof Error ? error.cause.message : '';
      return fail('unavailable', 'model_unavailable', `Could not reach the model provider at ${host} for ${model}${cause ? `: ${cause}` : ''}`);
    }
    if (error instanceof APIError) {
      const status = error.status;
      const upstream = error.message ? `: ${error.message}` : '';
      if (status === 429) {
        const wait = retryAfterMs(error);
        return fail(
          'rate_limited',
          'rate_limited',
          `The model provider at ${host} is rate limiting requests for ${model}${upstream}`,
          // API.md: a 429 always says when to come back; a provider that does not say gets our default.
          { retryAfterSeconds: wait !== undefined ? Math.max(1, Math.ceil(wait / 1000)) : DEFAULT_RETRY_AFTER_SECONDS },
        );
      }
      if ((status === undefined || status === 400 || status === 413) && isContextLengthError(error)) {
        return fail('invalid', 'context_too_long', `The prompt does not fit the context window of ${model}${upstream}`);
      }
      if (status === 401 || status === 403) {
        return fail('unavailable', 'model_unavailable', `The model provider at ${host} rejected the API key for ${model}${upstream}`);
      }
      if (status === 404) {
        return fail('unavailable', 'model_unavailable', `The model provider at ${host} does not serve the model ${model}${upstream}`);
      }
      if (status === 408) {
        return fail('unavailable', 'model_timeout', `The model provider at ${host} timed out on ${model}${upstream}`);
      }
      if (status !== undefined && status >= 500) {
        return fail('unavailable', 'model_unavailable', `The model provider at ${host} is unavailable for ${model}${upstream}`);
      }
      return fail('unavailable', 'model_error', `The model provider at ${host} failed a request for ${model}${upstream}`);
    }
    const message = error instanceof Error ? error.message : String(error);
    return fail('unavailable', 'model_error', `The model ${model} at ${host} failed: ${message}`);
  };

  const body = (request: ChatRequest): OpenAI.Chat.ChatCompletionCreateParamsStreaming => ({
    model,
    messages: request.messages.map(({ role, content }) => ({ role, content })),
    stream: true,
    stream_options: { include_usage: true },
    // Reasoning models take only their default temperature, and count their output
    // (reasoning included) in `max_completion_tokens`.
    ...(request.temperature !== undefined && !spec.reasoning ? { temperature: request.temperature } : {}),
    ...(request.maxTokens !== undefined ? (spec.reasoning ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens }) : {}),
  });

  /** One upstream request, streamed. Throws raw errors; the caller classifies them. */
  async function* attempt(params: OpenAI.Chat.ChatCompletionCreateParamsStreaming, signal: AbortSignal | undefined): AsyncGenerator<ChatStreamPart> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut: StreamFailure | undefined;
    const arm = (ms: number, failure: () => StreamFailure) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = failure();
        controller.abort(timedOut);
      }, ms);
    };
    const disarm = () => clearTimeout(timer);
    /** Why the stream stopped early, when it was us who stopped it. */
    const stopped = () => {
      if (signal?.aborted) return signal.reason as unknown;
      return timedOut;
    };

    try {
      if (signal?.aborted) throw signal.reason;
      arm(firstTokenTimeoutMs, () => new StreamFailure('first_token_timeout', 'no first token'));
      let stream: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>;
      try {
        stream = await client.chat.completions.create(params, { signal: controller.signal, maxRetries: 0 });
      } catch (error) {
        throw stopped() ?? error;
      }
      const chunks = stream[Symbol.asyncIterator]();
      // The answer (or the reasoning before it) has begun: from now on the idle timeout applies.
      let started = false;
      let finishReason: ChatFinishReason | undefined;
      let usage: TokenUsage | undefined;
      for (;;) {
        if (started) arm(idleTimeoutMs, () => new StreamFailure('idle_timeout', 'idle'));
        let next: IteratorResult<OpenAI.Chat.ChatCompletionChunk>;
        try {
          next = await chunks.next();
        } catch (error) {
          const ours = stopped();
          if (ours !== undefined) throw ours;
          if (error instanceof APIError) throw error; // an error event in the stream
          if (error instanceof SyntaxError) throw new StreamFailure('bad_response', 'a chunk is not JSON');
          throw new StreamFailure('connection_lost', error instanceof Error ? error.message : String(error));
        }
        if (started) disarm();
        if (next.done) break;
        const chunk = next.value;
        if (chunk.usage) {
          usage = { promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 };
        }
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const delta = choice.delta as (typeof choice.delta & { reasoning_content?: unknown; reasoning?: unknown }) | undefined;
        const text = typeof delta?.content === 'string' ? delta.content : '';
        // Servers that stream reasoning (vLLM, some proxies) are alive while they think.
        const thinking =
          (typeof delta?.reasoning_content === 'string' && delta.reasoning_content !== '') ||
          (typeof delta?.reasoning === 'string' && delta.reasoning !== '');
        if (!started && (text || thinking)) {
          started = true;
          disarm();
        }
        if (choice.finish_reason) finishReason = mapFinishReason(choice.finish_reason);
        if (text) yield { type: 'text-delta', text };
      }
      // The client ends a stream quietly when it is aborted.
      const ours = stopped();
      if (ours !== undefined) throw ours;
      // Nothing left to time or cancel, even if the caller never reads past the finish.
      disarm();
      signal?.removeEventListener('abort', onAbort);
      // A stream that ended properly without saying why ended normally. (A broken
      // connection is an error from the client, above.)
      yield { type: 'finish', finishReason: finishReason ?? 'stop', usage };
    } finally {
      disarm();
      signal?.removeEventListener('abort', onAbort);
      // Closes the connection if we are leaving early (the consumer stopped or we failed).
      controller.abort();
    }
  }

  return {
    specificationVersion: 'v1',
    modelId: model,
    provider: 'openai',
    contextWindow: spec.contextWindow,
    defaultMaxOutputTokens: spec.defaultMaxOutputTokens,
    async *stream(request: ChatRequest): AsyncGenerator<ChatStreamPart> {
      const { signal } = request;
      const params = body(request);
      for (let attemptNumber = 0; ; attemptNumber++) {
        let yielded = false;
        try {
          for await (const part of attempt(params, signal)) {
            yielded = true;
            yield part;
          }
          return;
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          if (yielded || attemptNumber >= maxRetries || !isRetryable(error)) throw toAtriumError(error);
          const wait = backoffMs(attemptNumber, baseDelayMs, error);
          if (wait === undefined) throw toAtriumError(error);
          await abortableSleep(wait, signal);
        }
      }
    },
  };
};
