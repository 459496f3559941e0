/** Visitors talking to an assistant through the widget's public API (API.md §Widget). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import { call, createTenant, expectProblem, openHarness, type Harness } from '../helpers.js';
import { createPublishedAssistant, putWidget, signIdentity } from './helpers.js';
import { parseSse } from '../chat/helpers.js';

type Json = Record<string, any>;

const SHOP = 'https://shop.example';

describe.each(await testDatabaseTargets())('widget chat on $name', (target) => {
  let h: Harness;
  let assistantId: string;
  let key: string;

  const settings = (json: Json = {}) => putWidget(h.app, h.tenant, assistantId, { enabled: true, allowedOrigins: [SHOP], ...json });
  const newVisitor = async (): Promise<string> => {
    const r = await call<Json>(h.app, 'POST', '/api/v1/widget/sessions', { headers: { Origin: SHOP }, json: { key } });
    expect(r.status).toBe(201);
    return r.body.visitorToken;
  };
  const ask = (visitorToken: string | undefined, json: Json, origin = SHOP) =>
    call<Json>(h.app, 'POST', '/api/v1/widget/chat', { ...(visitorToken && { token: visitorToken }), headers: { Origin: origin }, json });

  beforeAll(async () => {
    h = await openHarness(target);
    assistantId = await createPublishedAssistant(h.app, h.tenant);
    key = (await settings()).body.publicKey;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('streams an answer to a visitor, continues their conversation, and shows it to them after a reload', async () => {
    const visitor = await newVisitor();
    const first = await ask(visitor, { message: 'Do you ship abroad?' });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(first.headers.get('access-control-allow-origin')).toBe(SHOP);
    const events = parseSse(first.text);
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['start', 'references', 'done']));
    const { conversationId } = events[0]!.data;
    const second = parseSse((await ask(visitor, { message: 'And to Norway?', conversationId })).text);
    expect(second[0]!.data.conversationId).toBe(conversationId);

    const reloaded = await call<Json>(h.app, 'GET', `/api/v1/widget/conversations/${conversationId}`, { token: visitor, headers: { Origin: SHOP } });
    expect(reloaded.status).toBe(200);
    expect(reloaded.body.messages.map((m: Json) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(reloaded.body.messages[0].content).toBe('Do you ship abroad?');

    // The admins see it, from the widget channel, owned by no user.
    const all = await call<Json>(h.app, 'GET', `/api/v1/assistants/${assistantId}/conversations?scope=all`, { token: h.tenant.token });
    expect(all.body.data.find((c: Json) => c.id === conversationId)).toMatchObject({ channel: 'widget' });
  });

  it('answers a retried question (same Idempotency-Key) with the first answer, not a second one; another visitor cannot use the key', async () => {
    const visitor = await newVisitor();
    const retry = () =>
      call<Json>(h.app, 'POST', '/api/v1/widget/chat', { token: visitor, headers: { Origin: SHOP, 'Idempotency-Key': 'widget-retry-1' }, json: { message: 'Do you gift wrap?' } });
    const first = await retry();
    expect(first.status, first.text).toBe(200);
    const conversationId = parseSse(first.text)[0]!.data.conversationId;
    const again = await retry();
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(again.text).toBe(first.text);
    const stored = await call<Json>(h.app, 'GET', `/api/v1/widget/conversations/${conversationId}`, { token: visitor, headers: { Origin: SHOP } });
    expect(stored.body.messages.map((m: Json) => m.role)).toEqual(['user', 'assistant']);
    // The same key from another visitor is another caller's: refused, never answered with this visitor's answer.
    const stranger = await call<Json>(h.app, 'POST', '/api/v1/widget/chat', {
      token: await newVisitor(),
      headers: { Origin: SHOP, 'Idempotency-Key': 'widget-retry-1' },
      json: { message: 'Do you gift wrap?' },
    });
    expect(stranger.status).toBe(422);
    expect(stranger.body.code).toBe('idempotency_key_reused');
  });

  it('keeps each visitor to their own conversations and answers', async () => {
    const owner = await newVisitor();
    const stranger = await newVisitor();
    const events = parseSse((await ask(owner, { message: 'Where is my order?' })).text);
    const conversationId = events[0]!.data.conversationId;
    const answerId = events.at(-1)!.data.messageId;
    expectProblem(await call(h.app, 'GET', `/api/v1/widget/conversations/${conversationId}`, { token: stranger, headers: { Origin: SHOP } }), 404);
    expectProblem(await ask(stranger, { message: 'Me too', conversationId }), 404);
    const rate = (token: string) =>
      call<Json>(h.app, 'POST', `/api/v1/widget/messages/${answerId}/feedback`, { token, headers: { Origin: SHOP }, json: { rating: 'up' } });
    expectProblem(await rate(stranger), 404);
    const rated = await rate(owner);
    expect(rated.status).toBe(200);
    expect(rated.body).toMatchObject({ rating: 'up' });
    // A user's conversation is not a visitor's either.
    const userChat = await call<Json>(h.app, 'POST', `/api/v1/assistants/${assistantId}/chat`, { token: h.tenant.token, json: { message: 'Hi', stream: false } });
    expectProblem(await call(h.app, 'GET', `/api/v1/widget/conversations/${userChat.body.conversationId}`, { token: owner, headers: { Origin: SHOP } }), 404);
  });

  it("keeps another tenant's visitors out: their ids are 404 here", async () => {
    const other = await createTenant(h);
    const otherBot = await createPublishedAssistant(h.app, other, 'Other');
    const otherKey = (await putWidget(h.app, other, otherBot, { enabled: true, allowedOrigins: [SHOP] })).body.publicKey;
    const outsider = (await call<Json>(h.app, 'POST', '/api/v1/widget/sessions', { headers: { Origin: SHOP }, json: { key: otherKey } })).body.visitorToken;
    const mine = parseSse((await ask(await newVisitor(), { message: 'Private question' })).text);
    const conversationId = mine[0]!.data.conversationId;
    expectProblem(await call(h.app, 'GET', `/api/v1/widget/conversations/${conversationId}`, { token: outsider, headers: { Origin: SHOP } }), 404);
    expectProblem(await ask(outsider, { message: 'Let me in', conversationId }), 404);
    const feedback = await call(h.app, 'POST', `/api/v1/widget/messages/${mine.at(-1)!.data.messageId}/feedback`, {
      token: outsider,
      headers: { Origin: SHOP },
      json: { rating: 'down' },
    });
    expectProblem(feedback, 404);
  });

  it('shows the admins who asked: a verified visitor by the name and id their site gave', async () => {
    const { identitySecret } = (await call<Json>(h.app, 'POST', `/api/v1/assistants/${assistantId}/widget/identity-secret`, { token: h.tenant.token })).body;
    const identityToken = signIdentity(identitySecret, { sub: 'user-42', name: 'Ada', email: 'ada@shop.example', exp: Math.floor(Date.now() / 1000) + 600 });
    const verified = (await call<Json>(h.app, 'POST', '/api/v1/widget/sessions', { headers: { Origin: SHOP }, json: { key, identityToken } })).body.visitorToken;
    const anonymous = await newVisitor();
    const asVerified = parseSse((await ask(verified, { message: 'Where is order 17?' })).text)[0]!.data.conversationId;
    const asAnonymous = parseSse((await ask(anonymous, { message: 'Just browsing' })).text)[0]!.data.conversationId;
    const all = (await call<Json>(h.app, 'GET', `/api/v1/assistants/${assistantId}/conversations?scope=all&limit=100`, { token: h.tenant.token })).body.data;
    const byId = (id: string) => all.find((c: Json) => c.id === id);
    expect(byId(asVerified)).toMatchObject({ channel: 'widget', userId: null, visitor: { verified: true, subject: 'user-42', name: 'Ada', email: 'ada@shop.example' } });
    expect(byId(asAnonymous)).toMatchObject({ channel: 'widget', userId: null, visitor: { verified: false, subject: null, name: null, email: null } });
    expect(byId(asAnonymous).visitor.id).toMatch(/^anon_/);
    const mine = (await call<Json>(h.app, 'POST', `/api/v1/assistants/${assistantId}/chat`, { token: h.tenant.token, json: { message: 'Hi', stream: false } })).body;
    expect((await call<Json>(h.app, 'GET', `/api/v1/conversations/${mine.conversationId}`, { token: h.tenant.token })).body.visitor).toBeNull();
  });

  it('refuses without a session (401), with an API credential (401), and from another origin (403, no CORS)', async () => {
    expectProblem(await ask(undefined, { message: 'Hi' }), 401, 'invalid_visitor_token');
    expectProblem(await ask(h.tenant.token, { message: 'Hi' }), 401, 'invalid_visitor_token');
    const visitor = await newVisitor();
    const elsewhere = await ask(visitor, { message: 'Hi' }, 'https://evil.example');
    expectProblem(elsewhere, 403, 'origin_not_allowed');
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 429 with Retry-After past a visitor budget, and stores nothing for the refused question', async () => {
    await settings({ rateLimit: { messagesPerMinute: 2 } });
    const visitor = await newVisitor();
    const first = parseSse((await ask(visitor, { message: 'One' })).text);
    const conversationId = first[0]!.data.conversationId;
    expect((await ask(visitor, { message: 'Two', conversationId })).status).toBe(200);
    const third = await ask(visitor, { message: 'Three', conversationId });
    expectProblem(third, 429, 'rate_limited');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(third.headers.get('access-control-allow-origin')).toBe(SHOP);
    const stored = await call<Json>(h.app, 'GET', `/api/v1/widget/conversations/${conversationId}`, { token: visitor, headers: { Origin: SHOP } });
    expect(stored.body.messages.map((m: Json) => m.content)).not.toContain('Three');
    // Another visitor still has a budget of their own.
    expect((await ask(await newVisitor(), { message: 'Hello' })).status).toBe(200);
    await settings();
  });

  it('ends sessions when the key is rotated or the widget turned off', async () => {
    const visitor = await newVisitor();
    await settings({ enabled: false });
    expectProblem(await ask(visitor, { message: 'Hi' }), 403, 'widget_disabled');
    await settings();
    const rotated = await call<Json>(h.app, 'POST', `/api/v1/assistants/${assistantId}/widget/rotate-key`, { token: h.tenant.token });
    key = rotated.body.publicKey;
    expectProblem(await ask(visitor, { message: 'Hi' }), 401, 'session_ended');
    expect((await ask(await newVisitor(), { message: 'Hi' })).status).toBe(200);
  });
});

describe.each(await testDatabaseTargets())('anonymous widget conversations on $name', (target) => {
  let h: Harness;
  let assistantId: string;
  let key: string;
  beforeAll(async () => {
    // A cap the first answer already reaches.
    h = await openHarness(target, { atrium: { settings: { anonymousConversationTokens: 1 } } });
    assistantId = await createPublishedAssistant(h.app, h.tenant);
    key = (await putWidget(h.app, h.tenant, assistantId, { enabled: true, allowedOrigins: [SHOP] })).body.publicKey;
  });
  afterAll(async () => {
    await h?.close();
  });
  const session = async (json: Json = {}) =>
    (await call<Json>(h.app, 'POST', '/api/v1/widget/sessions', { headers: { Origin: SHOP }, json: { key, ...json } })).body.visitorToken as string;
  const ask = (token: string, json: Json) => call(h.app, 'POST', '/api/v1/widget/chat', { token, headers: { Origin: SHOP }, json });

  it('end at their token cap: the next question is refused (403) and a new conversation is open; verified visitors have no cap', async () => {
    const anonymous = await session();
    const first = parseSse((await ask(anonymous, { message: 'Do you ship abroad?' })).text);
    expect(first.at(-1)!.data.usage.promptTokens + first.at(-1)!.data.usage.completionTokens).toBeGreaterThan(1);
    const conversationId = first[0]!.data.conversationId;
    expectProblem(await ask(anonymous, { message: 'And to Norway?', conversationId }), 403, 'conversation_limit_reached');
    expect((await ask(anonymous, { message: 'And to Norway?' })).status).toBe(200);

    const { identitySecret } = (await call<Json>(h.app, 'POST', `/api/v1/assistants/${assistantId}/widget/identity-secret`, { token: h.tenant.token })).body;
    const verified = await session({ identityToken: signIdentity(identitySecret, { sub: 'u1', exp: Math.floor(Date.now() / 1000) + 600 }) });
    const theirs = parseSse((await ask(verified, { message: 'Do you ship abroad?' })).text)[0]!.data.conversationId;
    expect((await ask(verified, { message: 'And to Norway?', conversationId: theirs })).status).toBe(200);
  });
});
