import { isAtriumError, type AtriumError, type ErrorKind, type FieldError } from '@atrium/core';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** RFC 9457 problem details, the one error shape of the API (API.md §Conventions). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  /** A chat that failed after its question was stored (`stream: false`): the conversation to continue. */
  conversationId?: string;
  requestId?: string;
}

export const STATUS_BY_KIND: Readonly<Record<ErrorKind, ContentfulStatusCode>> = {
  invalid: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  rate_limited: 429,
  unavailable: 503,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
  500: 'internal_error',
  503: 'unavailable',
};

export const problemResponse = (
  c: Context,
  status: ContentfulStatusCode,
  detail: string,
  extra: { code?: string; errors?: FieldError[] | undefined; conversationId?: string | undefined; headers?: Record<string, string> } = {},
): Response => {
  const body: Problem = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code: extra.code ?? CODES[status] ?? 'error',
    ...(extra.errors && { errors: extra.errors }),
    ...(extra.conversationId && { conversationId: extra.conversationId }),
    requestId: c.get('requestId'),
  };
  return c.body(JSON.stringify(body), status, { ...extra.headers, 'Content-Type': 'application/problem+json' });
};

export const problemFromDomainError = (c: Context, error: AtriumError): Response => {
  const status = STATUS_BY_KIND[error.kind];
  const headers: Record<string, string> = {};
  if (error.details.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.details.retryAfterSeconds);
  if (status === 401) headers['WWW-Authenticate'] = 'Bearer';
  return problemResponse(c, status, error.message, {
    code: error.code,
    errors: error.details.errors,
    conversationId: error.details.conversationId,
    headers,
  });
};

/**
 * The app's onError: domain errors and HTTP exceptions become their problem; anything
 * else is a bug, logged with its stack and answered with a bare 500 and the request id.
 */
export const handleError = (error: Error, c: Context): Response => {
  if (isAtriumError(error)) return problemFromDomainError(c, error);
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const detail =
      status === 400 && /json/i.test(error.message) ? 'The request body is not valid JSON' : error.message || TITLES[status] || 'Error';
    return problemResponse(c, status, detail);
  }
  c.get('logger')?.error({ err: error }, 'unhandled error');
  return problemResponse(c, 500, 'An unexpected error occurred; quote the request id when reporting it');
};

/** The 404 for a path no route answers: a group's last handler, so nothing after it runs. */
export const noRoute = (c: Context): Response => problemResponse(c, 404, `No route for ${c.req.method} ${c.req.path}`);
