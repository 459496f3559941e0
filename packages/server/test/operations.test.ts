import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AtriumCore } from '@atrium/core';
import { testDatabaseTargets } from '@atrium/core/test';
import { createApp } from '../src/index.js';
import {
  call,
  captureLogger,
  createSpace,
  expectProblem,
  fetchOpenApi,
  openHarness,
  type Harness,
} from './helpers.js';

/** The contract's Identity and Spaces paths (API.md) with their methods. */
const CONTRACT_PATHS: Record<string, string[]> = {
  '/api/v1/auth/login': ['post'],
  '/api/v1/auth/refresh': ['post'],
  '/api/v1/auth/logout': ['post'],
  '/api/v1/me': ['get'],
  '/api/v1/users': ['get', 'post'],
  '/api/v1/users/{id}': ['patch', 'delete'],
  '/api/v1/api-keys': ['get', 'post'],
  '/api/v1/api-keys/{id}': ['delete'],
  '/api/v1/sysadmin/tenants': ['get', 'post'],
  '/api/v1/sysadmin/tenants/{tenantId}': ['delete'],
  '/api/v1/spaces': ['get', 'post'],
  '/api/v1/spaces/{spaceId}': ['get', 'patch', 'delete'],
  '/api/v1/spaces/{spaceId}/members': ['get', 'post'],
  '/api/v1/spaces/{spaceId}/members/{userId}': ['patch', 'delete'],
  '/healthz': ['get'],
  '/readyz': ['get'],
  '/metrics': ['get'],
};

/** A core whose `/me` use case fails: at once (it throws) or later (it rejects). */
const failingMe = (core: AtriumCore, when: 'at once' | 'later'): AtriumCore => {
  const explode = () => {
    throw new Error('database exploded at /srv/atrium/secret-path');
  };
  return { ...core, me: when === 'at once' ? explode : async () => explode() };
};

