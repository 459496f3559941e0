import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AtriumCore } from '../src/core.js';
import type { Actor } from '../src/domain/identity.js';
import { sha256Hex } from '../src/services/shared/secrets.js';
import { testDatabaseTargets } from '../src/test/index.js';
import { expectAtriumError, newTenant, newUser, nextIp, openHarness, PASSWORD, type Harness } from './helpers.js';

/** A tenant with an owner, a member, a space (the member is its viewer) and an API key. */
const populatedTenant = async (core: AtriumCore) => {
  const t = await newTenant(core);
  const member = await newUser(core, t.actor);
  const space = await core.spaces.create(t.actor, { name: 'Secret space', description: 'do not touch' });
  await core.spaces.members.add(t.actor, space.id, { userId: member.user.id, role: 'viewer' });
  const apiKey = await core.apiKeys.create(t.actor, { name: 'key' });
  return { ...t, member, space, apiKey };
};

/** Every id-taking operation an actor can attempt, for one id; each must answer not_found. */
const idOperations = (core: AtriumCore, actor: Actor, ownSpaceId: string, id: string) => ({
  'users.get': () => core.users.get(actor, id),
  'users.update': () => core.users.update(actor, id, { name: 'Changed', role: 'member' }),
  'users.delete': () => core.users.delete(actor, id),
  'apiKeys.revoke': () => core.apiKeys.revoke(actor, id),
  'spaces.get': () => core.spaces.get(actor, id),
  'spaces.update': () => core.spaces.update(actor, id, { name: 'Changed' }),
  'spaces.delete': () => core.spaces.delete(actor, id),
  'members.list': () => core.spaces.members.list(actor, id, { limit: 10 }),
  'members.add (space)': () => core.spaces.members.add(actor, id, { userId: actor.userId, role: 'viewer' }),
  'members.add (user)': () => core.spaces.members.add(actor, ownSpaceId, { userId: id, role: 'viewer' }),
  'members.update (space)': () => core.spaces.members.update(actor, id, actor.userId, { role: 'viewer' }),
  'members.update (user)': () => core.spaces.members.update(actor, ownSpaceId, id, { role: 'viewer' }),
  'members.remove (space)': () => core.spaces.members.remove(actor, id, actor.userId),
  'members.remove (user)': () => core.spaces.members.remove(actor, ownSpaceId, id),
  'tenants.delete': () => core.tenants.delete(id),
});

