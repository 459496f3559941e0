/**
 * The SDK follows the server: its generated types are what the server's OpenAPI
 * document produces today, and every /api/v1 operation of that document has an SDK
 * method (or is excluded here with a reason).
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { Atrium } from '../src/index.js';
import { AtriumWidgetClient } from '../src/widget/index.js';
import { GENERATED_FILE, generateTypes, serverOpenApiDocument, type OpenApiDocument } from '../scripts/openapi.js';
import { mockFetch, type RecordedRequest } from './mock-fetch.js';

/** Operations of the document the SDK deliberately has no method for. */
const EXCLUDED: Record<string, string> = {
  'POST /api/v1/auth/login': 'SDK.md takes an apiKey or accessToken; signing in is the console\'s session handling, not an SDK resource',
  'POST /api/v1/auth/refresh': 'as login: token refresh belongs to whoever holds the refresh token (the console)',
  'POST /api/v1/auth/logout': 'as login',
  'GET /api/v1/sysadmin/tenants': 'operator endpoints with the ATRIUM_SYSADMIN_KEY, not tenant API; not in SDK.md (the CLI covers them)',
  'POST /api/v1/sysadmin/tenants': 'operator endpoint, as above',
  'DELETE /api/v1/sysadmin/tenants/{tenantId}': 'operator endpoint, as above',
};

/**
 * Routes API.md and SDK.md fix that today's server does not serve yet; the SDK has
 * their methods already. When one appears in the document, this test fails: move its
 * types from pending-types.ts to generated names in types.ts, and drop it here.
 */
const PENDING = new Set<string>([]);

/** Calls every method of the SDK once, with a fetch that answers anything. */
const callEverything = async (): Promise<RecordedRequest[]> => {
  const anything = () =>
    new Response(JSON.stringify({ data: [], nextCursor: null, message: { id: 'm' }, document: { status: 'ready' }, status: 'ready', visitorToken: 't', expiresIn: 60 }), {
      headers: { 'Content-Type': 'application/json' },
    });
  const { fetch, requests } = mockFetch(...Array.from({ length: 200 }, () => anything));
  const a = new Atrium({ apiKey: 'k', baseURL: 'http://x', fetch });
  const w = new AtriumWidgetClient({ publicKey: 'pk', baseURL: 'http://x', fetch });
  const calls: Array<() => unknown> = [
    () => a.me(),
    () => a.users.list(),
    () => a.users.create({ email: 'e', password: 'p', name: 'n', role: 'member' }),
    () => a.users.retrieve('u'),
    () => a.users.update('u', {}),
    () => a.users.delete('u'),
    () => a.apiKeys.list(),
    () => a.apiKeys.create({ name: 'k' }),
    () => a.apiKeys.delete('k'),
    () => a.spaces.list(),
    () => a.spaces.create({ name: 's' }),
    () => a.spaces.retrieve('s'),
    () => a.spaces.update('s', {}),
    () => a.spaces.delete('s'),
    () => a.spaces.members.list('s'),
    () => a.spaces.members.create('s', { userId: 'u', role: 'viewer' }),
    () => a.spaces.members.update('s', 'u', { role: 'editor' }),
    () => a.spaces.members.delete('s', 'u'),
    () => a.collections.list('s'),
    () => a.collections.create('s', { name: 'c' }),
    () => a.collections.retrieve('c'),
    () => a.collections.update('c', {}),
    () => a.collections.delete('c'),
    () => a.collections.search('c', { query: 'q' }),
    () => a.documents.list('c'),
    () => a.documents.create('c', { title: 't', text: 'x' }),
    () => a.documents.retrieve('d'),
    () => a.documents.delete('d'),
    () => a.documents.retry('d'),
    () => a.documents.chunks.list('d'),
    () => a.documents.waitUntilReady('d'),
    () => a.websites.list('s'),
    () => a.websites.create('s', { url: 'https://example.com', mode: 'crawl' }),
    () => a.websites.retrieve('w'),
    () => a.websites.update('w', {}),
    () => a.websites.delete('w'),
    () => a.websites.crawl('w'),
    () => a.websites.runs.list('w'),
    () => a.websites.runs.cancel('w', 'r'),
    () => a.websites.documents.list('w'),
    () => a.jobs.retrieve('j'),
    () => a.assistants.list('s'),
    () => a.assistants.create('s', { name: 'a' }),
    () => a.assistants.retrieve('a'),
    () => a.assistants.update('a', {}),
    () => a.assistants.delete('a'),
    () => a.assistants.chat('a', { message: 'm' }),
    () => a.assistants.chat('a', { message: 'm', stream: false }),
    () => a.assistants.conversations.list('a', { scope: 'all' }),
    () => a.assistants.conversations.export('a', { format: 'csv' }),
    () => a.assistants.widget.retrieve('a'),
    () => a.assistants.widget.update('a', { enabled: true, allowedOrigins: [] }),
    () => a.assistants.widget.rotateKey('a'),
    () => a.assistants.widget.createIdentitySecret('a'),
    () => a.conversations.retrieve('c'),
    () => a.conversations.delete('c'),
    () => a.messages.feedback('m', { rating: 'up' }),
    () => a.models.list(),
    () => a.usage.retrieve({ from: '2026-01-01' }),
    () => w.config(),
    () => w.chat({ message: 'm' }),
    () => w.conversation('c'),
    () => w.feedback('m', { rating: 'down' }),
  ];
  for (const call of calls) await call();
  return requests;
};

