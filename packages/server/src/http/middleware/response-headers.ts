import type { Context } from 'hono';

export type HeaderList = readonly (readonly [name: string, value: string])[];

interface NodeResponse {
  readonly headersSent: boolean;
  setHeader(name: string, value: string): unknown;
}

/**
 * Node's response object, when the app runs on @hono/node-server (its documented
 * `c.env.outgoing`) and nothing has been written yet.
 *
 * Headers every response gets go there before the handler runs, and Node merges them into
 * the head it writes: no WHATWG `Headers` object has to be built for them, which on that
 * adapter costs about as much as a bare request (bench/RESULTS.md, middleware-cost). Anywhere
 * else (`app.request()` in tests, other runtimes) there is no such object and they go on
 * `c.res` after the handler.
 */
export const nodeResponseOf = (c: Context): NodeResponse | undefined => {
  const outgoing = (c.env as { outgoing?: Partial<NodeResponse> } | undefined)?.outgoing;
  return outgoing && typeof outgoing.setHeader === 'function' && outgoing.headersSent === false
    ? (outgoing as NodeResponse)
    : undefined;
};
