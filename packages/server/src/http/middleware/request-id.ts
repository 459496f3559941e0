import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.js';
import { withResponseHeaders } from './response-headers.js';
import { requestHeader } from '../request-header.js';

// A caller-supplied id is kept (for tracing across services) only if it is tame.
const ACCEPTABLE = /^[\w.:-]{8,128}$/;

/** Gives every request an id: in `c.var.requestId`, in logs, and as `X-Request-Id` on every response. */
export const requestId = () =>
  createMiddleware<AppEnv>((c, next) => {
    const incoming = requestHeader(c, 'x-request-id');
    const id = incoming && ACCEPTABLE.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', id);
    return withResponseHeaders(c, next, [['X-Request-Id', id]]);
  });