describe.each(await testDatabaseTargets())('operations on $name', (target) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(target);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('/healthz answers 200', async () => {
    const r = await call(h.app, 'GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 when ready, and a 503 problem when a dependency is down', async () => {
    const ok = await call(h.app, 'GET', '/readyz');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ status: 'ok' });

    const { logger, text } = captureLogger();
    const down = createApp({ core: h.core, logger, ready: () => Promise.reject(new Error('database unreachable')) });
    const r = await call(down, 'GET', '/readyz');
    expectProblem(r, 503, 'not_ready');
    expect(r.headers.get('x-request-id')).toBeTruthy();
    expect(r.text).not.toContain('database unreachable');
    expect(text()).toContain('not ready');
    // Liveness is not readiness.
    expect((await call(down, 'GET', '/healthz')).status).toBe(200);
  });

  it('/readyz logs when readiness changes, not at every probe, and without a stack trace', async () => {
    const { logger, text } = captureLogger();
    let failure: string | null = 'database unreachable';
    const ready = async () => {
      if (failure) throw new Error(failure);
    };
    const app = createApp({ core: h.core, logger, ready });
    const lines = (message: string) => text().split('\n').filter((l) => l.includes(`"msg":"${message}"`));
    for (let i = 0; i < 3; i++) expectProblem(await call(app, 'GET', '/readyz'), 503, 'not_ready');
    expect(lines('not ready')).toHaveLength(1);
    expect(lines('not ready')[0]).toContain('database unreachable');
    expect(text()).not.toContain('"stack"');
    failure = 'still starting';
    await call(app, 'GET', '/readyz');
    expect(lines('not ready')).toHaveLength(2);
    failure = null;
    expect((await call(app, 'GET', '/readyz')).status).toBe(200);
    expect((await call(app, 'GET', '/readyz')).status).toBe(200);
    expect(lines('ready again')).toHaveLength(1);
  });

  it('/metrics is Prometheus text with per-route-template request counts', async () => {
    const space = await createSpace(h.app, h.tenant.token);
    expect((await call(h.app, 'GET', `/api/v1/spaces/${space.id}`, { token: h.tenant.token })).status).toBe(200);
    expect((await call(h.app, 'GET', `/api/v1/spaces/${crypto.randomUUID()}`, { token: h.tenant.token })).status).toBe(404);
    await call(h.app, 'GET', '/definitely/not/a/route');
    const r = await call(h.app, 'GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.text).toContain('# TYPE atrium_http_requests_total counter');
    expect(r.text).toMatch(/^atrium_http_requests_total\{method="GET",route="\/api\/v1\/spaces\/:spaceId",status="200"\} \d+$/m);
    expect(r.text).toMatch(/^atrium_http_requests_total\{method="GET",route="\/api\/v1\/spaces\/:spaceId",status="404"\} \d+$/m);
    expect(r.text).toContain('atrium_http_request_duration_seconds_bucket');
    // Labels carry templates, never concrete ids or unmatched paths.
    expect(r.text).not.toContain(space.id);
    expect(r.text).not.toContain('/definitely/not/a/route');
    for (const line of r.text.split('\n').filter((l) => l.startsWith('atrium_http_requests_total{'))) {
      expect(line).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    }
  });

  it('/openapi.json is OpenAPI 3.1 with every contract path and method', async () => {
    const doc = await fetchOpenApi(h.app);
    expect(doc.openapi).toMatch(/^3\.1\./);
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(CONTRACT_PATHS)) {
      for (const method of methods) if (!doc.paths[path]?.[method as 'get']) missing.push(`${method.toUpperCase()} ${path}`);
    }
    expect(missing).toEqual([]);
    // Every authenticated API route declares how to authenticate.
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/v1/') || path.startsWith('/api/v1/auth/')) continue;
      for (const op of Object.values(item)) expect(op.security, path).toBeDefined();
    }
  });

  it('/docs is HTML that loads only local assets, and they all answer 200', async () => {
    const r = await call(h.app, 'GET', '/docs');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const refs = [...r.text.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    expect(r.text).not.toMatch(/https?:\/\//);
    for (const ref of refs) {
      expect(ref, `${ref} is not a local asset`).toMatch(/^\/[^/]/);
      const asset = await call(h.app, 'GET', ref);
      expect(asset.status, ref).toBe(200);
      expect(asset.text.length, ref).toBeGreaterThan(0);
      if (ref.endsWith('.js')) {
        expect(asset.headers.get('content-type')).toMatch(/javascript/);
      }
    }
    const init = refs.find((ref) => ref.endsWith('init.js'));
    expect(init).toBeDefined();
    const initJs = await call(h.app, 'GET', init!);
    expect(initJs.text).toContain("'/openapi.json'");
    expect(initJs.text).not.toMatch(/https?:\/\//);
    // Only the known assets are served: no path traversal into the package.
    for (const file of ['package.json', '..%2F..%2Fpackage.json', 'index.js']) {
      expectProblem(await call(h.app, 'GET', `/docs/assets/${file}`), 404, 'not_found');
    }
  });

  it('every response carries X-Request-Id: 200, 400, 401, 404, 413, 415, 422 and 500', async () => {
    const responses = [
      await call(h.app, 'GET', '/healthz'),
      await call(h.app, 'GET', '/api/v1/me'),
      await call(h.app, 'GET', '/nope'),
      await call(h.app, 'GET', '/api/v1/spaces?limit=0', { token: h.tenant.token }),
      await call(h.app, 'POST', '/api/v1/spaces', { token: h.tenant.token, body: '{', headers: { 'Content-Type': 'application/json' } }),
      await call(h.app, 'POST', '/api/v1/spaces', { token: h.tenant.token, json: { name: 'x'.repeat(2 * 1024 * 1024) } }),
      await call(h.app, 'POST', '/api/v1/spaces', { token: h.tenant.token, body: '{}' }),
      await call(h.app, 'GET', '/openapi.json'),
      await call(h.app, 'GET', '/docs'),
      await call(h.app, 'GET', '/metrics'),
      await call(h.app, 'OPTIONS', '/api/v1/spaces', { headers: { Origin: 'https://example.com', 'Access-Control-Request-Method': 'POST' } }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 401, 404, 422, 400, 413, 415, 200, 200, 200, 204]);
    const ids = responses.map((r) => r.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^[\w.:-]{8,128}$/);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of responses.slice(1, 7)) expect(r.body.requestId).toBe(r.headers.get('x-request-id'));
  });

  it.each(['at once', 'later'] as const)('a 500 (the route failing %s) is a bare problem with the request id: no message, no stack', async (when) => {
    const { logger, text } = captureLogger();
    const broken = createApp({ core: failingMe(h.core, when), logger, ready: async () => {} });
    const r = await call(broken, 'GET', '/api/v1/me', { token: h.tenant.token });
    expect(r.status).toBe(500);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ status: 500, code: 'internal_error', title: 'Internal Server Error' });
    expect(r.body.requestId).toEqual(expect.any(String));
    expect(r.headers.get('x-request-id')).toBe(r.body.requestId);
    expect(r.text).not.toContain('exploded');
    expect(r.text).not.toContain('secret-path');
    expect(r.text).not.toMatch(/\bat .+:\d+:\d+/);
    expect(r.body).not.toHaveProperty('stack');
    // The stack goes to the log instead, with the same request id.
    const logged = text();
    expect(logged).toContain('database exploded');
    expect(logged).toContain(r.body.requestId);
  });

  it('echoes a sane incoming X-Request-Id and replaces an insane one', async () => {
    const sane = 'trace-1234.abcd:EF_gh';
    const echoed = await call(h.app, 'GET', '/healthz', { headers: { 'X-Request-Id': sane } });
    expect(echoed.headers.get('x-request-id')).toBe(sane);
    const onError = await call(h.app, 'GET', '/api/v1/me', { headers: { 'X-Request-Id': sane } });
    expect(onError.headers.get('x-request-id')).toBe(sane);
    expect(onError.body.requestId).toBe(sane);
    for (const insane of ['short', 'has spaces in it', 'x'.repeat(200), '<script>alert(1)</script>', 'id\twith\ttabs']) {
      const r = await call(h.app, 'GET', '/healthz', { headers: { 'X-Request-Id': insane } });
      const id = r.headers.get('x-request-id');
      expect(id).not.toBe(insane);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
