import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '../src/test/index.js';
import { expectAtriumError, newTenant, newUser, nextIp, openHarness, PASSWORD, uniqueEmail, type Harness } from './helpers.js';

describe.each(await testDatabaseTargets())('users on $name', (target) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(target);
  });
  afterAll(async () => {
    await h?.close();
  });

  const login = (email: string, password = PASSWORD) => h.core.auth.login({ email, password, ip: nextIp() });

  it('creates users that can log in, normalising the email', async () => {
    const t = await newTenant(h.core);
    const email = uniqueEmail('New.Person');
    const user = await h.core.users.create(t.actor, { email: ` ${email.toUpperCase()} `, password: PASSWORD, name: ' Ann ', role: 'member' });
    expect(user).toMatchObject({ tenantId: t.tenantId, email: email.toLowerCase(), name: 'Ann', role: 'member' });
    expect(user).not.toHaveProperty('passwordHash');
    expect(await h.core.users.get(t.actor, user.id)).toEqual(user);
    expect((await h.core.users.list(t.actor, { limit: 10 })).data.map((u) => u.id).sort()).toEqual(
      [t.owner.id, user.id].sort(),
    );
    expect((await login(email)).user.id).toBe(user.id);
  });

  it('refuses a duplicate email, whatever its case and whichever tenant has it', async () => {
    const t = await newTenant(h.core);
    const other = await newTenant(h.core);
    const email = uniqueEmail('dup');
    await h.core.users.create(t.actor, { email, password: PASSWORD, name: 'First', role: 'member' });
    for (const candidate of [email, email.toUpperCase(), ` ${email} `]) {
      await expectAtriumError(
        h.core.users.create(t.actor, { email: candidate, password: PASSWORD, name: 'Again', role: 'member' }),
        'conflict',
        'email_taken',
      );
    }
    await expectAtriumError(
      h.core.users.create(other.actor, { email: email.toUpperCase(), password: PASSWORD, name: 'Elsewhere', role: 'member' }),
      'conflict',
      'email_taken',
    );
    const second = await newUser(h.core, t.actor);
    await expectAtriumError(h.core.users.update(t.actor, second.user.id, { email: email.toUpperCase() }), 'conflict', 'email_taken');
  });

  it('only owners create owners; members manage no one', async () => {
    const t = await newTenant(h.core);
    const admin = await newUser(h.core, t.actor, 'admin');
    const member = await newUser(h.core, t.actor, 'member');
    const input = (role: 'owner' | 'admin' | 'member') => ({ email: uniqueEmail(role), password: PASSWORD, name: 'X', role });
    await expectAtriumError(h.core.users.create(admin.actor, input('owner')), 'forbidden');
    expect((await h.core.users.create(admin.actor, input('admin'))).role).toBe('admin');
    expect((await h.core.users.create(t.actor, input('owner'))).role).toBe('owner');
    await expectAtriumError(h.core.users.create(member.actor, input('member')), 'forbidden');
    await expectAtriumError(h.core.users.delete(member.actor, admin.user.id), 'forbidden');
    // Admins cannot touch owners, nor make themselves one.
    await expectAtriumError(h.core.users.update(admin.actor, t.owner.id, { name: 'Hijacked' }), 'forbidden');
    await expectAtriumError(h.core.users.delete(admin.actor, t.owner.id), 'forbidden');
    await expectAtriumError(h.core.users.update(admin.actor, admin.user.id, { role: 'owner' }), 'forbidden');
    expect((await h.core.users.get(t.actor, t.owner.id)).name).not.toBe('Hijacked');
  });

  it('members may edit their own profile but not their role or other people', async () => {
    const t = await newTenant(h.core);
    const member = await newUser(h.core, t.actor);
    const peer = await newUser(h.core, t.actor);
    expect((await h.core.users.update(member.actor, member.user.id, { name: 'Renamed' })).name).toBe('Renamed');
    await expectAtriumError(h.core.users.update(member.actor, member.user.id, { role: 'admin' }), 'forbidden');
    await expectAtriumError(h.core.users.update(member.actor, peer.user.id, { name: 'Nope' }), 'forbidden');
    expect((await h.core.users.get(t.actor, member.user.id)).role).toBe('member');
    expect((await h.core.users.get(t.actor, peer.user.id)).name).toBe(peer.user.name);
  });

  it('keeps the last owner: no demotion, no deletion; a second owner lifts the rule', async () => {
    const t = await newTenant(h.core);
    await expectAtriumError(h.core.users.update(t.actor, t.owner.id, { role: 'admin' }), 'conflict', 'last_owner');
    await expectAtriumError(h.core.users.delete(t.actor, t.owner.id), 'conflict', 'last_owner');
    expect((await h.core.users.get(t.actor, t.owner.id)).role).toBe('owner');

    const second = await newUser(h.core, t.actor, 'owner');
    expect((await h.core.users.update(t.actor, t.owner.id, { role: 'admin' })).role).toBe('admin');
    await expectAtriumError(h.core.users.delete(second.actor, second.user.id), 'conflict', 'last_owner');
  });

  it('a password change ends every session of that user and switches the password', async () => {
    const t = await newTenant(h.core);
    const member = await newUser(h.core, t.actor);
    const a = await login(member.user.email);
    const b = await login(member.user.email);
    // Changing your own password needs the current one, so a stolen session cannot.
    const refused = await expectAtriumError(
      h.core.users.update(member.actor, member.user.id, { password: 'a brand new password' }),
      'invalid',
      'validation_failed',
    );
    expect(refused.details.errors?.map((e) => e.path)).toEqual(['currentPassword']);
    await expectAtriumError(
      h.core.users.update(member.actor, member.user.id, { password: 'a brand new password', currentPassword: 'wrong guess!' }),
      'invalid',
      'validation_failed',
    );
    await h.core.users.update(member.actor, member.user.id, { password: 'a brand new password', currentPassword: PASSWORD });
    for (const s of [a, b])
      await expectAtriumError(h.core.auth.refresh(s.refreshToken), 'unauthenticated', 'invalid_refresh_token');
    await expectAtriumError(login(member.user.email), 'unauthenticated', 'invalid_credentials');
    expect((await login(member.user.email, 'a brand new password')).user.id).toBe(member.user.id);
    // A rename alone leaves sessions alone.
    const c = await login(member.user.email, 'a brand new password');
    await h.core.users.update(member.actor, member.user.id, { name: 'Still logged in' });
    expect((await h.core.auth.refresh(c.refreshToken)).user.name).toBe('Still logged in');
  });

  it('refuses passwords over 72 bytes (counted in UTF-8) and under 8 characters', async () => {
    const t = await newTenant(h.core);
    const tooLong = ['x'.repeat(73), 'é'.repeat(37)]; // 37 characters, 74 bytes
    for (const password of tooLong) {
      const error = await expectAtriumError(
        h.core.users.create(t.actor, { email: uniqueEmail(), password, name: 'Long', role: 'member' }),
        'invalid',
        'validation_failed',
      );
      expect(error.details.errors?.map((e) => e.path)).toEqual(['password']);
    }
    expect((await h.core.users.create(t.actor, { email: uniqueEmail(), password: 'x'.repeat(72), name: 'Max', role: 'member' })).name).toBe('Max');
    const update = await expectAtriumError(h.core.users.update(t.actor, t.owner.id, { password: 'é'.repeat(37) }), 'invalid');
    expect(update.details.errors?.map((e) => e.path)).toEqual(['password']);
    const several = await expectAtriumError(
      h.core.users.create(t.actor, { email: 'not-an-email', password: 'short', name: '  ', role: 'member' }),
      'invalid',
    );
    expect(several.details.errors?.map((e) => e.path).sort()).toEqual(['email', 'name', 'password']);
  });

  it('a deleted user can no longer log in', async () => {
    const t = await newTenant(h.core);
    const member = await newUser(h.core, t.actor);
    await h.core.users.delete(t.actor, member.user.id);
    await expectAtriumError(h.core.users.get(t.actor, member.user.id), 'not_found');
    await expectAtriumError(login(member.user.email), 'unauthenticated', 'invalid_credentials');
    await expectAtriumError(h.core.users.delete(t.actor, member.user.id), 'not_found');
  });

  it('me returns the caller and their tenant', async () => {
    const t = await newTenant(h.core, 'Me Corp');
    const { user, tenant } = await h.core.me(t.actor);
    expect(user.id).toBe(t.owner.id);
    expect(tenant).toMatchObject({ id: t.tenantId, name: 'Me Corp' });
  });

});