const operationKey = (doc: OpenApiDocument, request: RecordedRequest): string | undefined => {
  const { pathname } = new URL(request.url);
  for (const template of Object.keys(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);
    if (pattern.test(pathname) && doc.paths[template]![request.method.toLowerCase()]) return `${request.method} ${template}`;
  }
  return undefined;
};

/** The template a pending route's request was sent to (ids are single letters here). */
const pendingKey = (request: RecordedRequest): string | undefined => {
  const { pathname } = new URL(request.url);
  return [...PENDING].find((key) => {
    const [method, template] = key.split(' ');
    return method === request.method && new RegExp(`^${template!.replace(/\{\w+\}/g, '[^/]+')}$`).test(pathname);
  });
};

describe("the server's OpenAPI document", () => {
  let doc: OpenApiDocument;
  let requests: RecordedRequest[];
  beforeAll(async () => {
    doc = await serverOpenApiDocument();
    requests = await callEverything();
  });

  it('has an SDK method for every /api/v1 operation, or an excluded reason', () => {
    const covered = new Set(requests.map((r) => operationKey(doc, r)).filter(Boolean));
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    const missing = operations.filter((op) => !covered.has(op) && !EXCLUDED[op]);
    expect(missing, 'operations without an SDK method').toEqual([]);
    expect(operations.length).toBeGreaterThan(40);
  });

  it('still has every excluded operation (a stale exclusion hides nothing)', () => {
    const stale = Object.keys(EXCLUDED).filter((op) => {
      const [method, path] = op.split(' ');
      return !doc.paths[path!]?.[method!.toLowerCase()];
    });
    expect(stale).toEqual([]);
  });

  it('lacks only the routes listed as pending; the SDK calls nothing else', () => {
    const unknown = requests.filter((r) => !operationKey(doc, r) && !pendingKey(r)).map((r) => `${r.method} ${r.url}`);
    expect(unknown, 'SDK requests to routes neither in the document nor pending').toEqual([]);
    const arrived = [...PENDING].filter((op) => {
      const [method, path] = op.split(' ');
      return doc.paths[path!]?.[method!.toLowerCase()];
    });
    expect(arrived, 'pending routes the server now serves: generate their types and drop them from PENDING').toEqual([]);
    const called = new Set(requests.map(pendingKey).filter(Boolean));
    expect([...PENDING].filter((op) => !called.has(op)), 'pending routes no SDK method calls').toEqual([]);
  });

  it('generates exactly the committed src/generated/openapi.ts (run `pnpm --filter @atrium/sdk generate`)', async () => {
    expect(await generateTypes()).toBe(await readFile(GENERATED_FILE, 'utf8'));
  });
});
