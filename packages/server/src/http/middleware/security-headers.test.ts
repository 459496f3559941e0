import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AtriumCore } from '@atrium/core';
import { createApp } from '../../app.js';
import { API_SECURITY_HEADERS, apiSecurityHeaders } from './security-headers.js';

/** What a browser-rendered response carries: hono's secureHeaders defaults, resources readable cross-origin. */
const DOCUMENT_SECURITY_HEADERS: [string, string][] = [
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'cross-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

const lower = (headers: Headers, drop: string[] = []) => Object.fromEntries([...headers].filter(([name]) => !drop.includes(name)));

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
const inProcess = async (
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
) => {
  const response = await app.request(path, { method, headers, body });
  const copy = new Headers(response.headers);
  await response.arrayBuffer();
  return { status: response.status, headers: copy };
};

// Requests that need no core: the middleware answer them (or fail before any use case).
const CASES: { name: string; method: string; path: string; api: boolean; headers?: Record<string, string> }[] = [
  { name: 'a plain GET', method: 'GET', path: '/healthz', api: false },
  { name: 'a 401 from the API', method: 'GET', path: '/api/v1/me', api: true },
  { name: 'a 401 from the API, from a browser', method: 'GET', path: '/api/v1/me', api: true, headers: { Origin: 'https://widget.example' } },
  { name: 'a 401 from /v1', method: 'GET', path: '/v1/models', api: true },
  { name: 'a 404', method: 'GET', path: '/no/such/route', api: false },
  { name: 'a 404 of a public API group', method: 'GET', path: '/api/v1/widget/nothing', api: true },
  {
    name: 'a CORS preflight',
    method: 'OPTIONS',
    path: '/api/v1/spaces',
    api: true,
    headers: { Origin: 'https://widget.example', 'Access-Control-Request-Method': 'POST' },
  },
  { name: 'a too-large body', method: 'POST', path: '/api/v1/auth/login', api: true, headers: { 'Content-Type': 'application/json' } },
];

describe('security headers', () => {
  it('a header the handler sets itself wins over the API set', async () => {
    const app = new Hono();
    app.use(apiSecurityHeaders());
    app.get('/stream', (c) => c.text('data: x\n\n', 200, { 'Cache-Control': 'no-cache, no-transform', 'Content-Type': 'text/event-stream' }));
    app.get('/plain', (c) => c.text('ok'));
    expect((await app.request('/stream')).headers.get('cache-control')).toBe('no-cache, no-transform');
    expect((await app.request('/plain')).headers.get('cache-control')).toBe('no-store');
  });

  describe('through @hono/node-server and app.request() alike', () => {
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

    for (const { name, method, path, api, headers = {} } of CASES)
      it(`${name}: ${method} ${path} gets the ${api ? 'API' : 'document'} set`, async () => {
        const body = method === 'POST' ? 'x'.repeat(2 * 1024 * 1024) : undefined;
        // In this process serve() has swapped in @hono/node-server's lightweight Response, whose
        // header changes are lost if its body is read first: so app.request's headers are copied
        // before its body is read.
        const http = await overHttp(base, method, path, headers, body);
        const local = await inProcess(app, method, path, headers, body);
        expect(http.status).toBe(local.status);
        const expected = api ? API_SECURITY_HEADERS : DOCUMENT_SECURITY_HEADERS;
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
