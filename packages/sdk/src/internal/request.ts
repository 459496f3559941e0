import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '../core/errors.js';
import { backoffDelay, retryAfterDelay, shouldRetryStatus, sleep } from './retry.js';

/** The last argument of every method. */
export interface RequestOptions {
  /** Aborts the request (and any retry wait); the method then throws `APIUserAbortError`. */
  signal?: AbortSignal | undefined;
  /** Milliseconds to wait for a response, per attempt. Defaults to the client's `timeout`. */
  timeout?: number | undefined;
  /** Retries after a connection error, 408, 409, 429 or ≥ 500. Defaults to the client's `maxRetries`. */
  maxRetries?: number | undefined;
  /** Extra headers for this request (an `Idempotency-Key` here replaces the generated one). */
  headers?: Record<string, string> | undefined;
}

export interface TransportConfig {
  baseURL: string;
  timeout: number;
  maxRetries: number;
  fetch: typeof fetch;
  /** Sent with every request; credentials among them. */
  headers: () => Record<string, string>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  path: string;
  query?: object | undefined;
  /** JSON-serialised, unless it is a FormData (multipart uploads). */
  body?: unknown;
  accept?: string;
}

export interface SentRequest {
  response: Response;
  /** Aborts this request's response body (a stream's `break`). */
  controller: AbortController;
  /** Stops listening to the caller's signal, once the body has been read: a long-lived signal must not collect listeners. */
  release: () => void;
}

/** Path segments are ids the caller passed: escape them so `../` cannot climb. */
export const path = (strings: TemplateStringsArray, ...ids: string[]): string =>
  strings.reduce((out, part, i) => out + part + (i < ids.length ? encodeURIComponent(ids[i]!) : ''), '');

export const buildURL = (baseURL: string, requestPath: string, query?: object): string => {
  const url = baseURL.replace(/\/+$/, '') + requestPath;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) params.append(key, String(value));
  }
  const search = params.toString();
  return search ? `${url}?${search}` : url;
};

/** A v4 UUID from getRandomValues: `crypto.randomUUID` is missing on plain-http pages. */
export const idempotencyKey = (): string => {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

const TIMED_OUT = 'timeout';

/**
 * Sends one logical request: retries connection errors and retryable statuses with
 * backoff (or the server's Retry-After), one Idempotency-Key for every attempt of a
 * POST, and resolves with the first successful response; error statuses throw APIError.
 */
export const send = async (config: TransportConfig, request: HttpRequest, options: RequestOptions = {}): Promise<SentRequest> => {
  const maxRetries = options.maxRetries ?? config.maxRetries;
  const timeout = options.timeout ?? config.timeout;
  const url = buildURL(config.baseURL, request.path, request.query);
  const isForm = typeof FormData !== 'undefined' && request.body instanceof FormData;
  // Headers, not an object: names are case-insensitive, so a caller's `idempotency-key` replaces ours.
  const headers = new Headers({ Accept: request.accept ?? 'application/json' });
  if (request.body !== undefined && !isForm) headers.set('Content-Type', 'application/json');
  if (request.method === 'POST') headers.set('Idempotency-Key', idempotencyKey());
  for (const extra of [config.headers(), options.headers ?? {}]) {
    for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  }
  const body = request.body === undefined || isForm ? (request.body as FormData | undefined) : JSON.stringify(request.body);

  for (let attempt = 0; ; attempt++) {
    const { signal } = options;
    if (signal?.aborted) throw new APIUserAbortError();
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(TIMED_OUT), timeout);
    const retriesLeft = attempt < maxRetries;
    let response: Response;
    try {
      response = await config.fetch(url, { method: request.method, headers, body, signal: controller.signal });
    } catch (cause) {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) throw new APIUserAbortError(undefined, { cause });
      const timedOut = controller.signal.reason === TIMED_OUT;
      if (retriesLeft) {
        await sleep(backoffDelay(attempt), signal);
        continue;
      }
      throw timedOut ? new APIConnectionTimeoutError(undefined, { cause }) : new APIConnectionError(undefined, { cause });
    } finally {
      clearTimeout(timer);
    }
    if (response.ok) return { response, controller, release: () => signal?.removeEventListener('abort', onAbort) };
    signal?.removeEventListener('abort', onAbort);
    if (retriesLeft && shouldRetryStatus(response.status)) {
      await response.body?.cancel().catch(() => {});
      await sleep(retryAfterDelay(response.headers) ?? backoffDelay(attempt), signal);
      continue;
    }
    throw APIError.from(response.status, await readBody(response), response.headers);
  }
};

const readBody = async (response: Response): Promise<unknown> => {
  const text = await response.text().catch(() => '');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { detail: text || undefined };
  }
};

/** Sends a request and parses its JSON answer (`undefined` for 204). */
export const requestJSON = async <T>(config: TransportConfig, request: HttpRequest, options?: RequestOptions): Promise<T> => {
  const { response, release } = await send(config, request, options);
  try {
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  } catch (cause) {
    if (options?.signal?.aborted) throw new APIUserAbortError(undefined, { cause });
    throw new APIConnectionError('The response body could not be read as JSON', { cause });
  } finally {
    release();
  }
};
