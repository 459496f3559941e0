import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AtriumError } from '../../domain/errors.js';
import type { ChatRequest, ChatStreamPart } from '../../ports/chat.js';
import { startFakeOpenAI, type FakeChatCompletionBody, type FakeOpenAI } from '../../test/fake-openai-server.js';
import { openAIChatModel, type OpenAIChatModelOptions } from './chat-model.js';
import { openAIChatModels } from './chat-registry.js';

const API_KEY = 'sk-test-chat-0123456789';
let server: FakeOpenAI;

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: API_KEY });
});
afterAll(() => server.close());
afterEach(async () => {
  await server.settled();
  server.requests.length = 0;
  server.setBehavior({ type: 'answer' });
});

const model = (options: Partial<OpenAIChatModelOptions> = {}) =>
  openAIChatModel({ apiKey: API_KEY, baseURL: server.url, model: 'gpt-4o-mini', retryBaseDelayMs: 1, ...options });

const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  messages: [
    { role: 'system', content: 'Answer from the sources. [1] The sky is blue.' },
    { role: 'user', content: 'What colour is the sky?' },
  ],
  ...extra,
});

const collect = async (parts: AsyncIterable<ChatStreamPart>): Promise<ChatStreamPart[]> => {
  const out: ChatStreamPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
};

/** Reads the stream until it throws; returns the parts before the error and the error. */
const failure = async (parts: AsyncIterable<ChatStreamPart>): Promise<{ parts: ChatStreamPart[]; error: unknown }> => {
  const seen: ChatStreamPart[] = [];
  try {
    for await (const part of parts) seen.push(part);
  } catch (error) {
    return { parts: seen, error };
  }
  throw new Error(`expected the stream to fail, got ${JSON.stringify(seen)}`);
};

const atriumFailure = async (parts: AsyncIterable<ChatStreamPart>) => {
  const result = await failure(parts);
  expect(result.error).toBeInstanceOf(AtriumError);
  const error = result.error as AtriumError;
  expect(error.message).not.toContain(API_KEY);
  return { ...result, error };
};

const text = (parts: ChatStreamPart[]) => parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('');
const bodies = () => server.requests.map((r) => r.body as FakeChatCompletionBody);

