import { describeBytes } from '@atrium/core';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { problemResponse } from '../problem.js';

/** The largest JSON body any route takes. Documents, which may be larger, declare their own limit. */
export const MAX_JSON_BYTES = 1024 * 1024;

/** At most `MAX_JSON_BYTES`; declared on each route that takes a JSON body. */
export const jsonBodyLimit: MiddlewareHandler = bodyLimit({
  maxSize: MAX_JSON_BYTES,
  onError: (c) => problemResponse(c, 413, 'The request body is too large'),
});

/** The document upload's limit (ATRIUM_MAX_UPLOAD_MB), for a file or a JSON text document. */
export const uploadBodyLimit = (maxBytes: number): MiddlewareHandler =>
  bodyLimit({
    // Multipart framing adds a little on top of the file itself.
    maxSize: maxBytes + 64 * 1024,
    onError: (c) => problemResponse(c, 413, `The upload is larger than the ${describeBytes(maxBytes)} limit`, { code: 'file_too_large' }),
  });

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

const isJson = (c: Context): boolean => /^application\/([\w.-]+\+)?json\b/i.test(c.req.header('content-type') ?? '');

/**
 * Refuses a JSON body that is not valid UTF-8 (RFC 8259 §8.1) with a 400, instead of letting
 * the decoder turn the bad bytes into U+FFFD and storing that in names and emails. Goes after
 * the body limit: the body is read here, once, and hono hands the same bytes to the validator.
 */
export const utf8JsonBody: MiddlewareHandler = async function utf8JsonBody(c, next) {
  if (isJson(c)) {
    try {
      strictUtf8.decode(await c.req.arrayBuffer());
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      return problemResponse(c, 400, 'The request body is not valid UTF-8: JSON text must be encoded as UTF-8', {
        code: 'invalid_encoding',
      });
    }
  }
  await next();
};

/** What a route that takes a JSON body declares: the size limit, then the encoding. */
export const jsonBodyChecks = [jsonBodyLimit, utf8JsonBody];
