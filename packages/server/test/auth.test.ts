import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import { createApp } from '../src/index.js';
import {
  call,
  createUser,
  expectProblem,
  login,
  nextIp,
  openHarness,
  PASSWORD,
  silentLogger,
  type Harness,
  type Session,
} from './helpers.js';

describe.each(await testDatabaseTargets())('auth over HTTP on $name', (target) => {
  let h: Harness;

  beforeAll(async () => {
    h = await openHarness(target, { trustProxy: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  const refresh = (refreshToken: string) => call<Session>(h.app, 'POST', '/api/v1/auth/refresh', { json: { refreshToken } });
  const me = (headers: Record<string, string>) => call(h.app, 'GET', '/api/v1/me', { headers });
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('login returns a session whose access token reaches /me', async () => {
    const user = await createUser(h, h.tenant, 'member');
    const r = await call<Session>(h.app, 'POST', '/api/v1/auth/login', {
      json: { email: user.email, password: PASSWORD },
      headers: { 'X-Forwarded-For': nextIp() },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^atr_rt_/),
      expiresIn: expect.any(Number),
      user: { id: user.id, email: user.email, role: 'member', tenantId: h.tenant.tenantId },
    });
    expect(r.body.user).not.toHaveProperty('passwordHash');
    expect(r.text).not.toContain('$2');
    const who = await me(bearer(r.body.accessToken));
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ user: { id: user.id, email: user.email }, tenant: { id: h.tenant.tenantId } });
  });

  it('/me answers application/json, the same text c.json would, and follows a change of the user', async () => {
    const user = await createUser(h, h.tenant, 'member');
    const session = await login(h.app, user.email);
    const first = await me(bearer(session.accessToken));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json');
    const body = first.body as { user: { name: string; id: string }; tenant: { id: string } };
    expect(first.text).toBe(JSON.stringify(body)); // no spacing, key order as declared
    expect(Object.keys(body)).toEqual(['user', 'tenant']);
    expect((await me(bearer(session.accessToken))).text).toBe(first.text); // served again: same text
    const renamed = await call(h.app, 'PATCH', `/api/v1/users/${user.id}`, { token: session.accessToken, json: { name: 'Renamed Person' } });
    expect(renamed.status).toBe(200);
    const after = await me(bearer(session.accessToken));
    expect((after.body as typeof body).user.name).toBe('Renamed Person');
    expect(after.text).toBe(JSON.stringify(after.body));
  });

  it('an unknown path under /api/v1 answers 401 without a caller and 404 with one', async () => {
    expectProblem(await call(h.app, 'GET', '/api/v1/no-such-thing'), 401);
    const session = await login(h.app, h.tenant.owner.email);
    expectProblem(await call(h.app, 'GET', '/api/v1/no-such-thing', { token: session.accessToken }), 404);
  });

  it('login accepts the email in another case', async () => {
    const session = await login(h.app, h.tenant.owner.email.toUpperCase());
    expect(session.user.id).toBe(h.tenant.owner.id);
  });

  it('refresh rotates: the new tokens work, the old refresh token answers 401', async () => {
    const first = await login(h.app, h.tenant.owner.email);
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect(second.body.user.id).toBe(h.tenant.owner.id);
    expect((await me(bearer(second.body.accessToken))).status).toBe(200);
    const again = await refresh(first.refreshToken);
    expectProblem(again, 401, 'invalid_refresh_token');
  });

  it('reusing a rotated refresh token revokes the whole family, but not other sessions', async () => {
    const other = await login(h.app, h.tenant.owner.email);
    const r1 = (await login(h.app, h.tenant.owner.email)).refreshToken;
    const r2 = (await refresh(r1)).body.refreshToken;
    const r3 = (await refresh(r2)).body.refreshToken;
    expect(r3).toEqual(expect.stringMatching(/^atr_rt_/));
    expectProblem(await refresh(r1), 401, 'invalid_refresh_token'); // reuse: a thief or a replay
    expectProblem(await refresh(r3), 401, 'invalid_refresh_token'); // the newest one died with its family
    const untouched = await refresh(other.refreshToken);
    expect(untouched.status).toBe(200);
  });

  it('logout revokes the refresh token; logging out again (or with garbage) is harmless', async () => {
    const session = await login(h.app, h.tenant.owner.email);
    const out = await call(h.app, 'POST', '/api/v1/auth/logout', { json: { refreshToken: session.refreshToken } });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    expectProblem(await refresh(session.refreshToken), 401, 'invalid_refresh_token');
    const twice = await call(h.app, 'POST', '/api/v1/auth/logout', { json: { refreshToken: session.refreshToken } });
    expect(twice.status).toBe(204);
    const garbage = await call(h.app, 'POST', '/api/v1/auth/logout', { json: { refreshToken: 'atr_rt_nonsense' } });
    expect(garbage.status).toBe(204);
  });

  it('changing your own password needs the current one, and ends your other sessions', async () => {
    const user = await createUser(h, h.tenant, 'member');
    const session = await login(h.app, user.email);
    const change = (json: Record<string, string>) => call(h.app, 'PATCH', `/api/v1/users/${user.id}`, { token: user.token, json });
    const next = 'a brand new passphrase';
    const missing = await change({ password: next });
    expectProblem(missing, 422, 'validation_failed');
    expect(missing.body.errors.map((e: { path: string }) => e.path)).toContain('currentPassword');
    expectProblem(await change({ password: next, currentPassword: 'not my password' }), 422, 'validation_failed');
    expect((await change({ password: next, currentPassword: PASSWORD })).status).toBe(200);
    expectProblem(await refresh(session.refreshToken), 401, 'invalid_refresh_token');
    const old = await call(h.app, 'POST', '/api/v1/auth/login', {
      json: { email: user.email, password: PASSWORD },
      headers: { 'X-Forwarded-For': nextIp() },
    });
    expectProblem(old, 401, 'invalid_credentials');
    expect((await login(h.app, user.email, next)).user.id).toBe(user.id);
  });

  it('refresh with garbage or a missing token is a 401 or 422, never a 500', async () => {
    expectProblem(await refresh('atr_rt_nonsense'), 401, 'invalid_refresh_token');
    expectProblem(await refresh('x'.repeat(512)), 401, 'invalid_refresh_token');
    const missing = await call(h.app, 'POST', '/api/v1/auth/refresh', { json: {} });
    expectProblem(missing, 422, 'validation_failed');
  });

  it('an API key works as Bearer and as X-API-Key, and stops at once when revoked', async () => {
    const user = await createUser(h, h.tenant, 'member');
    const created = await call(h.app, 'POST', '/api/v1/api-keys', { token: user.token, json: { name: 'ci' } });
    expect(created.status).toBe(201);
    const { id, key, prefix } = created.body as { id: string; key: string; prefix: string };
    expect(key).toMatch(/^atr_sk_[0-9A-Za-z]{38}$/);
    expect(key.startsWith(prefix)).toBe(true);

    for (const headers of [bearer(key), { 'X-API-Key': key }]) {
      const r = await me(headers);
      expect(r.status).toBe(200);
      expect(r.body.user.id).toBe(user.id);
    }
    const revoked = await call(h.app, 'DELETE', `/api/v1/api-keys/${id}`, { token: user.token });
    expect(revoked.status).toBe(204);
    for (const headers of [bearer(key), { 'X-API-Key': key }]) expectProblem(await me(headers), 401, 'invalid_api_key');
    // Revoking twice: it is gone.
    expectProblem(await call(h.app, 'DELETE', `/api/v1/api-keys/${id}`, { token: user.token }), 404, 'not_found');
  });

  it('the secret key appears only in the creation response, never in lists', async () => {
    const created = await call(h.app, 'POST', '/api/v1/api-keys', { token: h.tenant.token, json: { name: 'listed' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const list = await call(h.app, 'GET', '/api/v1/api-keys?limit=100', { token: h.tenant.token });
    expect(list.status).toBe(200);
    const listed = (list.body.data as Record<string, unknown>[]).find((k) => k.id === created.body.id);
    expect(listed).toMatchObject({ id: created.body.id, name: 'listed', prefix: created.body.prefix });
    for (const item of list.body.data as Record<string, unknown>[]) expect(item).not.toHaveProperty('key');
    expect(list.text).not.toContain(created.body.key);
    // The key's secret part is not derivable from what the list shows.
    expect(created.body.key.length).toBeGreaterThan(created.body.prefix.length + 20);
  });

  it('an access token with a wrong signature, a forged alg or tampered claims answers 401', async () => {
    const session = await login(h.app, h.tenant.owner.email);
    const [header, payload, signature] = session.accessToken.split('.') as [string, string, string];
    const mid = Math.floor(signature.length / 2);
    const flipped = signature.slice(0, mid) + (signature[mid] === 'A' ? 'B' : 'A') + signature.slice(mid + 1);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forgeries = [
      `${header}.${payload}.${flipped}`,
      `${header}.${payload}.`,
      `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      `${header}.${b64({ ...claims, sub: '00000000-0000-7000-8000-000000000000' })}.${signature}`,
      `${header}.${b64({ ...claims, exp: 4_102_444_800 })}.${signature}`,
      `${header}.${payload}`,
    ];
    for (const forged of forgeries) expectProblem(await me(bearer(forged)), 401, 'invalid_token');
    // The genuine token, for contrast.
    expect((await me(bearer(session.accessToken))).status).toBe(200);
  });

  it('missing credentials answer 401 with WWW-Authenticate', async () => {
    const r = await me({});
    expectProblem(r, 401, 'unauthenticated');
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('the 6th wrong password for one account from one IP answers 429 with Retry-After; other IPs are unaffected', async () => {
    const user = await createUser(h, h.tenant, 'member');
    const ip = nextIp();
    const attempt = (password: string, from = ip) =>
      call(h.app, 'POST', '/api/v1/auth/login', { json: { email: user.email, password }, headers: { 'X-Forwarded-For': from } });
    for (let i = 1; i <= 5; i++) expectProblem(await attempt(`wrong password ${i}`), 401, 'invalid_credentials');
    const sixth = await attempt('wrong password 6');
    expectProblem(sixth, 429, 'rate_limited');
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    // Even the right password is refused from that address now...
    expectProblem(await attempt(PASSWORD), 429, 'rate_limited');
    // ...but not from another one.
    expect((await attempt(PASSWORD, nextIp())).status).toBe(200);
  });

  it('without trustProxy, X-Forwarded-For does not let an attacker pick a fresh IP per attempt', async () => {
    const app = createApp({ core: h.core, logger: silentLogger(), ready: async () => {}, trustProxy: false });
    const user = await createUser(h, h.tenant, 'member');
    const attempt = (password: string) =>
      call(app, 'POST', '/api/v1/auth/login', { json: { email: user.email, password }, headers: { 'X-Forwarded-For': nextIp() } });
    for (let i = 1; i <= 5; i++) expectProblem(await attempt(`wrong password ${i}`), 401, 'invalid_credentials');
    expectProblem(await attempt('wrong password 6'), 429, 'rate_limited');
  });
});
