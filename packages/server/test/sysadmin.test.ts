import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import {
  call,
  createApiKey,
  createSpace,
  createUser,
  expectProblem,
  login,
  nextIp,
  openHarness,
  PASSWORD,
  SYSADMIN_KEY,
  uniqueEmail,
  type Harness,
} from './helpers.js';

describe.each(await testDatabaseTargets())('sysadmin with a key on $name', (target) => {
  let h: Harness;
  const sys = { Authorization: `Bearer ${SYSADMIN_KEY}` };

  beforeAll(async () => {
    h = await openHarness(target, { sysadminKey: SYSADMIN_KEY });
  });
  afterAll(async () => {
    await h?.close();
  });

  const createTenant = async (name = 'Acme') => {
    const adminEmail = uniqueEmail('acme-admin');
    const r = await call(h.app, 'POST', '/api/v1/sysadmin/tenants', {
      headers: sys,
      json: { name, adminEmail, adminPassword: PASSWORD, adminName: 'Acme Admin' },
    });
    expect(r.status, r.text).toBe(201);
    return { ...r.body, adminEmail } as { tenant: { id: string; name: string }; admin: { id: string; email: string; role: string }; adminEmail: string };
  };

  it('creates a tenant whose admin can log in as its owner', async () => {
    const created = await createTenant('Acme');
    expect(created.tenant).toMatchObject({ id: expect.any(String), name: 'Acme' });
    expect(created.admin).toMatchObject({ email: created.adminEmail, role: 'owner', name: 'Acme Admin' });
    expect(created.admin).not.toHaveProperty('passwordHash');
    const session = await login(h.app, created.adminEmail);
    expect(session.user).toMatchObject({ id: created.admin.id, tenantId: created.tenant.id, role: 'owner' });
    const me = await call(h.app, 'GET', '/api/v1/me', { token: session.accessToken });
    expect(me.body.tenant).toMatchObject({ id: created.tenant.id, name: 'Acme' });
    const list = await call(h.app, 'GET', '/api/v1/sysadmin/tenants?limit=100', { headers: sys });
    expect(list.status).toBe(200);
    expect((list.body.data as { id: string }[]).map((t) => t.id)).toEqual(expect.arrayContaining([created.tenant.id, h.tenant.tenantId]));
  });

  it('answers 401 to a wrong, missing or tenant credential, and creates nothing', async () => {
    const before = await call(h.app, 'GET', '/api/v1/sysadmin/tenants?limit=100', { headers: sys });
    const ownerKey = await createApiKey(h.app, h.tenant.token);
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: `Bearer ${SYSADMIN_KEY}x` },
      { Authorization: `Bearer ${SYSADMIN_KEY.slice(0, -1)}` },
      { Authorization: 'Bearer wrong' },
      { Authorization: `Bearer ${h.tenant.token}` },
      { Authorization: `Bearer ${ownerKey.key}` },
      { 'X-API-Key': SYSADMIN_KEY },
      { Authorization: `Basic ${Buffer.from(`admin:${SYSADMIN_KEY}`).toString('base64')}` },
    ];
    for (const headers of attempts) {
      const create = await call(h.app, 'POST', '/api/v1/sysadmin/tenants', {
        headers,
        json: { name: 'Intruder', adminEmail: uniqueEmail('intruder'), adminPassword: PASSWORD },
      });
      expectProblem(create, 401);
      expect(create.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expectProblem(await call(h.app, 'GET', '/api/v1/sysadmin/tenants', { headers }), 401);
      expectProblem(await call(h.app, 'DELETE', `/api/v1/sysadmin/tenants/${h.tenant.tenantId}`, { headers }), 401);
    }
    const after = await call(h.app, 'GET', '/api/v1/sysadmin/tenants?limit=100', { headers: sys });
    expect(after.body.data).toEqual(before.body.data);
    expect((await call(h.app, 'GET', '/api/v1/me', { token: h.tenant.token })).status).toBe(200);
  });

  it('validates tenant creation (422, 409) like every other write', async () => {
    const bad = await call(h.app, 'POST', '/api/v1/sysadmin/tenants', {
      headers: sys,
      json: { name: 'Bad', adminEmail: 'not-an-email', adminPassword: 'short' },
    });
    expectProblem(bad, 422, 'validation_failed');
    expect((bad.body.errors as { path: string }[]).map((e) => e.path)).toEqual(expect.arrayContaining(['adminEmail', 'adminPassword']));
    const taken = await call(h.app, 'POST', '/api/v1/sysadmin/tenants', {
      headers: sys,
      json: { name: 'Dup', adminEmail: h.tenant.owner.email.toUpperCase(), adminPassword: PASSWORD },
    });
    expectProblem(taken, 409, 'email_taken');
    expectProblem(await call(h.app, 'GET', '/api/v1/sysadmin/tenants?cursor=garbage', { headers: sys }), 422, 'validation_failed');
  });

  it('deleting a tenant ends its users’ logins, tokens and API keys; others are untouched', async () => {
    const created = await createTenant('Doomed');
    const session = await login(h.app, created.adminEmail);
    const ownerToken = session.accessToken;
    const harness = { ...h, tenant: { tenantId: created.tenant.id, owner: { id: created.admin.id, email: created.adminEmail, password: PASSWORD }, token: ownerToken } };
    const member = await createUser(harness, harness.tenant, 'member');
    const key = await createApiKey(h.app, ownerToken);
    const memberKey = await createApiKey(h.app, member.token);
    const space = await createSpace(h.app, ownerToken);
    expect((await call(h.app, 'GET', '/api/v1/me', { headers: { 'X-API-Key': key.key } })).status).toBe(200);

    const removed = await call(h.app, 'DELETE', `/api/v1/sysadmin/tenants/${created.tenant.id}`, { headers: sys });
    expect(removed.status).toBe(204);

    for (const email of [created.adminEmail, member.email]) {
      const r = await call(h.app, 'POST', '/api/v1/auth/login', { json: { email, password: PASSWORD }, headers: { 'X-Forwarded-For': nextIp() } });
      expectProblem(r, 401, 'invalid_credentials');
    }
    for (const apiKey of [key.key, memberKey.key]) {
      expectProblem(await call(h.app, 'GET', '/api/v1/me', { headers: { 'X-API-Key': apiKey } }), 401, 'invalid_api_key');
      expectProblem(await call(h.app, 'GET', '/api/v1/me', { token: apiKey }), 401, 'invalid_api_key');
    }
    expectProblem(await call(h.app, 'GET', '/api/v1/me', { token: ownerToken }), 401, 'invalid_token');
    expectProblem(await call(h.app, 'GET', `/api/v1/spaces/${space.id}`, { token: member.token }), 401, 'invalid_token');
    expectProblem(await call(h.app, 'POST', '/api/v1/auth/refresh', { json: { refreshToken: session.refreshToken } }), 401, 'invalid_refresh_token');

    const list = await call(h.app, 'GET', '/api/v1/sysadmin/tenants?limit=100', { headers: sys });
    expect((list.body.data as { id: string }[]).map((t) => t.id)).not.toContain(created.tenant.id);
    expectProblem(await call(h.app, 'DELETE', `/api/v1/sysadmin/tenants/${created.tenant.id}`, { headers: sys }), 404, 'not_found');
    expectProblem(await call(h.app, 'DELETE', '/api/v1/sysadmin/tenants/abc', { headers: sys }), 404, 'not_found');
    // The emails are free again.
    const reuse = await call(h.app, 'POST', '/api/v1/sysadmin/tenants', {
      headers: sys,
      json: { name: 'Reborn', adminEmail: created.adminEmail, adminPassword: PASSWORD },
    });
    expect(reuse.status).toBe(201);
    // The bootstrap tenant is untouched.
    expect((await call(h.app, 'GET', '/api/v1/me', { token: h.tenant.token })).status).toBe(200);
  });
});
