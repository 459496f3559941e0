/** One entry of a problem's `errors` list: which field, and what is wrong with it. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The base class of every error the SDK throws, so callers can tell them apart
 * from anything else with one `instanceof AtriumError`.
 */
export class AtriumError extends Error {
  override readonly name: string = 'AtriumError';
}

/** The problem+json body the server answers errors with (RFC 9457). */
interface ProblemBody {
  type?: string;
  title?: string;
  detail?: string;
  code?: string;
  errors?: FieldError[];
  requestId?: string;
}

/**
 * An HTTP request that failed: the server answered with an error status, or (for the
 * connection subclasses) never answered. Carries what the problem+json body said.
 */
export class APIError extends AtriumError {
  override readonly name: string = 'APIError';
  /** The HTTP status; undefined when no response arrived. */
  readonly status: number | undefined;
  /** The stable, machine-readable error code (`not_found`, `validation_failed`, ...). */
  readonly code: string | undefined;
  /** The human-readable explanation. */
  readonly detail: string | undefined;
  /** `X-Request-Id`: quote it when asking for help. */
  readonly requestId: string | undefined;
  readonly headers: Headers | undefined;
  /** Per-field validation errors, when the server listed them. */
  readonly errors: FieldError[];
  /** The whole problem body, for fields this class does not name (e.g. `conversationId`). */
  readonly body: unknown;

  constructor(status: number | undefined, body: unknown, message: string | undefined, headers: Headers | undefined, options?: ErrorOptions) {
    const problem = (body && typeof body === 'object' ? body : {}) as ProblemBody;
    const text = message ?? problem.detail ?? problem.title ?? 'Request failed';
    super(status ? `${status} ${text}` : text, options);
    this.status = status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.requestId = headers?.get('x-request-id') ?? problem.requestId;
    this.headers = headers;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.body = body;
  }

  /** The subclass for `status`, so `instanceof NotFoundError` works. */
  static from(status: number, body: unknown, headers: Headers): APIError {
    const Class = STATUS_CLASSES[status] ?? (status >= 500 ? InternalServerError : APIError);
    return new Class(status, body, undefined, headers);
  }
}

export class BadRequestError extends APIError {
  override readonly name = 'BadRequestError';
}
export class AuthenticationError extends APIError {
  override readonly name = 'AuthenticationError';
}
export class PermissionDeniedError extends APIError {
  override readonly name = 'PermissionDeniedError';
}
export class NotFoundError extends APIError {
  override readonly name = 'NotFoundError';
}
export class ConflictError extends APIError {
  override readonly name = 'ConflictError';
}
export class UnprocessableEntityError extends APIError {
  override readonly name = 'UnprocessableEntityError';
}
export class RateLimitError extends APIError {
  override readonly name = 'RateLimitError';
}
export class InternalServerError extends APIError {
  override readonly name = 'InternalServerError';
}

const STATUS_CLASSES: Record<number, typeof APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/** No response arrived: DNS, refused or reset connection, CORS, offline. */
export class APIConnectionError extends APIError {
  override readonly name: string = 'APIConnectionError';
  constructor(message = 'Connection error', options?: ErrorOptions) {
    super(undefined, undefined, message, undefined, options);
  }
}

/** No response arrived within `timeout`. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override readonly name = 'APIConnectionTimeoutError';
  constructor(message = 'Request timed out', options?: ErrorOptions) {
    super(message, options);
  }
}

/** The caller's `signal` aborted the request (or a `break` out of a stream). Never retried. */
export class APIUserAbortError extends APIError {
  override readonly name = 'APIUserAbortError';
  constructor(message = 'Request was aborted', options?: ErrorOptions) {
    super(undefined, undefined, message, undefined, options);
  }
}

/** A chat stream that ended with an `error` event after it had started. */
export class ChatStreamError extends AtriumError {
  override readonly name = 'ChatStreamError';
  constructor(
    readonly code: string,
    message: string,
    /** When the server says how long to wait before asking again (rate limits). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** `documents.waitUntilReady`: ingestion failed; `error` says why. */
export class DocumentFailedError extends AtriumError {
  override readonly name = 'DocumentFailedError';
  readonly error: string | null;
  constructor(readonly document: { id: string; error: string | null }) {
    super(`Document ${document.id} failed to ingest: ${document.error ?? 'no reason given'}`);
    this.error = document.error;
  }
}

/** `documents.waitUntilReady`: the document was still not ready when `timeout` ran out. */
export class DocumentWaitTimeoutError extends AtriumError {
  override readonly name = 'DocumentWaitTimeoutError';
  constructor(readonly document: { id: string; status: string }) {
    super(`Document ${document.id} was still ${document.status} when the wait timed out`);
  }
}
