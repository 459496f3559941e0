/**
 * Domain errors. Use cases throw these; the transport edge (HTTP, queue) maps
 * `kind` to its own vocabulary (status codes, job failures). Core never knows HTTP.
 */
export const ERROR_KINDS = [
  'invalid',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'too_large',
  'unsupported',
  'rate_limited',
  'unavailable',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface FieldError {
  path: string;
  message: string;
}

export class AtriumError extends Error {
  override readonly name: string = 'AtriumError';
  constructor(
    readonly kind: ErrorKind,
    /** A stable machine-readable code, e.g. `email_taken`. */
    readonly code: string,
    message: string,
    readonly details: {
      errors?: FieldError[];
      retryAfterSeconds?: number;
      /** A chat that failed after its question was stored: where it was stored. */
      conversationId?: string;
    } = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string): AtriumError =>
  new AtriumError('not_found', 'not_found', `${what} not found`);

export const forbidden = (message = 'You are not allowed to do this'): AtriumError =>
  new AtriumError('forbidden', 'forbidden', message);

export const unauthenticated = (message = 'Authentication required', code = 'unauthenticated'): AtriumError =>
  new AtriumError('unauthenticated', code, message);

export const conflict = (code: string, message: string): AtriumError => new AtriumError('conflict', code, message);

export const invalid = (errors: FieldError[], message = 'The request is invalid'): AtriumError =>
  new AtriumError('invalid', 'validation_failed', message, { errors });

export const rateLimited = (retryAfterSeconds: number): AtriumError =>
  new AtriumError('rate_limited', 'rate_limited', 'Too many attempts, try again later', { retryAfterSeconds });

export const isAtriumError = (value: unknown): value is AtriumError => value instanceof AtriumError;
