import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { json, mockFetch, problem } from '../../test/mock-fetch.js';
import { Atrium } from '../client.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from '../core/errors.js';

const client = (fetch: typeof globalThis.fetch, options: { maxRetries?: number; timeout?: number } = {}) =>
  new Atrium({ apiKey: 'atr_sk_test', baseURL: 'http://atrium.test', fetch, ...options });

const SPACE = { id: 's1', name: 'Support', description: null, createdAt: 'x', updatedAt: 'x' };

beforeEach(() => {
  // Backoff jitter at its top end: delays are exactly 500 ms × 2^n.
  vi.spyOn(Math, 'random').mockReturnValue(0);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('errors', () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
    [413, APIError],
  ])('%i becomes %o with the problem details', async (status, Class) => {
    const errors = [{ path: 'name', message: 'Required' }];
    const { fetch } = mockFetch(problem(status, { errors }));
    const error = await client(fetch, { maxRetries: 0 }).spaces.retrieve('s1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status, code: `code_${status}`, detail: `failed with ${status}`, requestId: `req-${status}`, errors });
    expect((error as APIError).headers?.get('content-type')).toBe('application/problem+json');
    expect((error as Error).message).toBe(`${status} failed with ${status}`);
  });

  it('keeps a non-JSON error body as the detail', async () => {
    const { fetch } = mockFetch(new Response('upstream exploded', { status: 502 }));
    const error = (await client(fetch, { maxRetries: 0 }).me().catch((e: unknown) => e)) as APIError;
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.detail).toBe('upstream exploded');
    expect(error.errors).toEqual([]);
  });
});

describe('requests', () => {
  it('sends the key, JSON body, query and escaped path ids', async () => {
    const { fetch, requests } = mockFetch(json(SPACE, 201), json({ data: [], nextCursor: null }));
    const atrium = new Atrium({ apiKey: 'atr_sk_x', baseURL: 'http://atrium.test/', fetch, defaultHeaders: { 'X-Team': 'a' } });
    await atrium.spaces.create({ name: 'Support' }, { headers: { 'X-Trace': 't1' } });
    await atrium.spaces.members.list('a/../b', { limit: 5 });
    const [create, list] = requests;
    expect(create!.url).toBe('http://atrium.test/api/v1/spaces');
    expect(create!.method).toBe('POST');
    expect(create!.headers.get('authorization')).toBe('Bearer atr_sk_x');
    expect(create!.headers.get('content-type')).toBe('application/json');
    expect(create!.headers.get('x-team')).toBe('a');
    expect(create!.headers.get('x-trace')).toBe('t1');
    expect(JSON.parse(create!.body as string)).toEqual({ name: 'Support' });
    expect(list!.url).toBe('http://atrium.test/api/v1/spaces/a%2F..%2Fb/members?limit=5');
    expect(list!.headers.get('idempotency-key')).toBeNull();
  });

  it('uses an access token in place of an API key', async () => {
    const { fetch, requests } = mockFetch(json({}));
    await new Atrium({ accessToken: 'jwt', baseURL: 'http://x', fetch }).me();
    expect(requests[0]!.headers.get('authorization')).toBe('Bearer jwt');
  });

  it('resolves a 204 to undefined', async () => {
    const { fetch } = mockFetch(new Response(null, { status: 204 }));
    await expect(client(fetch).spaces.delete('s1')).resolves.toBeUndefined();
  });
});