describe('openAIChatModel', () => {
  it('describes the model from the catalog, or the override', () => {
    expect(model()).toMatchObject({ specificationVersion: 'v1', modelId: 'gpt-4o-mini', provider: 'openai', contextWindow: 128_000, defaultMaxOutputTokens: 4096 });
    expect(model({ model: 'llama3.1:8b', contextWindow: 8192 })).toMatchObject({ contextWindow: 8192, defaultMaxOutputTokens: 2048 });
    expect(model({ model: 'my-own-model' }).contextWindow).toBe(8192);
    expect(() => model({ model: ' ' })).toThrow(AtriumError);
  });

  it('streams text deltas in order, then one finish with the usage', async () => {
    server.setBehavior({ type: 'answer', text: 'The sky is blue [1].', usage: { prompt_tokens: 42, completion_tokens: 7 } });
    const parts = await collect(model().stream(ask({ temperature: 0.2, maxTokens: 300 })));
    expect(parts.slice(0, -1).every((p) => p.type === 'text-delta' && p.text !== '')).toBe(true);
    expect(parts.slice(0, -1)).toHaveLength(5);
    expect(text(parts)).toBe('The sky is blue [1].');
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage: { promptTokens: 42, completionTokens: 7 } });

    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(request!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request!.body).toEqual({
      model: 'gpt-4o-mini',
      messages: ask().messages,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      max_tokens: 300,
    });
  });

  it('sends reasoning models max_completion_tokens and no temperature, and never the grounding', async () => {
    await collect(
      model({ model: 'o4-mini' }).stream(ask({ temperature: 0.2, maxTokens: 300, grounding: { question: 'q', sources: [{ index: 1, title: 't', text: 'x' }] } })),
    );
    await collect(model().stream(ask({ grounding: { question: 'q', sources: [] } })));
    const [reasoning, plain] = bodies();
    expect(reasoning).toMatchObject({ model: 'o4-mini', max_completion_tokens: 300 });
    expect(reasoning).not.toHaveProperty('temperature');
    expect(reasoning).not.toHaveProperty('max_tokens');
    expect(Object.keys(plain!).sort()).toEqual(['messages', 'model', 'stream', 'stream_options']);
  });

  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['content_filter', 'content_filter'],
    ['tool_calls', 'stop'],
    ['something_new', 'stop'],
    [null, 'stop'],
  ] as const)('maps the finish reason %s to %s', async (upstream, expected) => {
    server.setBehavior({ type: 'answer', text: 'Cut short', finishReason: upstream });
    const parts = await collect(model().stream(ask()));
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: expected });
    expect(parts.filter((p) => p.type === 'finish')).toHaveLength(1);
  });

  it('retries 5xx and 429 before the first token, then streams', async () => {
    server.queueBehaviors(
      { type: 'fail', status: 500 },
      { type: 'rateLimit', retryAfterMs: 1 },
      { type: 'fail', status: 503, headers: { 'retry-after-ms': '1' } },
    );
    const parts = await collect(model({ maxRetries: 3 }).stream(ask()));
    expect(text(parts)).toBe('Answer [1].');
    expect(server.requests).toHaveLength(4);
  });

  it('gives up after maxRetries', async () => {
    server.setBehavior({ type: 'fail', status: 502 });
    const { error } = await atriumFailure(model({ maxRetries: 2 }).stream(ask()));
    expect(error).toMatchObject({ kind: 'unavailable', code: 'model_unavailable' });
    expect(server.requests).toHaveLength(3);
  });

  it('reports a rate limit with the wait the provider asked for', async () => {
    server.setBehavior({ type: 'rateLimit', retryAfterSeconds: 2, retryAfterMs: 1 });
    const { error } = await atriumFailure(model({ maxRetries: 1 }).stream(ask()));
    expect(error).toMatchObject({ kind: 'rate_limited', code: 'rate_limited', details: { retryAfterSeconds: 1 } });
    expect(server.requests).toHaveLength(2);
  });

  it('names a wait of its own when the provider names none (API.md: a 429 carries Retry-After)', async () => {
    server.setBehavior({ type: 'rateLimit', retryAfterSeconds: null });
    const { error } = await atriumFailure(model({ maxRetries: 0 }).stream(ask()));
    expect(error).toMatchObject({ kind: 'rate_limited', code: 'rate_limited', details: { retryAfterSeconds: 5 } });
  });

  it('does not wait out a Retry-After longer than its cap', async () => {
    server.setBehavior({ type: 'rateLimit', retryAfterSeconds: 120 });
    const started = Date.now();
    const { error } = await atriumFailure(model({ maxRetries: 3 }).stream(ask()));
    expect(error).toMatchObject({ kind: 'rate_limited', code: 'rate_limited', details: { retryAfterSeconds: 120 } });
    expect(server.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('never retries once a token has been yielded', async () => {
    server.setBehavior({ type: 'failAfter', chunks: 2, text: 'one two three four' });
    const { parts, error } = await atriumFailure(model({ maxRetries: 3 }).stream(ask()));
    expect(parts).toEqual([
      { type: 'text-delta', text: 'one ' },
      { type: 'text-delta', text: 'two ' },
    ]);
    expect(error).toMatchObject({ kind: 'unavailable', code: 'model_unavailable' });
    expect(server.requests).toHaveLength(1);
  });

  it('retries a connection that breaks before the first token', async () => {
    server.queueBehaviors({ type: 'failAfter', chunks: 0 });
    expect(text(await collect(model().stream(ask())))).toBe('Answer [1].');
    expect(server.requests).toHaveLength(2);
  });

  it('aborts the upstream request mid-stream and throws the abort reason', async () => {
    server.setBehavior({ type: 'answer', text: 'a b c d e f g h i j', chunkDelayMs: 30 });
    const controller = new AbortController();
    const reason = new Error('client went away');
    const stream = model().stream(ask({ signal: controller.signal }))[Symbol.asyncIterator]();
    expect(await stream.next()).toEqual({ done: false, value: { type: 'text-delta', text: 'a ' } });
    controller.abort(reason);
    await expect(stream.next()).rejects.toBe(reason);
    await server.settled();
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.closedEarly).toBe(true);
    expect(server.aborted).toBeGreaterThanOrEqual(1);
  });

  it('aborts while waiting for the first token, and while backing off', async () => {
    server.setBehavior({ type: 'stall' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const stalled = await failure(model().stream(ask({ signal: controller.signal })));
    expect(stalled.error).toBe(controller.signal.reason);
    await server.settled();
    expect(server.requests[0]!.closedEarly).toBe(true);

    server.setBehavior({ type: 'rateLimit', retryAfterMs: 5000 });
    const backoff = new AbortController();
    setTimeout(() => backoff.abort(new Error('cancelled')), 50);
    const started = Date.now();
    const backedOff = await failure(model({ maxRetries: 5 }).stream(ask({ signal: backoff.signal })));
    expect(backedOff.error).toEqual(new Error('cancelled'));
    expect(Date.now() - started).toBeLessThan(1000);

    const already = AbortSignal.abort(new Error('too late'));
    server.requests.length = 0;
    expect((await failure(model().stream(ask({ signal: already })))).error).toEqual(new Error('too late'));
    expect(server.requests).toHaveLength(0);
  });

  it('closes the upstream request when the consumer stops reading', async () => {
    server.setBehavior({ type: 'answer', text: 'a b c d e f g h i j', chunkDelayMs: 20 });
    for await (const part of model().stream(ask())) {
      expect(part).toEqual({ type: 'text-delta', text: 'a ' });
      break;
    }
    await server.settled();
    expect(server.requests[0]!.closedEarly).toBe(true);
  });

  it('times out a stalled request (retried) as model_timeout', async () => {
    server.setBehavior({ type: 'stall' });
    const { error } = await atriumFailure(model({ firstTokenTimeoutMs: 50, maxRetries: 1 }).stream(ask()));
    expect(error).toMatchObject({ kind: 'unavailable', code: 'model_timeout' });
    await server.settled();
    expect(server.requests).toHaveLength(2);
    expect(server.requests.every((r) => r.closedEarly)).toBe(true);

    server.requests.length = 0;
    server.setBehavior({ type: 'answer' });
    server.queueBehaviors({ type: 'stall' });
    expect(text(await collect(model({ firstTokenTimeoutMs: 50 }).stream(ask())))).toBe('Answer [1].');
    expect(server.requests).toHaveLength(2);
  });

  it('times out a stream that stops between chunks, without retrying', async () => {
    server.setBehavior({ type: 'answer', text: 'one two three', chunkDelayMs: 300 });
    const { parts, error } = await atriumFailure(model({ idleTimeoutMs: 50, maxRetries: 2 }).stream(ask()));
    expect(parts).toEqual([{ type: 'text-delta', text: 'one ' }]);
    expect(error).toMatchObject({ kind: 'unavailable', code: 'model_timeout' });
    expect(server.requests).toHaveLength(1);
  });

  it('does not count a slow reader against the idle timeout', async () => {
    server.setBehavior({ type: 'answer', text: 'one two three' });
    const parts: ChatStreamPart[] = [];
    for await (const part of model({ idleTimeoutMs: 30 }).stream(ask())) {
      parts.push(part);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    expect(text(parts)).toBe('one two three');
  });

  it('maps a rejected key to model_unavailable, without retrying or leaking the key', async () => {
    const wrongKey = 'sk-wrong-key-abcdef123456';
    const { error } = await atriumFailure(model({ apiKey: wrongKey }).stream(ask()));
    expect(error).toMatchObject({ kind: 'unavailable', code: 'model_unavailable' });
    expect(error.message).not.toContain(wrongKey);
    expect(error.message).toContain('rejected the API key');
    expect(server.requests).toHaveLength(1);
  });

  it('maps a leaked key in any upstream message out of the error', async () => {
    server.setBehavior({ type: 'fail', status: 418, error: { message: `odd failure for key ${API_KEY}` } });
    const { error } = await atriumFailure(model().stream(ask()));
    expect(error).toMatchObject({ kind: 'unavailable', code: 'model_error' });
    expect(error.message).toContain('[redacted]');
  });

  it('maps context-length errors to context_too_long, without retrying', async () => {
    server.setBehavior({
      type: 'fail',
      status: 400,
      error: { message: 'This model’s maximum context length is 128000 tokens.', type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' },
    });
    const { error } = await atriumFailure(model().stream(ask()));
    expect(error).toMatchObject({ kind: 'invalid', code: 'context_too_long' });
    expect(server.requests).toHaveLength(1);

    // vLLM and others say it only in the message.
    server.setBehavior({ type: 'fail', status: 400, error: { message: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens." } });
    expect((await atriumFailure(model().stream(ask()))).error).toMatchObject({ code: 'context_too_long' });

    server.setBehavior({ type: 'fail', status: 400, error: { message: 'temperature must be between 0 and 2' } });
    expect((await atriumFailure(model().stream(ask()))).error).toMatchObject({ kind: 'unavailable', code: 'model_error' });
  });

  it('maps an unknown model and an unreachable server to model_unavailable', async () => {
    server.setBehavior({ type: 'fail', status: 404, error: { message: 'The model `nope` does not exist', code: 'model_not_found' } });
    expect((await atriumFailure(model({ model: 'nope' }).stream(ask()))).error).toMatchObject({ kind: 'unavailable', code: 'model_unavailable' });
    expect(server.requests).toHaveLength(1);

    const refused = openAIChatModel({ apiKey: API_KEY, baseURL: 'http://127.0.0.1:1/v1', model: 'gpt-4o-mini', maxRetries: 1, retryBaseDelayMs: 1 });
    const { error } = await atriumFailure(refused.stream(ask()));
    expect(error).toMatchObject({ kind: 'unavailable', code: 'model_unavailable' });
    expect(error.message).toContain('127.0.0.1:1');
  });
});

describe('openAIChatModels', () => {
  it('serves the default and any other id, cached, but lists only the default', async () => {
    const models = openAIChatModels({ apiKey: API_KEY, baseURL: server.url, defaultModel: 'gpt-4o-mini', contextWindow: 16_000, retryBaseDelayMs: 1 });
    expect(models.defaultModelId).toBe('gpt-4o-mini');
    expect(models.list().map((m) => m.modelId)).toEqual(['gpt-4o-mini']);
    const other = models.get('llama3.1:8b');
    expect(other).toMatchObject({ modelId: 'llama3.1:8b', provider: 'openai', contextWindow: 16_000 });
    expect(models.get('llama3.1:8b')).toBe(other);
    expect(models.get('gpt-4o-mini')).toBe(models.list()[0]);
    expect(models.get('')).toBeNull();
    // An id an assistant named is unverified (it may be a typo): it is not presented as configured.
    expect(models.list().map((m) => m.modelId)).toEqual(['gpt-4o-mini']);

    await collect(other!.stream(ask()));
    expect(bodies()[0]).toMatchObject({ model: 'llama3.1:8b' });
  });
});
