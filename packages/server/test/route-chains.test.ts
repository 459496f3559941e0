import type { AtriumCore } from '@atrium/core';
import type { H, RouterRoute } from 'hono/types';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/index.js';
import { fetchOpenApi, operationsOf, silentLogger } from './helpers.js';

/**
 * What runs before each route, as hono itself would run it: the app's router is asked for
 * the handlers a request to the route matches, and the chain is every one of them up to the
 * route's own. The table is kept in `route-chains.txt` beside this file, for readers; a change
 * to any chain shows up there in review.
 */
const app = createApp({ core: {} as AtriumCore, logger: silentLogger(), ready: async () => {}, sysadminKey: 'k' });

type Matched = [[H, RouterRoute], unknown][];
const SAMPLE_ID = '00000000-0000-7000-8000-000000000000';

// hono's own test for a middleware: it takes `next`.
const isMiddleware = (handler: H) => handler.length > 1;
// Source transforms number a function named like the const around it (`requestLog2`); the
// only unnamed middleware are @hono/zod-openapi's request validators.
const nameOf = (handler: H) => (handler.name ? handler.name.replace(/\d+$/, '') : 'validator').replace(/^mw$/, 'validator');

const chains = () =>
  app.routes
    .filter((route) => route.method !== 'ALL' && !isMiddleware(route.handler))
    .map((route) => {
      const path = route.path.replace(/:\w+/g, SAMPLE_ID);
      const [matched] = app.router.match(route.method, path) as unknown as [Matched];
      const handlers = matched.map(([[handler]]) => handler);
      const own = handlers.indexOf(route.handler);
      return { method: route.method, path: route.path, chain: handlers.slice(0, own).map(nameOf) };
    });

const LEGEND = [
  '# What runs before each route, in order (test/route-chains.test.ts writes this file).',
  '# except: the browser-document security headers, on everything but /api/v1/* and /v1/*.',
  '# validator: the request validation @hono/zod-openapi derives from the route definition.',
];

const table = () =>
  [...LEGEND, ...chains().map(({ method, path, chain }) => `${method.padEnd(6)} ${path.padEnd(48)} ${chain.join(' → ')}`)].join('\n');

describe('the middleware chain of every route', () => {
  const all = chains();
  const named = (pattern: RegExp) => all.filter((r) => pattern.test(r.path));

  it('is printed, one line per route, into route-chains.txt', async () => {
    expect(all.length).toBeGreaterThan(50);
    for (const { chain } of all) expect(chain.slice(0, 1)).toEqual(['requestLog']);
    await expect(`${table()}\n`).toMatchFileSnapshot('./route-chains.txt');
  });

  it('authenticates everything under /api/v1 but the public groups, and nothing else', () => {
    const publicPaths = /^\/api\/v1\/(auth|sysadmin|widget)\//;
    for (const r of all) {
      const authenticated = r.chain.includes('authenticate');
      expect(authenticated, `${r.method} ${r.path}`).toBe(r.path.startsWith('/api/v1/') && !publicPaths.test(r.path));
    }
    for (const r of named(/^\/api\/v1\/sysadmin\//)) expect(r.chain).toContain('requireSysadmin');
    for (const r of named(/^\/v1\//)) expect(r.chain).toContain('authenticateOpenAI');
  });

  it('lets assistant-scoped keys through only where a route declares it', () => {
    const accepting = all.filter((r) => r.chain.includes('acceptsAssistantKeys')).map((r) => `${r.method} ${r.path}`);
    expect(accepting.sort()).toEqual(
      [
        'DELETE /api/v1/assistants/:assistantId',
        'DELETE /api/v1/conversations/:conversationId',
        'GET /api/v1/assistants/:assistantId',
        'GET /api/v1/assistants/:assistantId/conversations',
        'GET /api/v1/assistants/:assistantId/conversations/export',
        'GET /api/v1/conversations/:conversationId',
        'GET /api/v1/models',
        'PATCH /api/v1/assistants/:assistantId',
        'POST /api/v1/assistants/:assistantId/chat',
        'POST /api/v1/messages/:messageId/feedback',
      ].sort(),
    );
  });

  it('honours Idempotency-Key where API.md promises it (document creation and chat, widget chat included) and where a retry must not act twice (websites, crawls, document retries)', () => {
    const honouring = all.filter((r) => r.chain.includes('idempotent')).map((r) => `${r.method} ${r.path}`);
    expect(honouring.sort()).toEqual([
      'POST /api/v1/assistants/:assistantId/chat',
      'POST /api/v1/collections/:collectionId/documents',
      'POST /api/v1/documents/:documentId/retry',
      'POST /api/v1/spaces/:spaceId/websites',
      'POST /api/v1/websites/:websiteId/crawl',
      'POST /api/v1/widget/chat',
    ]);
    // After the body limit, since it reads the body.
    for (const r of all.filter((r) => r.chain.includes('idempotent'))) expect(r.chain.indexOf('bodyLimit')).toBeLessThan(r.chain.indexOf('idempotent'));
  });

  it('limits the body of every route that takes one, and of no other', async () => {
    // What takes a body: the documented operations with a request body, and /v1's completions.
    const documented = operationsOf(await fetchOpenApi(app));
    const withBody = new Set([
      ...documented.filter((o) => o.operation.requestBody).map((o) => `${o.method} ${o.path.replace(/\{(\w+)\}/g, ':$1')}`),
      'POST /v1/chat/completions',
    ]);
    expect(withBody.size).toBeGreaterThan(20);
    for (const r of all) expect(r.chain.includes('bodyLimit'), `${r.method} ${r.path}`).toBe(withBody.has(`${r.method} ${r.path}`));
  });

  it('puts API headers and CORS on the API groups, and the document headers everywhere else', () => {
    for (const r of all) {
      const api = r.path.startsWith('/api/v1/') || r.path.startsWith('/v1/');
      expect(r.chain.includes('apiSecurityHeaders'), `${r.method} ${r.path}`).toBe(api);
      expect(r.chain.includes('apiCors') || r.path.startsWith('/api/v1/widget/'), `${r.method} ${r.path}`).toBe(api);
    }
  });
});
