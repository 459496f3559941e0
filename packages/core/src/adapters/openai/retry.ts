/**
 * Retry policy shared by the OpenAI-compatible adapters: which upstream failures are
 * worth another attempt, how long the server asked us to wait, and exponential backoff
 * with full jitter. The client's own retries are off (`maxRetries: 0`) so that these
 * apply: capped waits, and an abort ends them at once.
 */
import { APIConnectionError, APIError, APIUserAbortError } from 'openai';

/** No single wait is longer than this. */
export const MAX_RETRY_DELAY_MS = 20_000;

/** The failures the official client would retry: 408, 409, 429, 5xx, connection errors and timeouts. */
export const isRetryableApiError = (error: unknown): boolean => {
  if (error instanceof APIUserAbortError) return false;
  if (error instanceof APIConnectionError) return true; // includes the client's timeout
  if (error instanceof APIError && error.status !== undefined) {
    return error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
  }
  return false;
};

/** How long the server asked us to wait, in ms, if it said. */
export const retryAfterMs = (error: unknown): number | undefined => {
  if (!(error instanceof APIError) || !error.headers) return undefined;
  const ms = Number.parseFloat(error.headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const header = error.headers.get('retry-after');
  if (!header) return undefined;
  const seconds = Number.parseFloat(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
};

/**
 * Full jitter: a random wait between half and all of the exponential step, so that many
 * callers hitting the same limit do not come back in lockstep.
 */
export const jitteredBackoffMs = (attempt: number, baseMs: number): number => {
  const step = Math.min(baseMs * 2 ** attempt, MAX_RETRY_DELAY_MS);
  return step / 2 + (Math.random() * step) / 2;
};
