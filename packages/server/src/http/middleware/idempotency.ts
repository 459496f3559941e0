import { actorOwner, type AtriumCore, type IdempotencyOwner, type StoredResponse } from '@atrium/core';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';

// Statuses a retry may see differently (busy, rate limited, a failing dependency): the key
// is freed for them, so that the retry runs the request again. Everything else is kept.
const keeps = (status: number) => status < 500 && status !== 409 && status !== 429;

// A stream is kept only when it ran to its end (`done` or `error`): an answer cut short when
// its client went away is not what a retry should get (the partial message is stored in
// its conversation as such).
const finished = (events: string) => /^event: (done|error)$/m.test(events);

const replay = (c: Context, { status, contentType, body }: StoredResponse): Response =>
  c.body(body, status as never, { 'Content-Type': contentType, 'Idempotent-Replayed': 'true' });

/**
 * Honours `Idempotency-Key` on the route that declares it (API.md §Conventions): the first
 * request with a key runs and its response is kept for 24 hours; a retry with the same key
 * and the same request gets that response again (`Idempotent-Replayed: true`) instead of a
 * second document or message. Goes after the body limit, since it reads the body, and
 * after whatever establishes `ownerOf`'s caller (authentication, or a widget's visitor).
 */
export const idempotent = (
  core: AtriumCore,
  ownerOf: (c: Context<AppEnv>) => IdempotencyOwner = (c) => actorOwner(c.get('actor')),
): MiddlewareHandler<AppEnv> =>
  async function idempotent(c, next) {
    const key = c.req.header('idempotency-key');
    if (key === undefined) return next();
    const owner = ownerOf(c);
    const body = new Uint8Array(await c.req.arrayBuffer());
    const start = await core.idempotency.start(owner, { key, method: c.req.method, path: c.req.path, body });
    if (start.kind === 'replay') return replay(c, start.response);

    const finish = (response: StoredResponse | null) => core.idempotency.finish(owner, key, response);
    try {
      await next();
    } catch (error) {
      await finish(null);
      throw error;
    }
    const response = c.res;
    const contentType = response.headers.get('content-type') ?? 'application/octet-stream';
    if (c.error || !keeps(response.status) || !response.body) return void (await finish(null));
    if (!contentType.startsWith('text/event-stream')) {
      return void (await finish({ status: response.status, contentType, body: await response.clone().text() }));
    }
    // A stream is kept once it has ended; the client reads its own copy meanwhile.
    const [toClient, toKeep] = response.body.tee();
    c.res = new Response(toClient, response);
    void (async () => {
      let events: string | null = null;
      try {
        events = await new Response(toKeep).text();
      } catch {
        // The stream broke off: nothing to keep, and the key is freed below.
      }
      await finish(events !== null && finished(events) ? { status: response.status, contentType, body: events } : null);
    })().catch((error: unknown) => c.get('logger').error({ err: error }, 'could not keep an idempotent response'));
  };
