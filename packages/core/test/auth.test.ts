import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../src/services/index.js';
import { testDatabaseTargets } from '../src/test/index.js';
import {
  atTime,
  expectAtriumError,
  newTenant,
  newUser,
  nextIp,
  openHarness,
  PASSWORD,
  uniqueEmail,
  type Harness,
} from './helpers.js';

describe.each(await testDatabaseTargets())('auth on $name', (target) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(target);
  });
  afterAll(async () => {
    await h?.close();
  });

  const login = (email: string, password = PASSWORD, ip = nextIp()) => h.core.auth.login({ email, password, ip });

  describe('login', () => {
    it('returns tokens and the user for the right password', async () => {
      const t = await newTenant(h.core);
      const session = await login(t.owner.email);
      expect(session).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { id: t.owner.id, role: 'owner' } });
      expect(session.user).not.toHaveProperty('passwordHash');
      expect(session.refreshToken).toMatch(/^atr_rt_[0-9A-Za-z]{43}$/);
      const actor = await h.core.auth.authenticate(session.accessToken);
      expect(actor).toEqual({ tenantId: t.tenantId, userId: t.owner.id, tenantRole: 'owner', via: 'access_token' });
    });

    it('answers a wrong password and an unknown email with the same error', async () => {
      const t = await newTenant(h.core);
      const wrongPassword = await expectAtriumError(login(t.owner.email, 'wrong password!'), 'unauthenticated', 'invalid_credentials');
      const unknownEmail = await expectAtriumError(login(uniqueEmail('nobody')), 'unauthenticated', 'invalid_credentials');
      expect(unknownEmail.message).toBe(wrongPassword.message);
    });

    it('compares emails case-insensitively and ignores surrounding spaces', async () => {
      const mixed = `Mixed.Case-${Date.now()}@Example.COM`;
      const { admin } = await h.core.tenants.create({ name: 'Case', adminEmail: mixed, adminPassword: PASSWORD });
      expect(admin.email).toBe(mixed.toLowerCase());
      expect((await login(`  ${mixed.toUpperCase()} `)).user.id).toBe(admin.id);
      expect((await login(mixed.toLowerCase())).user.id).toBe(admin.id);
    });

    it('refuses further attempts after 5 failures from one IP for one account, even with the right password', async () => {
      const t = await newTenant(h.core);
      const ip = nextIp();
      for (let i = 0; i < 5; i++) await expectAtriumError(login(t.owner.email, 'wrong password!', ip), 'unauthenticated');
      const error = await expectAtriumError(login(t.owner.email, PASSWORD, ip), 'rate_limited', 'rate_limited');
      expect(error.details.retryAfterSeconds).toBeGreaterThan(0);
      // Another address is not affected.
      expect((await login(t.owner.email)).user.id).toBe(t.owner.id);
    });
  });

  describe('refresh', () => {
    it('rotates: new tokens work, the old refresh token stops working', async () => {
      const t = await newTenant(h.core);
      const first = await login(t.owner.email);
      const second = await h.core.auth.refresh(first.refreshToken);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.user.id).toBe(t.owner.id);
      expect((await h.core.auth.authenticate(second.accessToken)).userId).toBe(t.owner.id);
      await expectAtriumError(h.core.auth.refresh(first.refreshToken), 'unauthenticated', 'invalid_refresh_token');
    });

    it('presenting a rotated token revokes the whole family, but not other sessions', async () => {
      const t = await newTenant(h.core);
      const other = await login(t.owner.email);
      const r1 = (await login(t.owner.email)).refreshToken;
      const r2 = (await h.core.auth.refresh(r1)).refreshToken;
      const r3 = (await h.core.auth.refresh(r2)).refreshToken;
      await expectAtriumError(h.core.auth.refresh(r1), 'unauthenticated', 'invalid_refresh_token');
      // r3 was never used, yet it is dead now: the thief and the victim are both logged out.
      await expectAtriumError(h.core.auth.refresh(r3), 'unauthenticated', 'invalid_refresh_token');
      expect((await h.core.auth.refresh(other.refreshToken)).user.id).toBe(t.owner.id);
    });

    it('two concurrent refreshes with one token: at most one wins, and the family ends up revoked', async () => {
      const t = await newTenant(h.core);
      const { refreshToken } = await login(t.owner.email);
      const results = await Promise.allSettled([h.core.auth.refresh(refreshToken), h.core.auth.refresh(refreshToken)]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won.length).toBeLessThanOrEqual(1);
      for (const r of results.filter((r) => r.status === 'rejected'))
        expect(r.reason).toMatchObject({ kind: 'unauthenticated', code: 'invalid_refresh_token' });
      // Reuse was detected, so whatever the winner received is revoked as well.
      for (const r of won)
        await expectAtriumError(h.core.auth.refresh(r.value.refreshToken), 'unauthenticated', 'invalid_refresh_token');
    });

    it('rejects expired, unknown and garbage refresh tokens', async () => {
      const t = await newTenant(h.core);
      const { refreshToken } = await login(t.owner.email);
      const later = atTime(h.core, new Date(Date.now() + 31 * 24 * 60 * 60 * 1000));
      await expectAtriumError(later.auth.refresh(refreshToken), 'unauthenticated', 'invalid_refresh_token');
      await expectAtriumError(h.core.auth.refresh(`atr_rt_${'x'.repeat(43)}`), 'unauthenticated', 'invalid_refresh_token');
      await expectAtriumError(h.core.auth.refresh(''), 'unauthenticated', 'invalid_refresh_token');
      // The expiry check did not consume the token.
      expect((await h.core.auth.refresh(refreshToken)).user.id).toBe(t.owner.id);
    });
  });

  describe('logout', () => {
    it('revokes the session, leaves other sessions alone and ignores unknown tokens', async () => {
      const t = await newTenant(h.core);
      const a = await login(t.owner.email);
      const b = await login(t.owner.email);
      const a2 = await h.core.auth.refresh(a.refreshToken);
      await h.core.auth.logout(a2.refreshToken);
      await expectAtriumError(h.core.auth.refresh(a2.refreshToken), 'unauthenticated', 'invalid_refresh_token');
      expect((await h.core.auth.refresh(b.refreshToken)).user.id).toBe(t.owner.id);
      await expect(h.core.auth.logout('atr_rt_unknown')).resolves.toBeUndefined();
    });
  });

  describe('authenticate', () => {
    it('rejects forged and garbage access tokens, and tokens of deleted users', async () => {
      const t = await newTenant(h.core);
      const member = await newUser(h.core, t.actor);
      const session = await login(member.user.email);
      const [head, body, sig] = session.accessToken.split('.') as [string, string, string];
      const flipped = `${head}.${body}.${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
      await expectAtriumError(h.core.auth.authenticate(flipped), 'unauthenticated', 'invalid_token');
      await expectAtriumError(h.core.auth.authenticate('garbage'), 'unauthenticated', 'invalid_token');
      await expectAtriumError(h.core.auth.authenticate(''), 'unauthenticated');
      expect((await h.core.auth.authenticate(session.accessToken)).userId).toBe(member.user.id);
      await h.core.users.delete(t.actor, member.user.id);
      await expectAtriumError(h.core.auth.authenticate(session.accessToken), 'unauthenticated', 'invalid_token');
    });

    it('reads the role from the database, so a promotion applies to existing tokens', async () => {
      const t = await newTenant(h.core);
      const member = await newUser(h.core, t.actor);
      const { accessToken } = await login(member.user.email);
      await h.core.users.update(t.actor, member.user.id, { role: 'admin' });
      expect((await h.core.auth.authenticate(accessToken)).tenantRole).toBe('admin');
    });

    it('accepts an API key, lists it without its secret and records its use', async () => {
      const t = await newTenant(h.core);
      const created = await h.core.apiKeys.create(t.actor, { name: ' CI key ' });
      expect(created.key).toMatch(/^atr_sk_/);
      expect(created.key.startsWith(created.prefix)).toBe(true);
      expect(created.name).toBe('CI key');
      expect(created.lastUsedAt).toBeNull();

      const actor = await h.core.auth.authenticate(created.key);
      expect(actor).toEqual({
        tenantId: t.tenantId,
        userId: t.owner.id,
        tenantRole: 'owner',
        via: 'api_key',
        apiKeyId: created.id,
        assistantId: null,
      });
      const listed = await h.core.apiKeys.list(t.actor, { limit: 10 });
      expect(listed.data).toHaveLength(1);
      expect(listed.data[0]).not.toHaveProperty('key');
      expect(listed.data[0]).toMatchObject({ id: created.id, prefix: created.prefix });
      expect(listed.data[0]?.lastUsedAt).toBeInstanceOf(Date);
    });

    it('rejects a checksum-valid unknown key and a key with a typo', async () => {
      const t = await newTenant(h.core);
      const { key } = await h.core.apiKeys.create(t.actor, { name: 'real' });
      const unknown = (await generateApiKey()).key;
      await expectAtriumError(h.core.auth.authenticate(unknown), 'unauthenticated', 'invalid_api_key');
      const typo = `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`;
      await expectAtriumError(h.core.auth.authenticate(typo), 'unauthenticated', 'invalid_api_key');
      await expectAtriumError(h.core.auth.authenticate('atr_sk_short'), 'unauthenticated', 'invalid_api_key');
    });

    it('a revoked key stops working at once and cannot be revoked twice', async () => {
      const t = await newTenant(h.core);
      const created = await h.core.apiKeys.create(t.actor, { name: 'to revoke' });
      expect((await h.core.auth.authenticate(created.key)).apiKeyId).toBe(created.id);
      await h.core.apiKeys.revoke(t.actor, created.id);
      await expectAtriumError(h.core.auth.authenticate(created.key), 'unauthenticated', 'invalid_api_key');
      await expectAtriumError(h.core.apiKeys.revoke(t.actor, created.id), 'not_found');
      expect((await h.core.apiKeys.list(t.actor, { limit: 10 })).data).toEqual([]);
    });

    it('an expired key is refused; a key cannot be created already expired', async () => {
      const t = await newTenant(h.core);
      const expiresAt = new Date(Date.now() + 60 * 60 * 1000);
      const created = await h.core.apiKeys.create(t.actor, { name: 'short-lived', expiresAt });
      expect(created.expiresAt?.getTime()).toBe(expiresAt.getTime());
      expect((await h.core.auth.authenticate(created.key)).apiKeyId).toBe(created.id);
      const later = atTime(h.core, new Date(expiresAt.getTime() + 1000));
      await expectAtriumError(later.auth.authenticate(created.key), 'unauthenticated', 'invalid_api_key');
      const error = await expectAtriumError(
        h.core.apiKeys.create(t.actor, { name: 'stale', expiresAt: new Date(Date.now() - 1000) }),
        'invalid',
      );
      expect(error.details.errors?.map((e) => e.path)).toEqual(['expiresAt']);
    });

    it("members manage only their own keys; admins see and revoke everyone's", async () => {
      const t = await newTenant(h.core);
      const member = await newUser(h.core, t.actor);
      const other = await newUser(h.core, t.actor);
      const mine = await h.core.apiKeys.create(member.actor, { name: 'mine' });
      const theirs = await h.core.apiKeys.create(other.actor, { name: 'theirs' });
      expect((await h.core.apiKeys.list(member.actor, { limit: 10 })).data.map((k) => k.id)).toEqual([mine.id]);
      await expectAtriumError(h.core.apiKeys.revoke(member.actor, theirs.id), 'not_found');
      expect((await h.core.auth.authenticate(theirs.key)).userId).toBe(other.user.id);
      expect((await h.core.apiKeys.list(t.actor, { limit: 10 })).data.map((k) => k.id).sort()).toEqual(
        [mine.id, theirs.id].sort(),
      );
      await h.core.apiKeys.revoke(t.actor, theirs.id);
      await expectAtriumError(h.core.auth.authenticate(theirs.key), 'unauthenticated');
    });

    it('an assistant-scoped key cannot mint keys', async () => {
      const t = await newTenant(h.core);
      const space = await h.core.spaces.create(t.actor, { name: 'Keys' });
      const assistant = await h.core.assistants.create(t.actor, space.id, { name: 'Scoped' });
      const scoped = await h.core.apiKeys.create(t.actor, { name: 'assistant', assistantId: assistant.id });
      const actor = await h.core.auth.authenticate(scoped.key);
      expect(actor.assistantId).toBe(assistant.id);
      await expectAtriumError(h.core.apiKeys.create(actor, { name: 'escalate' }), 'forbidden');
    });

    it('an assistant-scoped key needs an assistant its maker can use, and dies with it', async () => {
      const t = await newTenant(h.core);
      const space = await h.core.spaces.create(t.actor, { name: 'Keys' });
      const assistant = await h.core.assistants.create(t.actor, space.id, { name: 'Scoped' });
      const outsider = await newUser(h.core, t.actor);
      for (const assistantId of ['0190a0a0-0000-7000-8000-00000000abcd', assistant.id]) {
        const error = await expectAtriumError(h.core.apiKeys.create(outsider.actor, { name: 'k', assistantId }), 'invalid');
        expect(error.details.errors?.[0]?.path).toBe('assistantId');
      }
      const scoped = await h.core.apiKeys.create(t.actor, { name: 'assistant', assistantId: assistant.id });
      await h.core.assistants.delete(t.actor, assistant.id);
      await expectAtriumError(h.core.auth.authenticate(scoped.key), 'unauthenticated');
    });
  });
});
