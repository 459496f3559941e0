import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { requestHeader } from './request-header.js';

/** An app that echoes what requestHeader reads. */
const echoApp = () =>
  new Hono().get('/', (c) =>
    c.json({
      authorization: requestHeader(c, 'authorization') ?? null,
      accept: requestHeader(c, 'accept') ?? null,
      missing: requestHeader(c, 'x-missing') ?? null,
    }),
  );

describe('requestHeader', () => {
  it('reads Node’s parsed headers on @hono/node-server, joining repeats as Headers does', async () => {
    const server = serve({ fetch: echoApp().fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        // Raw headers (name, value, ...), so that one can be sent twice; Node adds no Host to these.
        const raw = ['Host', `127.0.0.1:${port}`, 'Authorization', 'Bearer one', 'Accept', 'text/plain', 'Accept', 'application/json'];
        const req = request(
          { host: '127.0.0.1', port, path: '/', headers: raw as unknown as Record<string, string>, agent: false },
          (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
            res.once('end', () => resolve(text));
          },
        );
        req.once('error', reject);
        req.end();
      });
      expect(JSON.parse(body)).toEqual({ authorization: 'Bearer one', accept: 'text/plain, application/json', missing: null });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reads c.req.header() where there is no Node request (app.request, other runtimes)', async () => {
    const response = await echoApp().request('/', { headers: { Authorization: 'Bearer two', Accept: 'text/html' } });
    expect(await response.json()).toEqual({ authorization: 'Bearer two', accept: 'text/html', missing: null });
  });

  it('prefers Node’s headers when the adapter passes them in c.env', async () => {
    const response = await echoApp().fetch(new Request('http://local/', { headers: { Authorization: 'Bearer from-fetch' } }), {
      incoming: { headers: { authorization: 'Bearer from-node', accept: ['a', 'b'] } },
    });
    expect(await response.json()).toEqual({ authorization: 'Bearer from-node', accept: 'a, b', missing: null });
  });
});
