import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_EMAIL } from '../src/services/index.js';
import { testDatabaseTargets } from '../src/test/index.js';
import { nextIp, openHarness, type Harness } from './helpers.js';

describe.each(await testDatabaseTargets())('bootstrap on $name', (target) => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness(target);
  });
  afterEach(async () => {
    await h.close();
  });

  it('creates a tenant and an owner with a generated password once, and does nothing later', async () => {
    const first = await h.core.tenants.bootstrap({});
    if (!first.created) throw new Error('expected the first bootstrap to create a tenant');
    expect(first.admin).toMatchObject({ email: DEFAULT_ADMIN_EMAIL, role: 'owner', tenantId: first.tenant.id });
    expect(first.generatedPassword).toMatch(/^[0-9A-Za-z]{20}$/);

    const session = await h.core.auth.login({
      email: DEFAULT_ADMIN_EMAIL,
      password: first.generatedPassword!,
      ip: nextIp(),
    });
    expect(session.user.id).toBe(first.admin.id);

    expect(await h.core.tenants.bootstrap({ adminEmail: 'other@example.com', adminPassword: 'another password' })).toEqual({
      created: false,
    });
    const tenants = await h.core.tenants.list({ limit: 10 });
    expect(tenants.data.map((t) => t.id)).toEqual([first.tenant.id]);
  });

  it('uses the configured email and password, and survives two starts racing', async () => {
    const input = { adminEmail: 'Boss@Example.com', adminPassword: 'configured password', tenantName: 'Acme' };
    const results = await Promise.all([h.core.tenants.bootstrap(input), h.core.tenants.bootstrap(input)]);
    const created = results.filter((r) => r.created);
    expect(created).toHaveLength(1);
    const [winner] = created;
    if (!winner?.created) throw new Error('unreachable');
    expect(winner.generatedPassword).toBeNull();
    expect(winner.tenant.name).toBe('Acme');
    expect(winner.admin.email).toBe('boss@example.com');
    expect(await h.core.context.store.system.countTenants()).toBe(1);

    const session = await h.core.auth.login({ email: 'boss@example.com', password: 'configured password', ip: nextIp() });
    expect(session.user.role).toBe('owner');
  });
});
