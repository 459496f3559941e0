/** Widget settings over HTTP (API.md §Assistants and chat: `/assistants/{id}/widget`). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import {
  addMember,
  call,
  createApiKey,
  createSpace,
  createTenant,
  createUser,
  expectProblem,
  openHarness,
  type Harness,
  type LoggedInUser,
  type TenantFixture,
} from '../helpers.js';

type Json = Record<string, any>;

describe.each(await testDatabaseTargets())('widget settings on $name', (target) => {
  let h: Harness;
  let owner: string;
  let assistantId: string;
  let editor: LoggedInUser;
  let viewer: LoggedInUser;
  let other: TenantFixture;

  const widget = (id = assistantId) => `/api/v1/assistants/${id}/widget`;

  beforeAll(async () => {
    h = await openHarness(target);
    owner = h.tenant.token;
    const space = await createSpace(h.app, owner);
    const created = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/assistants`, { token: owner, json: { name: 'Shop helper', published: true } });
    assistantId = created.body.id;
    editor = await createUser(h, h.tenant, 'member');
    viewer = await createUser(h, h.tenant, 'member');
    await addMember(h.app, owner, space.id, editor.id, 'editor');
    await addMember(h.app, owner, space.id, viewer.id, 'viewer');
    other = await createTenant(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('starts disabled, with defaults and a public key, the same on every read', async () => {
    const first = await call<Json>(h.app, 'GET', widget(), { token: owner });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      assistantId,
      enabled: false,
      allowedOrigins: [],
      greeting: null,
      starterPrompts: [],
      theme: {},
      rateLimit: { messagesPerMinute: 10, messagesPerDay: 200 },
      identity: { required: false },
      identitySecretSet: false,
    });
    expect(first.body.publicKey).toMatch(/^atr_pk_[0-9A-Za-z]{32}$/);
    const again = await call<Json>(h.app, 'GET', widget(), { token: editor.token });
    expect(again.body.publicKey).toBe(first.body.publicKey);
  });

  it('is replaced by PUT, with origins normalised and duplicates dropped; fields left out take their defaults', async () => {
    const put = await call<Json>(h.app, 'PUT', widget(), {
      token: editor.token,
      json: {
        enabled: true,
        allowedOrigins: ['https://Shop.Example/', 'https://shop.example:443', 'https://*.example.com', 'http://localhost:3000'],
        greeting: 'Hi! Ask me about orders.',
        starterPrompts: ['Where is my order?'],
        theme: { primaryColor: '#0b5fff', position: 'bottom-left', title: 'Help' },
        rateLimit: { messagesPerMinute: 5 },
        identity: { required: true },
      },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      enabled: true,
      allowedOrigins: ['https://shop.example', 'https://*.example.com', 'http://localhost:3000'],
      greeting: 'Hi! Ask me about orders.',
      starterPrompts: ['Where is my order?'],
      theme: { primaryColor: '#0b5fff', position: 'bottom-left', title: 'Help' },
      rateLimit: { messagesPerMinute: 5, messagesPerDay: 200 },
      identity: { required: true },
    });
    expect((await call<Json>(h.app, 'GET', widget(), { token: owner })).body).toEqual(put.body);

    const minimal = await call<Json>(h.app, 'PUT', widget(), { token: owner, json: { enabled: false, allowedOrigins: [] } });
    expect(minimal.body).toMatchObject({ enabled: false, greeting: null, starterPrompts: [], theme: {}, identity: { required: false } });
    expect(minimal.body.publicKey).toBe(put.body.publicKey);
  });

  it('refuses bad settings with a 422 naming each field, and changes nothing', async () => {
    const before = await call<Json>(h.app, 'GET', widget(), { token: owner });
    const r = await call<Json>(h.app, 'PUT', widget(), {
      token: owner,
      json: {
        enabled: true,
        allowedOrigins: ['https://ok.example', 'https://shop.example/path', '*'],
        theme: { primaryColor: 'javascript:alert(1)' },
        rateLimit: { messagesPerMinute: 0 },
      },
    });
    expectProblem(r, 422, 'validation_failed');
    expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(['allowedOrigins.1', 'allowedOrigins.2', 'theme.primaryColor', 'rateLimit.messagesPerMinute']);
    expect((await call<Json>(h.app, 'GET', widget(), { token: owner })).body).toEqual(before.body);
    expectProblem(await call(h.app, 'PUT', widget(), { token: owner, json: { allowedOrigins: [] } }), 422, 'validation_failed');
  });

  it('rotates the public key: a new one every time', async () => {
    const before = (await call<Json>(h.app, 'GET', widget(), { token: owner })).body.publicKey;
    const rotated = await call<Json>(h.app, 'POST', `${widget()}/rotate-key`, { token: owner });
    expect(rotated.status).toBe(200);
    expect(rotated.body.publicKey).toMatch(/^atr_pk_/);
    expect(rotated.body.publicKey).not.toBe(before);
    expect((await call<Json>(h.app, 'GET', widget(), { token: owner })).body.publicKey).toBe(rotated.body.publicKey);
  });

  it('shows the identity secret once, when made, and never again', async () => {
    const made = await call<Json>(h.app, 'POST', `${widget()}/identity-secret`, { token: owner });
    expect(made.status).toBe(201);
    expect(made.body.identitySecret).toMatch(/^atr_whs_[0-9A-Za-z]{43}$/);
    expect(made.body.widget.identitySecretSet).toBe(true);
    const read = await call(h.app, 'GET', widget(), { token: owner });
    expect(read.body.identitySecretSet).toBe(true);
    expect(read.text).not.toContain(made.body.identitySecret);
    const again = await call<Json>(h.app, 'POST', `${widget()}/identity-secret`, { token: owner });
    expect(again.body.identitySecret).not.toBe(made.body.identitySecret);
  });

  it('is for space editors and admins: viewers get 403, assistant-scoped keys 403, other tenants 404', async () => {
    expectProblem(await call(h.app, 'GET', widget(), { token: viewer.token }), 403);
    expectProblem(await call(h.app, 'PUT', widget(), { token: viewer.token, json: { enabled: true, allowedOrigins: [] } }), 403);
    expectProblem(await call(h.app, 'POST', `${widget()}/rotate-key`, { token: viewer.token }), 403);
    const scoped = await call<Json>(h.app, 'POST', '/api/v1/api-keys', { token: owner, json: { name: 'bot key', assistantId } });
    expectProblem(await call(h.app, 'GET', widget(), { token: scoped.body.key }), 403);
    expectProblem(await call(h.app, 'GET', widget(), { token: other.token }), 404);
    expectProblem(await call(h.app, 'POST', `${widget()}/identity-secret`, { token: other.token }), 404);
    const otherKey = await createApiKey(h.app, other.token);
    expectProblem(await call(h.app, 'PUT', widget(), { token: otherKey.key, json: { enabled: true, allowedOrigins: [] } }), 404);
  });
});
