/**
 * EmbeddingModel over any OpenAI-compatible embeddings API (OpenAI, Azure's v1 endpoint,
 * Ollama, vLLM, LM Studio, ...) through the official `openai` client.
 *
 * Retries are ours, not the client's (its `maxRetries` is set to 0): we retry the same
 * cases it would (429, 408, 409, 5xx, connection failures and timeouts) with exponential
 * backoff and full jitter, but cap how long a `Retry-After` may make us wait (the client
 * honours any value) and stop waiting the moment the caller aborts.
 */
import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { AtriumError } from '../../domain/errors.js';
import type { EmbeddingModel } from '../../ports/models.js';
import { abortableSleep } from '../shared/abortable-sleep.js';
import { isRetryableApiError, jitteredBackoffMs, MAX_RETRY_DELAY_MS, retryAfterMs } from './retry.js';

/** Output sizes of OpenAI's own models, used when no `dimensions` are configured. */
export const KNOWN_EMBEDDING_DIMENSIONS: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

export interface OpenAIEmbeddingModelOptions {
  apiKey: string;
  /** e.g. `http://localhost:11434/v1` for Ollama; OpenAI's API when omitted. */
  baseURL?: string | undefined;
  model: string;
  /**
   * Output size. Sent as `dimensions` (models that can shorten their vectors, like
   * text-embedding-3-*, then do). Required for models not in KNOWN_EMBEDDING_DIMENSIONS.
   */
  dimensions?: number | undefined;
  /**
   * Whether to send `dimensions` to the API when it is configured (default true). Turn it
   * off for servers that reject the parameter but whose model has that size anyway.
   */
  sendDimensions?: boolean | undefined;
  /** Retries after the first attempt, for 429, 5xx and connection failures (default 3). */
  maxRetries?: number | undefined;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number | undefined;
  /** Texts per request (default 128; OpenAI accepts up to 2048 inputs and 300k tokens). */
  maxBatchSize?: number | undefined;
  /** First backoff step (default 500 ms); doubles per retry, with jitter, up to 20 s. */
  retryBaseDelayMs?: number | undefined;
  /** A fetch implementation, e.g. for proxies or tests. */
  fetch?: typeof globalThis.fetch | undefined;
}

const backoffMs = (attempt: number, baseMs: number, error: unknown): number =>
  Math.min(retryAfterMs(error) ?? jitteredBackoffMs(attempt, baseMs), MAX_RETRY_DELAY_MS);

/** Upstream failures as AtriumErrors: the model being unusable is `unavailable` to our callers. */
const toAtriumError = (error: unknown, model: string): unknown => {
  if (error instanceof AtriumError || error instanceof APIUserAbortError) return error;
  if (!(error instanceof APIError || error instanceof APIConnectionError)) return error;
  const status = error.status;
  const upstream = error.message ? `: ${error.message}` : '';
  if (status === 429) {
    const wait = retryAfterMs(error);
    return new AtriumError(
      'unavailable',
      'rate_limited',
      `The embedding provider is rate limiting requests for ${model}${upstream}`,
      wait !== undefined ? { retryAfterSeconds: Math.ceil(wait / 1000) } : {},
    );
  }
  if (status === 401 || status === 403) {
    return new AtriumError('unavailable', 'model_auth_failed', `The embedding provider rejected the API key for ${model}${upstream}`);
  }
  if (status === 404) {
    return new AtriumError('unavailable', 'model_not_found', `The embedding provider does not know the model ${model}${upstream}`);
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new AtriumError('unavailable', 'model_request_rejected', `The embedding provider rejected a request for ${model}${upstream}`);
  }
  return new AtriumError('unavailable', 'model_unavailable', `The embedding provider is unavailable for ${model}${upstream}`);
};

const normalize = (vector: number[]): number[] => {
  let norm = 0;
  for (const v of vector) norm += v * v;
  if (norm === 0) return vector;
  const scale = 1 / Math.sqrt(norm);
  return vector.map((v) => v * scale);
};

export const openAIEmbeddingModel = (options: OpenAIEmbeddingModelOptions): EmbeddingModel => {
  const { model } = options;
  const dimensions = options.dimensions ?? KNOWN_EMBEDDING_DIMENSIONS[model];
  if (dimensions === undefined || !Number.isInteger(dimensions) || dimensions < 1) {
    throw new AtriumError(
      'invalid',
      'embedding_dimensions_required',
      `Set the output dimensions for the embedding model ${model}: its size is not known in advance`,
    );
  }
  const sendDimensions = options.dimensions !== undefined && options.sendDimensions !== false;
  const maxRetries = Math.max(0, options.maxRetries ?? 3);
  const maxBatchSize = Math.max(1, options.maxBatchSize ?? 128);
  const baseDelayMs = options.retryBaseDelayMs ?? 500;
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    maxRetries: 0,
    timeout: options.timeoutMs ?? 60_000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  const readVectors = (response: OpenAI.CreateEmbeddingResponse, expected: number): number[][] => {
    const data = Array.isArray(response?.data) ? response.data : [];
    const vectors: Array<number[] | undefined> = new Array(expected);
    for (const [position, item] of data.entries()) {
      // `index` says which input a vector belongs to; servers that omit it answer in order.
      const index = typeof item.index === 'number' ? item.index : position;
      if (index >= 0 && index < expected) vectors[index] = item.embedding;
    }
    return Array.from(vectors, (vector, index) => {
      if (!Array.isArray(vector)) {
        throw new AtriumError('unavailable', 'model_bad_response', `The embedding provider returned no vector for input ${index} (${model})`);
      }
      if (vector.length !== dimensions) {
        throw new AtriumError(
          'unavailable',
          'embedding_dimension_mismatch',
          `The embedding model ${model} returned ${vector.length} dimensions, expected ${dimensions}`,
        );
      }
      return normalize(vector);
    });
  };

  const request = async (input: string[], signal?: AbortSignal): Promise<number[][]> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await client.embeddings.create(
          { model, input, encoding_format: 'float', ...(sendDimensions ? { dimensions } : {}) },
          signal ? { signal } : {},
        );
        return readVectors(response, input.length);
      } catch (error) {
        if (attempt >= maxRetries || !isRetryableApiError(error) || signal?.aborted) throw toAtriumError(error, model);
        await abortableSleep(backoffMs(attempt, baseDelayMs, error), signal);
      }
    }
  };

  return {
    specificationVersion: 'v1',
    modelId: model,
    dimensions,
    maxBatchSize,
    embed: async (texts, embedOptions) => {
      const signal = embedOptions?.signal;
      const vectors: number[][] = new Array(texts.length);
      // The API rejects empty strings; a text with no content embeds to the zero vector,
      // as the local model's does, and matches nothing.
      const pending = texts.flatMap((text, index) => (text.trim() === '' ? [] : [index]));
      for (const [index, text] of texts.entries()) if (text.trim() === '') vectors[index] = new Array<number>(dimensions).fill(0);
      for (let start = 0; start < pending.length; start += maxBatchSize) {
        const batch = pending.slice(start, start + maxBatchSize);
        const result = await request(
          batch.map((index) => texts[index]!),
          signal,
        );
        batch.forEach((index, i) => (vectors[index] = result[i]!));
      }
      return vectors;
    },
  };
};
