/** The widget's public API (API.md §Widget): config and visitor sessions, with CORS per widget. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import { call, expectProblem, openHarness, type Harness } from '../helpers.js';
import { createPublishedAssistant, putWidget, signIdentity } from './helpers.js';

type Json = Record<string, any>;

const SHOP = 'https://shop.example';
const DOCS = 'https://eu.docs.example';
const EVIL = 'https://evil.example';

const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;

describe.each(await testDatabaseTargets())('the widget public API on $name', (target) => {
  let h: Harness;
  let assistantId: string;
  let key: string;

  const settings = (json: Json) => putWidget(h.app, h.tenant, assistantId, json);
  const enable = (extra: Json = {}) => settings({ enabled: true, allowedOrigins: [SHOP, 'https://*.docs.example'], greeting: 'Hello!', ...extra });
  const config = (origin?: string, publicKey = key, headers: Record<string, string> = {}) =>
    call<Json>(h.app, 'GET', `/api/v1/widget/config?key=${encodeURIComponent(publicKey)}`, { headers: { ...(origin && { Origin: origin }), ...headers } });
  const session = (origin: string | undefined, json: Json) =>
    call<Json>(h.app, 'POST', '/api/v1/widget/sessions', { headers: origin ? { Origin: origin } : {}, json: { key, ...json } });

  beforeAll(async () => {
    h = await openHarness(target);
    assistantId = await createPublishedAssistant(h.app, h.tenant);
    key = (await enable()).body.publicKey;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('serves the config to an allowed origin, with CORS for that origin only, an ETag and a short max-age', async () => {
    const r = await config(SHOP);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      assistantId,
      name: 'Shop helper',
      greeting: 'Hello!',
      starterPrompts: [],
      theme: {},
      identityRequired: false,
    });
    expect(r.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(r.headers.get('vary')).toMatch(/Origin/);
    expect(r.headers.get('cache-control')).toBe('public, max-age=60');
    const tag = r.headers.get('etag');
    expect(tag).toBeTruthy();
    const again = await config(SHOP, key, { 'If-None-Match': tag! });
    expect(again.status).toBe(304);
    // A wildcard entry admits subdomains.
    expect((await config(DOCS)).headers.get('access-control-allow-origin')).toBe(DOCS);
  });

  it('keeps one ETag per config: the same bytes and tag for every page view until the greeting or the assistant’s name changes', async () => {
    const first = await config(SHOP);
    const tag = first.headers.get('etag')!;
    expect(tag).toMatch(/^"[\w-]{27}"$/);
    const again = await config(SHOP);
    expect(again.headers.get('etag')).toBe(tag);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('content-type')).toBe('application/json');
    // W/ and lists compare weakly; a 304 keeps the caching headers and has no body.
    const weak = await config(SHOP, key, { 'If-None-Match': `"stale", W/${tag}` });
    expect(weak.status).toBe(304);
    expect(weak.text).toBe('');
    expect(weak.headers.get('cache-control')).toBe('public, max-age=60');
    expect(weak.headers.get('access-control-allow-origin')).toBe(SHOP);

    await enable({ greeting: 'Welcome back!' });
    const greeted = await config(SHOP, key, { 'If-None-Match': tag });
    expect(greeted.status).toBe(200);
    expect(greeted.body.greeting).toBe('Welcome back!');
    const renamed = await call(h.app, 'PATCH', `/api/v1/assistants/${assistantId}`, { token: h.tenant.token, json: { name: 'Store helper' } });
    expect(renamed.status, renamed.text).toBe(200);
    const named = await config(SHOP, key, { 'If-None-Match': greeted.headers.get('etag')! });
    expect(named.status).toBe(200);
    expect(named.body.name).toBe('Store helper');
    await call(h.app, 'PATCH', `/api/v1/assistants/${assistantId}`, { token: h.tenant.token, json: { name: 'Shop helper' } });
    await enable();
  });

  it('admits a same-origin GET, which browsers send without Origin, as the server’s own origin (Sec-Fetch-Site), by the allowlist', async () => {
    const sameOrigin = { 'Sec-Fetch-Site': 'same-origin' };
    expectProblem(await config(undefined, key, sameOrigin), 403, 'origin_not_allowed');
    await enable({ allowedOrigins: [SHOP, 'http://localhost'] });
    const r = await config(undefined, key, sameOrigin);
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    expectProblem(await config(undefined, key, { 'Sec-Fetch-Site': 'cross-site' }), 403, 'origin_not_allowed');
    expectProblem(await config(undefined, key), 403, 'origin_not_allowed');
    await enable();
  });

  it('refuses, with a 403 and no CORS headers: another origin, no origin, an unknown key', async () => {
    for (const [origin, publicKey, code] of [
      [EVIL, key, 'origin_not_allowed'],
      [undefined, key, 'origin_not_allowed'],
      ['https://docs.example', key, 'origin_not_allowed'],
      [SHOP, 'atr_pk_00000000000000000000000000000000', 'invalid_widget_key'],
      [SHOP, 'garbage', 'invalid_widget_key'],
    ] as const) {
      const r = await config(origin, publicKey);
      expectProblem(r, 403, code);
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('refuses a request without a key as one with a wrong key: 403 invalid_widget_key, not a validation error', async () => {
    expectProblem(await call(h.app, 'GET', '/api/v1/widget/config', { headers: { Origin: SHOP } }), 403, 'invalid_widget_key');
    expectProblem(await call(h.app, 'POST', '/api/v1/widget/sessions', { headers: { Origin: SHOP }, json: {} }), 403, 'invalid_widget_key');
  });

  it('answers preflights only for origins some enabled widget allows', async () => {
    const preflight = (origin: string) =>
      call(h.app, 'OPTIONS', '/api/v1/widget/sessions', {
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
      });
    const ok = await preflight(SHOP);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    const refused = await preflight(EVIL);
    expectProblem(refused, 403, 'origin_not_allowed');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('starts anonymous sessions whose token is good for nothing else, and renews them as the same visitor', async () => {
    const first = await session(SHOP, {});
    expect(first.status).toBe(201);
    expect(first.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(first.body).toMatchObject({ visitorToken: expect.any(String), expiresIn: 3600, visitor: { verified: false, name: null } });
    expect(first.body.visitor.id).toMatch(/^anon_/);
    // A visitor token is not a credential for the API.
    expectProblem(await call(h.app, 'GET', '/api/v1/me', { token: first.body.visitorToken }), 401);
    const renewed = await session(SHOP, { visitorToken: first.body.visitorToken });
    expect(renewed.body.visitor.id).toBe(first.body.visitor.id);
    const fresh = await session(SHOP, {});
    expect(fresh.body.visitor.id).not.toBe(first.body.visitor.id);
    // Another origin gets nothing.
    expectProblem(await session(EVIL, {}), 403, 'origin_not_allowed');
  });

  it('verifies identities signed with the identity secret: the same visitor on every device; bad ones fall back or are refused', async () => {
    const { identitySecret } = (await call<Json>(h.app, 'POST', `/api/v1/assistants/${assistantId}/widget/identity-secret`, { token: h.tenant.token })).body;
    const ada = signIdentity(identitySecret, { sub: 'user-42', name: 'Ada', email: 'ada@shop.example', exp: inSeconds(600) });
    const laptop = await session(SHOP, { identityToken: ada });
    expect(laptop.status).toBe(201);
    expect(laptop.body.visitor).toMatchObject({ verified: true, name: 'Ada' });
    const phone = await session(SHOP, { identityToken: signIdentity(identitySecret, { sub: 'user-42', exp: inSeconds(60) }) });
    expect(phone.body.visitor.id).toBe(laptop.body.visitor.id);

    const forged = signIdentity('not-the-secret', { sub: 'user-42', exp: inSeconds(600) });
    const expired = signIdentity(identitySecret, { sub: 'user-42', exp: inSeconds(-60) });
    const tooLong = signIdentity(identitySecret, { sub: 'user-42', exp: inSeconds(3 * 24 * 3600) });
    for (const identityToken of [forged, expired, tooLong, 'not-a-jwt']) {
      const anonymous = await session(SHOP, { identityToken });
      expect(anonymous.status).toBe(201);
      expect(anonymous.body.visitor.verified).toBe(false);
    }
    await enable({ identity: { required: true } });
    expectProblem(await session(SHOP, { identityToken: forged }), 401, 'invalid_identity_token');
    expectProblem(await session(SHOP, {}), 401, 'identity_required');
    expect((await session(SHOP, { identityToken: ada })).body.visitor.verified).toBe(true);
    await enable();
  });

  it('stops at once when the widget is turned off, the assistant unpublished, or the key rotated', async () => {
    await settings({ enabled: false, allowedOrigins: [SHOP] });
    expectProblem(await config(SHOP), 403, 'widget_disabled');
    await enable();
    await call(h.app, 'PATCH', `/api/v1/assistants/${assistantId}`, { token: h.tenant.token, json: { published: false } });
    expectProblem(await config(SHOP), 403, 'widget_disabled');
    await call(h.app, 'PATCH', `/api/v1/assistants/${assistantId}`, { token: h.tenant.token, json: { published: true } });
    const before = await session(SHOP, {});
    const rotated = (await call<Json>(h.app, 'POST', `/api/v1/assistants/${assistantId}/widget/rotate-key`, { token: h.tenant.token })).body.publicKey;
    expectProblem(await config(SHOP), 403, 'invalid_widget_key');
    key = rotated;
    expect((await config(SHOP)).status).toBe(200);
    // A session begun under the old key does not carry over to the new one.
    expect((await session(SHOP, { visitorToken: before.body.visitorToken })).body.visitor.id).not.toBe(before.body.visitor.id);
  });
});
