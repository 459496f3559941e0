import { APIUserAbortError } from '../core/errors.js';

const RETRYABLE_STATUSES = new Set([408, 409, 429]);
const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A longer Retry-After than this is not worth blocking a caller for: fail instead. */
const MAX_RETRY_AFTER_MS = 60_000;

/** 408 timeout, 409 lock conflict, 429 rate limit and every 5xx are worth another try. */
export const shouldRetryStatus = (status: number): boolean => RETRYABLE_STATUSES.has(status) || status >= 500;

/**
 * 0.5 s × 2^retry, capped at 8 s, minus up to a quarter at random so that many clients
 * failing together do not come back together.
 */
export const backoffDelay = (retry: number): number =>
  Math.min(INITIAL_DELAY_MS * 2 ** retry, MAX_DELAY_MS) * (1 - Math.random() * 0.25);

/** Retry-After in seconds or as an HTTP date, when it asks for no more than 60 s. */
export const retryAfterDelay = (headers: Headers): number | undefined => {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  if (Number.isNaN(ms)) return undefined;
  return ms <= MAX_RETRY_AFTER_MS ? Math.max(0, ms) : undefined;
};

/** Waits `ms`, or throws APIUserAbortError as soon as `signal` aborts. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new APIUserAbortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new APIUserAbortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