describe.each(await testDatabaseTargets())('tenants on $name', (target) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(target);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("another tenant's ids are absent: not_found everywhere, and nothing changes", async () => {
    const a = await populatedTenant(h.core);
    const b = await populatedTenant(h.core);
    const foreignIds = [b.owner.id, b.member.user.id, b.space.id, b.apiKey.id];
    for (const id of foreignIds) {
      for (const [name, run] of Object.entries(idOperations(h.core, a.actor, a.space.id, id))) {
        if (name === 'tenants.delete') continue; // operators' call: ids are global there
        await expectAtriumError(run(), 'not_found').catch((e: unknown) => {
          throw new Error(`${name}(${id}): ${String(e)}`);
        });
      }
    }
    // B is untouched.
    expect(await h.core.users.get(b.actor, b.member.user.id)).toEqual(b.member.user);
    expect(await h.core.spaces.get(b.actor, b.space.id)).toMatchObject({ name: 'Secret space', description: 'do not touch' });
    expect((await h.core.spaces.members.list(b.actor, b.space.id, { limit: 10 })).data).toHaveLength(2);
    expect((await h.core.auth.authenticate(b.apiKey.key)).tenantId).toBe(b.tenantId);
    // Lists never show B's rows.
    const users = (await h.core.users.list(a.actor, { limit: 100 })).data.map((u) => u.id);
    expect(users.sort()).toEqual([a.owner.id, a.member.user.id].sort());
    expect((await h.core.spaces.list(a.actor, { limit: 100 })).data.map((s) => s.id)).toEqual([a.space.id]);
    expect((await h.core.apiKeys.list(a.actor, { limit: 100 })).data.map((k) => k.id)).toEqual([a.apiKey.id]);
  });

  it('garbage ids are simply absent, never a database error', async () => {
    const a = await populatedTenant(h.core);
    const garbage = [
      'abc',
      '',
      ' ',
      "'; drop table users; --",
      '00000000-0000-0000-0000-00000000000g',
      '0190a0a0-0000-7000-8000-000000000000', // well-formed, names nothing
      `${a.space.id} `,
      'x'.repeat(10_000),
    ];
    for (const id of garbage) {
      for (const [name, run] of Object.entries(idOperations(h.core, a.actor, a.space.id, id))) {
        await expectAtriumError(run(), 'not_found').catch((e: unknown) => {
          throw new Error(`${name}(${JSON.stringify(id.slice(0, 40))}): ${String(e)}`);
        });
      }
    }
    expect((await h.core.spaces.members.list(a.actor, a.space.id, { limit: 10 })).data).toHaveLength(2);
  });

  it('deleting a tenant removes its users, spaces, keys and sessions, and nothing else', async () => {
    const keep = await populatedTenant(h.core);
    const gone = await populatedTenant(h.core);
    const session = await h.core.auth.login({ email: gone.member.user.email, password: PASSWORD, ip: nextIp() });

    await h.core.tenants.delete(gone.tenantId);

    const repos = h.core.context.store.forTenant(gone.tenantId);
    expect(await repos.tenant()).toBeNull();
    expect((await repos.users.list({ limit: 10 })).data).toEqual([]);
    expect((await repos.spaces.list({ limit: 10 }, {})).data).toEqual([]);
    expect(await repos.memberships.get(gone.space.id, gone.member.user.id)).toBeNull();
    expect(await h.core.context.store.system.findApiKeyByHash(await sha256Hex(gone.apiKey.key))).toBeNull();

    await expectAtriumError(h.core.auth.authenticate(gone.apiKey.key), 'unauthenticated', 'invalid_api_key');
    await expectAtriumError(h.core.auth.authenticate(session.accessToken), 'unauthenticated');
    await expectAtriumError(h.core.auth.refresh(session.refreshToken), 'unauthenticated', 'invalid_refresh_token');
    await expectAtriumError(
      h.core.auth.login({ email: gone.owner.email, password: PASSWORD, ip: nextIp() }),
      'unauthenticated',
      'invalid_credentials',
    );
    // The email is free again, which proves the user row is gone.
    expect((await h.core.users.create(keep.actor, { email: gone.owner.email, password: PASSWORD, name: 'Re', role: 'member' })).email).toBe(
      gone.owner.email,
    );
    const tenants = await h.core.tenants.list({ limit: 100 });
    expect(tenants.data.map((t) => t.id)).toContain(keep.tenantId);
    expect(tenants.data.map((t) => t.id)).not.toContain(gone.tenantId);
    await expectAtriumError(h.core.tenants.delete(gone.tenantId), 'not_found');

    // The other tenant is intact.
    expect(await h.core.spaces.get(keep.actor, keep.space.id)).toMatchObject({ name: 'Secret space' });
    expect((await h.core.auth.authenticate(keep.apiKey.key)).tenantId).toBe(keep.tenantId);
  });

  it('creates tenants with validation and refuses a taken admin email', async () => {
    const t = await newTenant(h.core);
    await expectAtriumError(
      h.core.tenants.create({ name: 'Copy', adminEmail: t.owner.email.toUpperCase(), adminPassword: PASSWORD }),
      'conflict',
      'email_taken',
    );
    const error = await expectAtriumError(
      h.core.tenants.create({ name: '', adminEmail: 'nope', adminPassword: 'short' }),
      'invalid',
    );
    expect(error.details.errors?.map((e) => e.path).sort()).toEqual(['adminEmail', 'adminPassword', 'name']);
  });
});
