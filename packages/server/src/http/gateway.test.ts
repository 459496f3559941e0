import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from './env.js';
import type { Edge } from './edge.js';
import { gatedDefaultRouter } from './gated-router.js';
import { createGateway, type GatewayOptions } from './gateway.js';

/** A gateway whose edge writes down what passes, and a Hono app routed through it. */
const harness = (options: Partial<Omit<GatewayOptions, 'edge'>> = {}) => {
  const trail: string[] = [];
  const edge: Edge = {
    enter: (c) => {
      trail.push(`enter ${c.req.path}`);
      c.set('requestId', 'req-1');
      return { started: 0, id: 'req-1', log: undefined as never, security: [], onNode: false };
    },
    leave: (c, _visit, response) => {
      trail.push(c.error ? `leave ${response.status} (${c.error.message})` : `leave ${response.status}`);
      response.headers.set('X-Edge', 'left');
      return response;
    },
  };
  const errors: Error[] = [];
  const gate = createGateway({
    edge,
    corsFor: () => undefined,
    bodyLimitFor: () => undefined,
    identify: () => undefined,
    onError: (error, c) => {
      errors.push(error);
      const status = error instanceof HTTPException ? error.status : 500;
      return c.json({ error: error.message }, status);
    },
    ...options,
  });
  const app = new Hono<AppEnv>({ router: gatedDefaultRouter(gate) });
  app.notFound((c) => gate(c, () => c.json({ missing: c.req.path }, 404)));
  return { app, trail, errors };
};

const step =
  (trail: string[], name: string): MiddlewareHandler =>
  async (_c, next) => {
    trail.push(name);
    await next();
  };

describe('the gateway, in place of the first handler a request matches', () => {
  it('runs once per request, outside every handler matched, middleware included', async () => {
    const { app, trail } = harness();
    app.use('/a/*', step(trail, 'middleware'));
    app.get('/a/b', (c) => {
      trail.push('route');
      return c.text('ok');
    });
    const response = await app.request('/a/b');
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Edge')).toBe('left');
    expect(trail).toEqual(['enter /a/b', 'middleware', 'route', 'leave 200']);
  });

  it('serves a route with one handler without a promise when nothing awaits, and with one when something does', async () => {
    const { app } = harness();
    app.get('/now', (c) => c.text('now'));
    const direct = app.request('/now');
    expect(direct).toBeInstanceOf(Response);
    expect(await (direct as Response).text()).toBe('now');

    let identified = 0;
    const waiting = harness({
      identify: async (c: Context<AppEnv>) => {
        identified++;
        c.set('actor', { userId: 'u' } as never);
      },
    });
    waiting.app.get('/now', (c) => c.text(`for ${c.get('actor').userId}`));
    const later = waiting.app.request('/now');
    expect(later).toBeInstanceOf(Promise);
    expect(await (await later).text()).toBe('for u');
    expect(identified).toBe(1);
  });

  it('turns what a route throws, at once or later, into the error response, on its way out through the edge', async () => {
    const { app, trail, errors } = harness();
    app.get('/throws', () => {
      throw new HTTPException(418, { message: 'teapot' });
    });
    app.get('/rejects', async () => {
      await Promise.resolve();
      throw new Error('later');
    });
    const now = await app.request('/throws');
    expect(now.status).toBe(418);
    expect(await now.json()).toEqual({ error: 'teapot' });
    expect(now.headers.get('X-Edge')).toBe('left');
    const later = await app.request('/rejects');
    expect(later.status).toBe(500);
    expect(errors.map((e) => e.message)).toEqual(['teapot', 'later']);
    expect(trail).toEqual(['enter /throws', 'leave 418 (teapot)', 'enter /rejects', 'leave 500 (later)']);
  });

  it('does not run the route when the caller is refused', async () => {
    let ran = false;
    const { app } = harness({
      identify: () => {
        throw new HTTPException(401, { message: 'who are you' });
      },
    });
    app.get('/private', (c) => {
      ran = true;
      return c.text('secret');
    });
    const response = await app.request('/private');
    expect(response.status).toBe(401);
    expect(ran).toBe(false);
  });

  it('lets a layer answer by itself (a preflight), and keeps its headers on errors that follow it', async () => {
    const browser = cors({ origin: '*', allowMethods: ['GET', 'POST'] });
    const { app } = harness({
      corsFor: (c) => (c.req.header('origin') ? browser : undefined),
      identify: (c) => {
        if (c.req.path === '/private') throw new HTTPException(401, { message: 'who are you' });
      },
    });
    app.post('/open', (c) => c.text('posted'));
    app.get('/private', (c) => c.text('secret'));
    const preflight = await app.request('/open', { method: 'OPTIONS', headers: { Origin: 'https://a.example', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Methods')).toBe('GET,POST');
    expect(preflight.headers.get('X-Edge')).toBe('left');
    const refused = await app.request('/private', { headers: { Origin: 'https://a.example' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });

  it('runs the body limit before the route: a streamed body over it is a 413 and the route never runs', async () => {
    const read: string[] = [];
    const { app } = harness({
      bodyLimitFor: () => bodyLimit({ maxSize: 8, onError: (c) => c.json({ tooLarge: true }, 413) }),
    });
    app.post('/echo', async (c) => {
      const text = await c.req.text();
      read.push(text);
      return c.text(text);
    });
    // A streamed body announces no length, so the limit has to count it.
    const streamed = (text: string) =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(text));
          controller.close();
        },
      });
    const small = await app.request('/echo', { method: 'POST', body: streamed('tiny'), duplex: 'half' } as RequestInit);
    expect(await small.text()).toBe('tiny');
    const large = await app.request('/echo', { method: 'POST', body: streamed('far too large a body'), duplex: 'half' } as RequestInit);
    expect(large.status).toBe(413);
    expect(await large.json()).toEqual({ tooLarge: true });
    expect(read).toEqual(['tiny']);
  });

  it('gates a request no route matches through notFound, and a route calling c.notFound() only once', async () => {
    const { app, trail } = harness();
    app.get('/maybe/:id', (c) => (c.req.param('id') === 'yes' ? c.text('found') : c.notFound()));
    expect((await app.request('/nowhere')).status).toBe(404);
    const missing = await app.request('/maybe/no');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ missing: '/maybe/no' });
    expect(trail).toEqual(['enter /nowhere', 'leave 404', 'enter /maybe/no', 'leave 404']);
  });
});
