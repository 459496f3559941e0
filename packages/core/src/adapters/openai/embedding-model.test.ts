import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeVector, startFakeOpenAI, type FakeOpenAI } from '../../../test/fakes/fake-openai.js';
import { AtriumError } from '../../domain/errors.js';
import { openAIEmbeddingModel, type OpenAIEmbeddingModelOptions } from './embedding-model.js';
import { openAIEmbeddingModels } from './registry.js';

const API_KEY = 'sk-test-123';
let server: FakeOpenAI;

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: API_KEY });
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
  server.forceDimensions(null);
});

const model = (options: Partial<OpenAIEmbeddingModelOptions> = {}) =>
  openAIEmbeddingModel({ apiKey: API_KEY, baseURL: server.baseURL, model: 'text-embedding-3-small', dimensions: 8, retryBaseDelayMs: 1, ...options });

const norm = (v: number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
const bodies = () => server.requests.map((r) => r.body as { input: string[]; model: string; dimensions?: number; encoding_format?: string });

const rejection = async (promise: Promise<unknown>): Promise<AtriumError> => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AtriumError);
  return error as AtriumError;
};

describe('openAIEmbeddingModel', () => {
  it('embeds through POST /v1/embeddings with the bearer key, as floats, L2-normalised', async () => {
    const m = model();
    expect(m).toMatchObject({ specificationVersion: 'v1', modelId: 'text-embedding-3-small', dimensions: 8, maxBatchSize: 128 });
    const [vector] = await m.embed(['hello']);
    expect(norm(vector!)).toBeCloseTo(1, 10);
    const expected = fakeVector('hello', 8);
    expect(vector![3]! / vector![0]!).toBeCloseTo(expected[3]! / expected[0]!, 10);

    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/embeddings' });
    expect(request!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request!.body).toEqual({ model: 'text-embedding-3-small', input: ['hello'], encoding_format: 'float', dimensions: 8 });
  });

  it('splits large inputs into batches and keeps the order', async () => {
    const texts = Array.from({ length: 7 }, (_, i) => `text ${i}`);
    const vectors = await model({ maxBatchSize: 3 }).embed(texts);
    expect(bodies().map((b) => b.input)).toEqual([texts.slice(0, 3), texts.slice(3, 6), texts.slice(6)]);
    const [single] = await model().embed(['text 5']);
    expect(vectors[5]).toEqual(single);
  });

  it('sends dimensions only when configured', async () => {
    await openAIEmbeddingModel({ apiKey: API_KEY, baseURL: server.baseURL, model: 'text-embedding-3-small' })
      .embed(['a'])
      .catch(() => undefined); // the fake answers 8 dims; only the request matters here
    await model({ dimensions: 8, sendDimensions: false }).embed(['b']);
    await model({ dimensions: 8 }).embed(['c']);
    expect(bodies().map((b) => 'dimensions' in b)).toEqual([false, false, true]);
  });

  it('knows the size of OpenAI models and requires one for others', () => {
    expect(openAIEmbeddingModel({ apiKey: 'k', model: 'text-embedding-3-large' }).dimensions).toBe(3072);
    expect(() => openAIEmbeddingModel({ apiKey: 'k', model: 'nomic-embed-text' })).toThrow(AtriumError);
    expect(openAIEmbeddingModel({ apiKey: 'k', model: 'nomic-embed-text', dimensions: 768 }).dimensions).toBe(768);
  });

  it('retries 429 and 5xx with backoff, then succeeds', async () => {
    server.failNext(2, 429);
    server.failNext(1, 503);
    const vectors = await model({ maxRetries: 3 }).embed(['retry me']);
    expect(vectors).toHaveLength(1);
    expect(server.requests).toHaveLength(4);
  });

  it('gives up after maxRetries and reports the upstream state', async () => {
    server.failNext(3, 429, { 'retry-after-ms': '1', 'retry-after': '7' });
    const limited = await rejection(model({ maxRetries: 2 }).embed(['x']));
    expect(limited).toMatchObject({ kind: 'unavailable', code: 'rate_limited', details: { retryAfterSeconds: 1 } });
    expect(server.requests).toHaveLength(3);

    server.requests.length = 0;
    server.failNext(1, 500);
    expect(await rejection(model({ maxRetries: 0 }).embed(['x']))).toMatchObject({ kind: 'unavailable', code: 'model_unavailable' });
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry client errors', async () => {
    server.failNext(1, 400);
    expect(await rejection(model().embed(['x']))).toMatchObject({ kind: 'unavailable', code: 'model_request_rejected' });
    expect(server.requests).toHaveLength(1);
  });

  it('maps a rejected key without retrying', async () => {
    const error = await rejection(model({ apiKey: 'sk-wrong' }).embed(['x']));
    expect(error).toMatchObject({ kind: 'unavailable', code: 'model_auth_failed' });
    expect(error.message).not.toContain('sk-wrong');
    expect(server.requests).toHaveLength(1);
  });

  it('retries connection failures and reports them as unavailable', async () => {
    const refused = openAIEmbeddingModel({
      apiKey: API_KEY,
      baseURL: 'http://127.0.0.1:1/v1',
      model: 'text-embedding-3-small',
      maxRetries: 1,
      retryBaseDelayMs: 1,
    });
    expect(await rejection(refused.embed(['x']))).toMatchObject({ kind: 'unavailable', code: 'model_unavailable' });
  });

  it('rejects vectors of the wrong size', async () => {
    server.forceDimensions(5);
    expect(await rejection(model().embed(['x']))).toMatchObject({ kind: 'unavailable', code: 'embedding_dimension_mismatch' });
  });

  it('embeds blank texts as zero vectors without sending them', async () => {
    const vectors = await model().embed(['', 'real', '  ']);
    expect(vectors[0]).toEqual(new Array(8).fill(0));
    expect(vectors[2]).toEqual(new Array(8).fill(0));
    expect(norm(vectors[1]!)).toBeCloseTo(1, 10);
    expect(bodies().map((b) => b.input)).toEqual([['real']]);
  });

  it('stops when the caller aborts', async () => {
    server.failNext(5, 429, { 'retry-after-ms': '5000' });
    const controller = new AbortController();
    const pending = model({ maxRetries: 5 }).embed(['x'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await expect(pending).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('openAIEmbeddingModels', () => {
  it('serves the default model and OpenAI’s other known models', () => {
    const models = openAIEmbeddingModels({ apiKey: API_KEY, baseURL: server.baseURL, defaultModel: 'text-embedding-3-small', dimensions: 512 });
    expect(models.defaultModelId).toBe('text-embedding-3-small');
    expect(models.get('text-embedding-3-small')?.dimensions).toBe(512);
    expect(models.get('text-embedding-3-large')?.dimensions).toBe(3072);
    expect(models.get('local-hash-v1')).toBeNull();
    expect(models.list()).toHaveLength(2);
  });
});