describe('retries', () => {
  it.each([408, 409, 429, 500, 503])('retries %i, then succeeds', async (status) => {
    const { fetch, requests } = mockFetch(problem(status), json(SPACE));
    vi.useFakeTimers();
    const pending = client(fetch).spaces.retrieve('s1');
    await vi.advanceTimersByTimeAsync(500);
    await expect(pending).resolves.toEqual(SPACE);
    expect(requests).toHaveLength(2);
  });

  it.each([400, 401, 403, 404, 422])('does not retry %i', async (status) => {
    const { fetch, requests } = mockFetch(problem(status), json(SPACE));
    await expect(client(fetch).spaces.retrieve('s1')).rejects.toBeInstanceOf(APIError);
    expect(requests).toHaveLength(1);
  });

  it('backs off 0.5 s, 1 s, 2 s ... capped at 8 s, then throws the last error', async () => {
    const replies = Array.from({ length: 7 }, () => problem(503));
    const { fetch, requests } = mockFetch(...replies);
    vi.useFakeTimers();
    const pending = client(fetch, { maxRetries: 6 }).me().catch((e: unknown) => e);
    const times: number[] = [];
    const start = Date.now();
    for (const wait of [500, 1000, 2000, 4000, 8000, 8000]) {
      await vi.advanceTimersByTimeAsync(wait - 1);
      const before = requests.length;
      await vi.advanceTimersByTimeAsync(1);
      expect(requests.length).toBe(before + 1);
      times.push(Date.now() - start);
    }
    expect(times).toEqual([500, 1500, 3500, 7500, 15500, 23500]);
    expect(await pending).toBeInstanceOf(InternalServerError);
    expect(requests).toHaveLength(7);
  });

  it('shortens each delay by up to a quarter at random (jitter)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const { fetch, requests } = mockFetch(problem(500), json({}));
    vi.useFakeTimers();
    const pending = client(fetch).me();
    // 500 ms × (1 − 0.999 × 0.25) ≈ 375 ms: sooner than the 500 ms without jitter, no sooner than 75 % of it.
    await vi.advanceTimersByTimeAsync(374);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(2);
    await pending;
  });

  it('honours Retry-After in seconds', async () => {
    const { fetch, requests } = mockFetch(problem(429, {}, { 'Retry-After': '3' }), json({}));
    vi.useFakeTimers();
    const pending = client(fetch).me();
    await vi.advanceTimersByTimeAsync(2999);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(2);
    await pending;
  });

  it('honours Retry-After as an HTTP date', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const { fetch, requests } = mockFetch(problem(503, {}, { 'Retry-After': 'Thu, 01 Jan 2026 00:00:10 GMT' }), json({}));
    const pending = client(fetch).me();
    await vi.advanceTimersByTimeAsync(9999);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(2);
    await pending;
  });

  it('falls back to backoff when Retry-After asks for more than 60 s', async () => {
    const { fetch, requests } = mockFetch(problem(429, {}, { 'Retry-After': '61' }), json({}));
    vi.useFakeTimers();
    const pending = client(fetch).me();
    await vi.advanceTimersByTimeAsync(500);
    expect(requests).toHaveLength(2);
    await pending;
  });

  it('retries connection errors and then throws APIConnectionError', async () => {
    const { fetch, requests } = mockFetch(new TypeError('fetch failed'), new TypeError('fetch failed'), new TypeError('fetch failed'));
    vi.useFakeTimers();
    const pending = client(fetch).me().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1500);
    const error = await pending;
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(requests).toHaveLength(3);
  });

  it('honours maxRetries per request', async () => {
    const { fetch, requests } = mockFetch(problem(500), json({}));
    await expect(client(fetch).me({ maxRetries: 0 })).rejects.toBeInstanceOf(InternalServerError);
    expect(requests).toHaveLength(1);
  });

  it('sends one Idempotency-Key per POST and the same key on every retry', async () => {
    const { fetch, requests } = mockFetch(new TypeError('reset'), problem(503), json(SPACE, 201), json(SPACE, 201));
    vi.useFakeTimers();
    const atrium = client(fetch);
    const first = atrium.spaces.create({ name: 'a' });
    await vi.advanceTimersByTimeAsync(1500);
    await first;
    await atrium.spaces.create({ name: 'b' });
    const keys = requests.map((r) => r.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toBe(keys[0]);
    expect(keys[3]).not.toBe(keys[0]);
  });

  it('lets the caller choose the Idempotency-Key, whatever the case of its name', async () => {
    const { fetch, requests } = mockFetch(json(SPACE, 201), json(SPACE, 201));
    await client(fetch).spaces.create({ name: 'a' }, { headers: { 'Idempotency-Key': 'mine' } });
    expect(requests[0]!.headers.get('idempotency-key')).toBe('mine');
    await client(fetch).spaces.create({ name: 'b' }, { headers: { 'idempotency-key': 'lower', accept: 'text/plain' } });
    expect(requests[1]!.headers.get('idempotency-key')).toBe('lower');
    expect(requests[1]!.headers.get('accept')).toBe('text/plain');
  });
});

describe('timeouts and aborts', () => {
  /** A fetch that never answers until its signal aborts. */
  const hanging = (request: { signal: AbortSignal | null | undefined }) =>
    new Promise<Response>((_, reject) => request.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));

  it('throws APIConnectionTimeoutError after `timeout`, having retried', async () => {
    const { fetch, requests } = mockFetch(hanging, hanging);
    vi.useFakeTimers();
    const pending = client(fetch, { timeout: 1000, maxRetries: 1 }).me().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000 + 500 + 1000);
    expect(await pending).toBeInstanceOf(APIConnectionTimeoutError);
    expect(requests).toHaveLength(2);
  });

  it('throws APIUserAbortError when the caller aborts, without retrying', async () => {
    const { fetch, requests } = mockFetch(hanging, hanging);
    const controller = new AbortController();
    const pending = client(fetch).me({ signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    expect(requests).toHaveLength(1);
  });

  it('stops waiting for a retry when the caller aborts', async () => {
    const { fetch, requests } = mockFetch(problem(503), json({}));
    vi.useFakeTimers();
    const controller = new AbortController();
    const pending = client(fetch).me({ signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    expect(await pending).toBeInstanceOf(APIUserAbortError);
    expect(requests).toHaveLength(1);
  });
});

describe('listeners', () => {
  it("leaves no listener on the caller's signal once a request is done", async () => {
    const { fetch } = mockFetch(json({}), json({}), problem(404));
    const controller = new AbortController();
    const added = vi.spyOn(controller.signal, 'addEventListener');
    const removed = vi.spyOn(controller.signal, 'removeEventListener');
    const atrium = client(fetch);
    await atrium.me({ signal: controller.signal });
    await atrium.me({ signal: controller.signal });
    await atrium.me({ signal: controller.signal }).catch(() => {});
    expect(added).toHaveBeenCalledTimes(3);
    expect(removed.mock.calls.map((c) => c[1])).toEqual(added.mock.calls.map((c) => c[1]));
  });
});
