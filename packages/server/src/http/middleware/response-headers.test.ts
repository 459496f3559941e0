import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AtriumCore } from '@atrium/core';
import { createApp } from '../../app.js';
import { requestMetrics } from '../request-metrics.js';
import { createEdge } from '../edge.js';
import { gatedDefaultRouter } from '../gated-router.js';
import { createGateway } from '../gateway.js';
import { handleError } from '../problem.js';
import { API_SECURITY_HEADERS, DOCUMENT_SECURITY_HEADERS, securityHeadersFor } from './security-headers.js';

const lower = (headers: Headers, drop: string[] = []) =>
  Object.fromEntries([...headers].filter(([name]) => !drop.includes(name)));

/** One request on its own connection (node:http, so that a 413 cut short cannot break the next one). */
const overHttp = (base: string, method: string, path: string, headers: Record<string, string>, body?: string) =>
  new Promise<{ status: number; headers: Headers }>((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers, agent: false }, (res) => {
      const out = new Headers();
      for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') out.set(name, value);
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: out }));
    });
    req.once('error', reject);
    req.end(body);
  });

/** app.request(), with the headers read before the body (see the note in the test below). */
const inProcess = async (app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }, method: string, path: string, headers: Record<string, string>, body?: string) => {
  const response = await app.request(path, { method, headers, body });
  const copy = new Headers(response.headers);
  await response.arrayBuffer();
  return { status: response.status, headers: copy };
};

// Requests that need no core: the middleware answer them (or fail before any use case).
const CASES: { name: string; method: string; path: string; headers?: Record<string, string> }[] = [
  { name: 'a plain GET', method: 'GET', path: '/healthz' },
  { name: 'a 401 from the API', method: 'GET', path: '/api/v1/me' },
  { name: 'a 401 from the API, from a browser', method: 'GET', path: '/api/v1/me', headers: { Origin: 'https://widget.example' } },
  { name: 'a 404', method: 'GET', path: '/no/such/route' },
  {
    name: 'a CORS preflight',
    method: 'OPTIONS',
    path: '/api/v1/spaces',
    headers: { Origin: 'https://widget.example', 'Access-Control-Request-Method': 'POST' },
  },
  { name: 'a too-large body', method: 'POST', path: '/api/v1/auth/login', headers: { 'Content-Type': 'application/json' } },
];

describe('response headers', () => {
  it("are exactly the ones hono's secureHeaders would set with Atrium's options", async () => {
    const app = new Hono();
    app.use('*', secureHeaders({ crossOriginResourcePolicy: 'cross-origin', crossOriginEmbedderPolicy: false }));
    app.get('/', (c) => c.text('ok'));
    const expected = lower((await app.request('/')).headers, ['content-type']);
    expect(Object.fromEntries(DOCUMENT_SECURITY_HEADERS.map(([name, value]) => [name.toLowerCase(), value]))).toEqual(expected);
  });

  it('API paths get the API set, everything else the browser-document set', () => {
    for (const path of ['/api/v1/me', '/api/v1/widget/chat', '/v1/chat/completions', '/v1/models']) expect(securityHeadersFor(path), path).toBe(API_SECURITY_HEADERS);
    for (const path of ['/healthz', '/docs', '/docs/assets/swagger-ui.css', '/openapi.json', '/api', '/v1', '/apix/y', '/widget.js'])
      expect(securityHeadersFor(path), path).toBe(DOCUMENT_SECURITY_HEADERS);
    expect(Object.fromEntries(API_SECURITY_HEADERS)).toMatchObject({
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    });
  });

  it('a header the handler sets itself wins over the security set, through Node and app.request() alike', async () => {
    const gate = createGateway({
      edge: createEdge({ logger: pino({ level: 'silent' }), metrics: requestMetrics() }),
      corsFor: () => undefined,
      bodyLimitFor: () => undefined,
      identify: () => undefined,
      onError: handleError,
    });
    const app = new Hono({ router: gatedDefaultRouter(gate) });
    app.get('/api/v1/stream', (c) => c.text('data: x\n\n', 200, { 'Cache-Control': 'no-cache, no-transform', 'Content-Type': 'text/event-stream' }));
    app.get('/api/v1/plain', (c) => c.text('ok'));
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (const [path, cacheControl] of [
        ['/api/v1/stream', 'no-cache, no-transform'],
        ['/api/v1/plain', 'no-store'],
      ] as const) {
        expect((await overHttp(base, 'GET', path, {})).headers.get('cache-control'), path).toBe(cacheControl);
        expect((await inProcess(app, 'GET', path, {})).headers.get('cache-control'), path).toBe(cacheControl);
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe('through @hono/node-server (set on the Node response) and app.request() (set on c.res) alike', () => {
    const app = createApp({ core: {} as AtriumCore, logger: pino({ level: 'silent' }), ready: async () => {} });
    let server: ServerType;
    let base = '';
    beforeAll(async () => {
      await new Promise<void>((resolve) => {
        server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
          base = `http://127.0.0.1:${info.port}`;
          resolve();
        });
      });
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    for (const { name, method, path, headers = {} } of CASES)
      it(`${name}: ${method} ${path}`, async () => {
        const body = method === 'POST' ? 'x'.repeat(2 * 1024 * 1024) : undefined;
        // In this process serve() has swapped in @hono/node-server's lightweight Response, whose
        // header changes are lost if its body is read first: so app.request's headers are copied
        // before its body is read. (The server itself writes those headers directly.)
        const http = await overHttp(base, method, path, headers, body);
        const local = await inProcess(app, method, path, headers, body);
        expect(http.status).toBe(local.status);

        const expected = securityHeadersFor(path);
        for (const [header, value] of expected) {
          expect(http.headers.get(header), header).toBe(value);
          expect(local.headers.get(header), header).toBe(value);
        }
        // And no header of the other set that this one lacks.
        const names = new Set(expected.map(([name]) => name));
        for (const [header] of [...DOCUMENT_SECURITY_HEADERS, ...API_SECURITY_HEADERS].filter(([name]) => !names.has(name))) {
          expect(http.headers.get(header), header).toBeNull();
          expect(local.headers.get(header), header).toBeNull();
        }
        expect(http.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        expect(local.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        // Everything else (CORS, Vary, content type) is the same on both paths; except that
        // @hono/node-server gives a bodiless response (the 204 to a preflight) a content type.
        const skip = ['x-request-id', 'date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'];
        if (!local.headers.has('content-type')) skip.push('content-type');
        expect(lower(http.headers, skip)).toEqual(lower(local.headers, skip));
      });

    it('an API request without Origin gets no CORS headers and is never stored (so needs no Vary); one with Origin gets them', async () => {
      const plain = await overHttp(base, 'GET', '/api/v1/me', {});
      expect(plain.headers.get('access-control-allow-origin')).toBeNull();
      expect(plain.headers.get('cache-control')).toBe('no-store');
      const browser = await overHttp(base, 'GET', '/api/v1/me', { Origin: 'https://widget.example' });
      expect(browser.headers.get('access-control-allow-origin')).toBe('*');
      expect(browser.headers.get('access-control-expose-headers')).toBe('X-Request-Id,Retry-After');
    });

    it('keeps a sane incoming X-Request-Id over HTTP too', async () => {
      const r = await overHttp(base, 'GET', '/healthz', { 'X-Request-Id': 'trace-0123456789' });
      expect(r.headers.get('x-request-id')).toBe('trace-0123456789');
    });
  });
});
