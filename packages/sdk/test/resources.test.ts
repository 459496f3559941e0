/** Every resource of the SDK against a real server, and the errors it maps. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIUserAbortError,
  Atrium,
  AuthenticationError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  UnprocessableEntityError,
} from '../src/index.js';
import { AtriumWidgetClient } from '../src/widget/index.js';
import { startTestServer, TEST_SITE, type TestServer } from './server.js';

describe('SDK resources against a real server', () => {
  let server: TestServer;
  let atrium: Atrium;
  let spaceId: string;

  beforeAll(async () => {
    server = await startTestServer();
    atrium = new Atrium({ accessToken: server.token, baseURL: server.url });
    spaceId = (await atrium.spaces.create({ name: 'Resources' })).id;
  }, 120_000);
  afterAll(async () => server?.close());

  it('me', async () => {
    const me = await atrium.me();
    expect(me.user.email).toBe('owner@sdk.test');
    expect(me.tenant.id).toBeTruthy();
  });

  it('users: create, retrieve, update, list, delete', async () => {
    const user = await atrium.users.create({ email: 'ada@sdk.test', password: 'a long enough password', name: 'Ada', role: 'member' });
    expect(await atrium.users.retrieve(user.id)).toMatchObject({ email: 'ada@sdk.test' });
    expect(await atrium.users.update(user.id, { name: 'Ada L.' })).toMatchObject({ name: 'Ada L.' });
    const emails: string[] = [];
    for await (const u of atrium.users.list()) emails.push(u.email);
    expect(emails).toContain('ada@sdk.test');
    await atrium.users.delete(user.id);
    await expect(atrium.users.retrieve(user.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('spaces: paginate, retrieve, update, delete; members', async () => {
    const created = await Promise.all(['p1', 'p2', 'p3'].map((name) => atrium.spaces.create({ name: `page ${name}`, description: null })));
    const first = await atrium.spaces.list({ limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.hasNextPage()).toBe(true);
    const all: string[] = [];
    for await (const s of atrium.spaces.list({ limit: 2 })) all.push(s.id);
    expect(all).toEqual(expect.arrayContaining([spaceId, ...created.map((s) => s.id)]));
    expect(new Set(all).size).toBe(all.length);

    const space = created[0]!;
    expect(await atrium.spaces.update(space.id, { description: 'Paged' })).toMatchObject({ description: 'Paged' });
    expect(await atrium.spaces.retrieve(space.id)).toMatchObject({ name: 'page p1' });

    const user = await atrium.users.create({ email: 'bo@sdk.test', password: 'a long enough password', name: 'Bo', role: 'member' });
    const member = await atrium.spaces.members.create(space.id, { userId: user.id, role: 'viewer' });
    expect(member).toMatchObject({ role: 'viewer' });
    expect(await atrium.spaces.members.update(space.id, user.id, { role: 'editor' })).toMatchObject({ role: 'editor' });
    expect((await atrium.spaces.members.list(space.id)).data.map((m) => m.role)).toContain('editor');
    await atrium.spaces.members.delete(space.id, user.id);
    await atrium.spaces.delete(space.id);
    await expect(atrium.spaces.retrieve(space.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('collections and documents: text, chunks, list by status, jobs, delete', async () => {
    const kb = await atrium.collections.create(spaceId, { name: 'KB' });
    expect(kb.language).toBe('english');
    expect(await atrium.collections.update(kb.id, { description: 'docs' })).toMatchObject({ description: 'docs', job: null });
    expect((await atrium.collections.list(spaceId)).data.map((c) => c.id)).toContain(kb.id);
    // A new language re-indexes in a job the answer names.
    const swedish = await atrium.collections.create(spaceId, { name: 'Svenska', language: 'swedish' });
    expect(swedish.language).toBe('swedish');
    const german = await atrium.collections.update(swedish.id, { language: 'german' });
    expect(german).toMatchObject({ language: 'german', job: { kind: 'reindex_collection' } });
    expect((await atrium.jobs.retrieve(german.job!.id)).kind).toBe('reindex_collection');

    const bytes = new TextEncoder().encode('# Warranty\n\nEvery product has a two year warranty.');
    const { document, job } = await atrium.documents.create(kb.id, { file: bytes, filename: 'warranty.md' });
    expect((await atrium.jobs.retrieve(job!.id)).kind).toBeTruthy();
    await atrium.documents.waitUntilReady(document.id, { pollInterval: 50 });
    expect((await atrium.documents.retrieve(document.id)).status).toBe('ready');
    const ready = await atrium.documents.list(kb.id, { status: 'ready' });
    expect(ready.data.map((d) => d.id)).toEqual([document.id]);
    const chunks = await atrium.documents.chunks.list(document.id);
    expect(chunks.data[0]!.text).toContain('two year warranty');
    expect((await atrium.collections.retrieve(kb.id)).documentCounts).toMatchObject({ ready: 1 });

    await atrium.documents.delete(document.id);
    await expect(atrium.documents.retrieve(document.id)).rejects.toBeInstanceOf(NotFoundError);
    await atrium.collections.delete(kb.id);
  });

  it('websites: create, crawl, runs, crawled pages, update, cancel, delete; an assistant that links one', async () => {
    const website = await atrium.websites.create(spaceId, { url: TEST_SITE, mode: 'crawl', maxPages: 10 });
    expect(website).toMatchObject({ url: TEST_SITE, mode: 'crawl', maxPages: 10, schedule: 'never', lastRun: null });
    expect((await atrium.websites.list(spaceId)).data.map((w) => w.id)).toContain(website.id);
    await expect(atrium.websites.create(spaceId, { url: 'http://169.254.169.254/latest/meta-data', mode: 'crawl' })).rejects.toBeInstanceOf(UnprocessableEntityError);

    const { run, job } = await atrium.websites.crawl(website.id);
    expect(job.kind).toBe('crawl_website');
    let latest = run;
    for (let i = 0; i < 200 && ['queued', 'running'].includes(latest.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      latest = (await atrium.websites.runs.list(website.id, { limit: 1 })).data[0]!;
    }
    expect(latest).toMatchObject({ id: run.id, status: 'completed', stats: { crawled: 2, new: 2 } });
    const pages = [];
    for await (const page of atrium.websites.documents.list(website.id)) pages.push(page.source);
    expect(pages.sort()).toEqual([TEST_SITE, `${TEST_SITE}install`]);
    expect((await atrium.websites.runs.cancel(website.id, run.id)).status).toBe('completed');
    expect((await atrium.websites.retrieve(website.id)).lastRun?.id).toBe(run.id);
    expect(await atrium.websites.update(website.id, { schedule: 'weekly', exclude: ['/drafts/**'] })).toMatchObject({ schedule: 'weekly', exclude: ['/drafts/**'] });

    const bot = await atrium.assistants.create(spaceId, { name: 'Site bot', websiteIds: [website.id] });
    expect(bot.websiteIds).toEqual([website.id]);
    const answer = await atrium.assistants.chat(bot.id, { message: 'How do I install the SDK?', stream: false });
    expect(answer.references.some((r) => r.url === `${TEST_SITE}install`)).toBe(true);

    await atrium.websites.delete(website.id);
    await expect(atrium.websites.retrieve(website.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('assistants, conversations, usage and models; an assistant-scoped API key', async () => {
    const kb = await atrium.collections.create(spaceId, { name: 'For the bot' });
    const { document } = await atrium.documents.create(kb.id, { title: 'Hours', text: 'The shop opens at nine and closes at five.' });
    await atrium.documents.waitUntilReady(document.id, { pollInterval: 50 });
    const bot = await atrium.assistants.create(spaceId, { name: 'Bot', collectionIds: [kb.id], published: true });
    expect(await atrium.assistants.update(bot.id, { instructions: 'Be brief.' })).toMatchObject({ instructions: 'Be brief.' });
    expect((await atrium.assistants.list(spaceId)).data.map((a) => a.id)).toContain(bot.id);
    expect(await atrium.assistants.retrieve(bot.id)).toMatchObject({ name: 'Bot' });

    const created = await atrium.apiKeys.create({ name: 'bot key', assistantId: bot.id });
    expect(created.key).toMatch(/^atr_sk_/);
    expect((await atrium.apiKeys.list()).data.map((k) => k.id)).toContain(created.id);
    const scoped = new Atrium({ apiKey: created.key, baseURL: server.url });
    const answer = await (await scoped.assistants.chat(bot.id, { message: 'When does the shop open?' })).finalMessage();
    expect(answer.content).toContain('nine');
    await expect(scoped.spaces.create({ name: 'not allowed' })).rejects.toBeInstanceOf(PermissionDeniedError);

    const mine = await atrium.assistants.conversations.list(bot.id, { scope: 'all' });
    expect(mine.data.map((c) => c.id)).toContain(answer.conversationId);
    const usage = await atrium.usage.retrieve();
    expect(usage.total).toBeTruthy();
    const models = await atrium.models.list();
    expect(models.completion.length).toBeGreaterThan(0);

    await atrium.conversations.delete(answer.conversationId);
    await expect(atrium.conversations.retrieve(answer.conversationId)).rejects.toBeInstanceOf(NotFoundError);
    await atrium.apiKeys.delete(created.id);
    await expect(scoped.me()).rejects.toBeInstanceOf(AuthenticationError);
    await atrium.assistants.delete(bot.id);
  });

  it('maps problem details: 404 with a request id, 422 with field errors, 409', async () => {
    const missing = (await atrium.spaces.retrieve('0190a0a0-0000-7000-8000-00000000abcd').catch((e: unknown) => e)) as NotFoundError;
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    expect(missing.requestId).toBeTruthy();
    expect(missing.headers?.get('x-request-id')).toBe(missing.requestId);

    const invalid = (await atrium.spaces.create({ name: '' }).catch((e: unknown) => e)) as UnprocessableEntityError;
    expect(invalid).toBeInstanceOf(UnprocessableEntityError);
    expect(invalid.errors.map((e) => e.path)).toContain('name');

    await atrium.users.create({ email: 'twice@sdk.test', password: 'a long enough password', name: 'T', role: 'member' });
    await expect(
      atrium.users.create({ email: 'twice@sdk.test', password: 'a long enough password', name: 'T', role: 'member' }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('breaking out of a stream aborts its HTTP request', async () => {
    // The local answerer is too quick to catch mid-answer on the server, so watch the request itself.
    const signals: AbortSignal[] = [];
    const watching: typeof fetch = (input, init) => {
      signals.push(init!.signal!);
      return fetch(input, init);
    };
    const client = new Atrium({ accessToken: server.token, baseURL: server.url, fetch: watching });
    const bot = await client.assistants.create(spaceId, { name: 'Quick', published: true });
    const stream = await client.assistants.chat(bot.id, { message: 'Hello?' });
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'start') break;
    }
    expect(types).toEqual(['start']);
    expect(signals.at(-1)!.aborted).toBe(true);
    expect(signals[0]!.aborted).toBe(false);
  });

  it('retries after a dropped connection with the same Idempotency-Key', async () => {
    const keys: (string | null)[] = [];
    let dropped = false;
    const flaky: typeof fetch = async (input, init) => {
      keys.push(new Headers(init?.headers).get('idempotency-key'));
      if (!dropped) {
        dropped = true;
        throw new TypeError('fetch failed: socket hang up');
      }
      return fetch(input, init);
    };
    const client = new Atrium({ accessToken: server.token, baseURL: server.url, fetch: flaky });
    const space = await client.spaces.create({ name: 'After a drop' });
    expect(space.name).toBe('After a drop');
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it('a retry after the answer was lost gets the first document, not a second (server-side Idempotency-Key)', async () => {
    const collection = await atrium.collections.create(spaceId, { name: 'Lost answers' });
    let lost = false;
    // The request reaches the server and is acted on; its answer never reaches the client.
    const losing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (lost) return response;
      lost = true;
      await response.body?.cancel();
      throw new TypeError('fetch failed: other side closed');
    };
    const client = new Atrium({ accessToken: server.token, baseURL: server.url, fetch: losing });
    const { document } = await client.documents.create(collection.id, { title: 'Sent once', text: 'Exactly one of these should exist.' });
    expect(lost).toBe(true);
    const titles: string[] = [];
    for await (const d of atrium.documents.list(collection.id)) titles.push(d.title);
    expect(titles).toEqual(['Sent once']);
    expect((await atrium.documents.retrieve(document.id)).title).toBe('Sent once');
  });

  it('assistants.widget and the widget client: settings, config, a visitor chat, their conversation and feedback', async () => {
    const bot = await atrium.assistants.create(spaceId, { name: 'Widget bot', published: true });
    const origin = 'https://shop.example';
    const settings = await atrium.assistants.widget.update(bot.id, { enabled: true, allowedOrigins: [origin], greeting: 'Hi!' });
    expect(settings).toMatchObject({ enabled: true, allowedOrigins: [origin], greeting: 'Hi!' });
    expect((await atrium.assistants.widget.retrieve(bot.id)).publicKey).toBe(settings.publicKey);
    const secret = await atrium.assistants.widget.createIdentitySecret(bot.id);
    expect(secret.identitySecret).toMatch(/^atr_whs_/);
    const rotated = await atrium.assistants.widget.rotateKey(bot.id);
    expect(rotated.publicKey).not.toBe(settings.publicKey);

    // Node has no page: the custom fetch sends the Origin a browser would.
    const fromShop: typeof fetch = (input, init) => fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), Origin: origin } });
    const visitor = new AtriumWidgetClient({ publicKey: rotated.publicKey, baseURL: server.url, fetch: fromShop });
    expect(await visitor.config()).toMatchObject({ name: 'Widget bot', greeting: 'Hi!' });
    const stream = await visitor.chat({ message: 'Hello there' });
    const answer = await stream.finalMessage();
    const conversation = await visitor.conversation(answer.conversationId);
    expect(conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(await visitor.feedback(answer.id, { rating: 'up' })).toMatchObject({ rating: 'up' });
    // Another site gets nothing.
    const elsewhere = new AtriumWidgetClient({ publicKey: rotated.publicKey, baseURL: server.url, fetch, maxRetries: 0 });
    await expect(elsewhere.config()).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it('connection errors and aborts are their own classes', async () => {
    const nowhere = new Atrium({ apiKey: 'atr_sk_x', baseURL: 'http://127.0.0.1:9', maxRetries: 0 });
    await expect(nowhere.me()).rejects.toBeInstanceOf(APIConnectionError);
    const controller = new AbortController();
    controller.abort();
    await expect(atrium.me({ signal: controller.signal })).rejects.toBeInstanceOf(APIUserAbortError);
  });
});
