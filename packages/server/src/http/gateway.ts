import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';
import type { Edge } from './edge.js';

export interface GatewayOptions {
  /** The request id, logger, security headers, metrics and log line. */
  edge: Edge;
  /** The CORS middleware, for the requests that need it (browsers' API calls). */
  corsFor(c: Context<AppEnv>): MiddlewareHandler | undefined;
  /** The body limit, for requests that have a body. */
  bodyLimitFor(c: Context<AppEnv>): MiddlewareHandler | undefined;
  /**
   * Who is calling, into `c.var.actor`, where the path needs a caller; throws when it needs
   * one and has none. A promise only when finding out takes I/O.
   */
  identify(c: Context<AppEnv>): void | Promise<void>;
  /** The response for an error (the app's onError). */
  onError(error: Error, c: Context<AppEnv>): Response;
}

/** Runs a request's route (`inner`) inside the gateway; see `createGateway`. */
export type Gate = (c: Context<AppEnv>, inner: () => unknown) => Response | Promise<Response>;

/**
 * The gateway: what every request goes through before its route and after it, in one
 * function that runs in place of the route's first handler (`gatedRouter`; ADR 0020), rather
 * than as four `app.use` middleware:
 *
 * 1. the edge, on the way in (request id, logger, security headers);
 * 2. CORS and the body limit, only for requests that need them (hono's middleware);
 * 3. the caller (`identify`);
 * 4. the route;
 * 5. the edge, on the way out (metrics, log line).
 *
 * Nothing in it awaits unless something needs to: a known caller of a route that answers at
 * once is served synchronously, so hono returns the response without a promise, and
 * @hono/node-server writes it before the request's turn of the event loop ends. With a single
 * handler left for the route, hono also skips its middleware composition. Errors thrown by
 * the steps or the route become responses here, as hono's composition would make them (with
 * `c.error` set), and still pass through CORS and the edge on the way out.
 */
export const createGateway = ({ edge, corsFor, bodyLimitFor, identify, onError }: GatewayOptions): Gate => {
  /** The response `result` stands for: itself (now `c.res`), or what the handlers put in `c.res`. */
  const settle = (c: Context<AppEnv>, result: unknown): Response => {
    if (result instanceof Response && !c.finalized) c.res = result;
    return c.res;
  };
  const fail = (c: Context<AppEnv>, thrown: unknown): Response => {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    c.error = error;
    // Assigning merges headers set before (CORS) into the error response, as hono's composition does.
    c.res = onError(error, c);
    return c.res;
  };

  /** Steps 3 and 4. */
  const admit = (c: Context<AppEnv>, inner: () => unknown): Response | Promise<Response> => {
    try {
      const identifying = identify(c);
      const result = identifying ? identifying.then(inner) : inner();
      return result instanceof Promise ? result.then((value) => settle(c, value), (error: unknown) => fail(c, error)) : settle(c, result);
    } catch (error) {
      return fail(c, error);
    }
  };

  /** Step 2 around steps 3 and 4, for the requests that need it: hono's middleware are async. */
  const through = async (c: Context<AppEnv>, layers: MiddlewareHandler[], inner: () => unknown): Promise<Response> => {
    const step = async (i: number): Promise<void> => {
      if (i === layers.length) {
        await admit(c, inner);
        return;
      }
      // A layer may answer itself (a preflight's 204, a 413) instead of going on.
      settle(c, await layers[i]!(c, () => step(i + 1)));
    };
    await step(0);
    return c.res;
  };

  return (c, inner) => {
    // Already inside (a handler calling `c.notFound()`, which is gated too).
    if (c.get('requestId') !== undefined) return inner() as Response | Promise<Response>;
    const visit = edge.enter(c);
    let response: Response | Promise<Response>;
    try {
      const cors = corsFor(c);
      const limit = bodyLimitFor(c);
      response = cors || limit ? through(c, [cors, limit].filter((layer) => layer !== undefined), inner) : admit(c, inner);
    } catch (error) {
      response = fail(c, error);
    }
    return response instanceof Promise
      ? response.then(
          (done) => edge.leave(c, visit, done),
          (error: unknown) => edge.leave(c, visit, fail(c, error)),
        )
      : edge.leave(c, visit, response);
  };
};
