/** How long a tenant's `Idempotency-Key` is remembered (API.md §Conventions). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** The longest `Idempotency-Key` accepted. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** A response kept to answer retries with. */
export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
}

/** What a key holds: the request it was first used for and, once that finished, its response. */
export interface IdempotencyRecord {
  fingerprint: string;
  response: StoredResponse | null;
}
