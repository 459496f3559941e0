import type { Context } from 'hono';

interface NodeIncoming {
  headers?: Record<string, string | string[] | undefined>;
}

/**
 * One request header (`name` in lower case). On @hono/node-server it is read from Node's
 * own parsed headers (`c.env.incoming`, the adapter's documented binding): `c.req.header()`
 * makes that adapter build a WHATWG `Headers` object of every header first, which costs a
 * few µs a request that the middleware on every request would otherwise pay (bench/RESULTS.md,
 * `/me` profile). Elsewhere (`app.request()` in tests, other runtimes), `c.req.header()`.
 * Node keeps the first of repeated `Authorization` headers and joins repeats of most
 * others with ", ", as `Headers` does.
 */
export const requestHeader = (c: Context, name: string): string | undefined => {
  const headers = (c.env as { incoming?: NodeIncoming } | undefined)?.incoming?.headers;
  if (!headers) return c.req.header(name);
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};
