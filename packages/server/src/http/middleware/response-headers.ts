import type { Context, Next } from 'hono';

export type HeaderList = readonly (readonly [name: string, value: string])[];

interface NodeResponse {
  readonly headersSent: boolean;
  setHeader(name: string, value: string): unknown;
}

/** Node's response object, when the app runs on @hono/node-server (its documented `c.env.outgoing`). */
const nodeResponseOf = (c: Context): NodeResponse | undefined => {
  const outgoing = (c.env as { outgoing?: Partial<NodeResponse> } | undefined)?.outgoing;
  return outgoing && typeof outgoing.setHeader === 'function' && outgoing.headersSent === false
    ? (outgoing as NodeResponse)
    : undefined;
};

/**
 * Runs the rest of the chain and puts `headers` on whatever response comes out of it,
 * error and 404 responses included.
 *
 * On @hono/node-server they go on Node's response before the handler runs, and Node merges
 * them into the head it writes: no WHATWG `Headers` object has to be built for them, which
 * on that adapter costs about as much as a bare request (bench/RESULTS.md, middleware-cost).
 * A handler that sets one of these names itself wins there. Anywhere else (`app.request()` in
 * tests, other runtimes) they are set on `c.res` after the handler, overriding (or, with
 * `append`, added to) the handler's.
 */
export const withResponseHeaders = async (
  c: Context,
  next: Next,
  headers: HeaderList,
  options: { append?: boolean } = {},
): Promise<void> => {
  const node = nodeResponseOf(c);
  if (node) {
    for (const [name, value] of headers) node.setHeader(name, value);
    await next();
    return;
  }
  await next();
  const target = c.res.headers;
  for (const [name, value] of headers) {
    if (options.append) target.append(name, value);
    else target.set(name, value);
  }
};
