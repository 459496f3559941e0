import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { joseAccessTokens } from './jose-access-tokens.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
const key = new TextEncoder().encode(SECRET);
const claims = { userId: '0190a0a0-0000-7000-8000-000000000001', tenantId: '0190a0a0-0000-7000-8000-000000000002' };

/** A token built by hand with the signer's defaults, so one property at a time can be changed. */
const handMade = (overrides: { alg?: string; issuer?: string; audience?: string; expiresAt?: number } = {}) =>
  new SignJWT({ tid: claims.tenantId })
    .setProtectedHeader({ alg: overrides.alg ?? 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(overrides.issuer ?? 'atrium')
    .setAudience(overrides.audience ?? 'atrium-api')
    .setIssuedAt()
    .setExpirationTime(overrides.expiresAt ?? Math.floor(Date.now() / 1000) + 600)
    .sign(key);

describe('joseAccessTokens', () => {
  const tokens = joseAccessTokens({ secret: SECRET });

  it('round-trips the claims and reports its ttl', async () => {
    const token = await tokens.sign(claims);
    expect(token.split('.')).toHaveLength(3);
    expect(await tokens.verify(token)).toEqual(claims);
    expect(joseAccessTokens({ secret: SECRET, ttlSeconds: 42 }).ttlSeconds).toBe(42);
  });

  it('accepts a hand-made token with the same settings (control for the rejections below)', async () => {
    expect(await tokens.verify(await handMade())).toEqual(claims);
  });

  it('rejects a tampered signature', async () => {
    const [header, payload, signature] = (await tokens.sign(claims)).split('.') as [string, string, string];
    // Change a character in the middle: the last one may only carry padding bits.
    const i = Math.floor(signature.length / 2);
    const tampered = signature.slice(0, i) + (signature[i] === 'A' ? 'B' : 'A') + signature.slice(i + 1);
    expect(await tokens.verify(`${header}.${payload}.${tampered}`)).toBeNull();
  });

  it('rejects a tampered payload (another user id, original signature)', async () => {
    const [header, , signature] = (await tokens.sign(claims)).split('.') as [string, string, string];
    const forged = Buffer.from(
      JSON.stringify({ sub: 'someone-else', tid: claims.tenantId, iss: 'atrium', aud: 'atrium-api', exp: 4102444800 }),
    ).toString('base64url');
    expect(await tokens.verify(`${header}.${forged}.${signature}`)).toBeNull();
  });

  it('rejects a token signed with another secret', async () => {
    const other = joseAccessTokens({ secret: 'another-secret-another-secret-another-secret' });
    expect(await tokens.verify(await other.sign(claims))).toBeNull();
  });

  it('rejects the wrong issuer and the wrong audience', async () => {
    expect(await tokens.verify(await handMade({ issuer: 'evil' }))).toBeNull();
    expect(await tokens.verify(await handMade({ audience: 'another-api' }))).toBeNull();
    const strict = joseAccessTokens({ secret: SECRET, issuer: 'atrium-eu', audience: 'atrium-eu-api' });
    expect(await strict.verify(await tokens.sign(claims))).toBeNull();
  });

  it('rejects an expired token', async () => {
    const expired = await handMade({ expiresAt: Math.floor(Date.now() / 1000) - 10 });
    expect(await tokens.verify(expired)).toBeNull();
  });

  it('pins the algorithm: alg "none" and HS512 with the right secret are both rejected', async () => {
    const unsecured = new UnsecuredJWT({ tid: claims.tenantId })
      .setSubject(claims.userId)
      .setIssuer('atrium')
      .setAudience('atrium-api')
      .setExpirationTime('10m')
      .encode();
    expect(JSON.parse(Buffer.from(unsecured.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'none' });
    expect(await tokens.verify(unsecured)).toBeNull();
    expect(await tokens.verify(await handMade({ alg: 'HS512' }))).toBeNull();
  });

  it('rejects garbage and tokens without the tenant claim', async () => {
    expect(await tokens.verify('')).toBeNull();
    expect(await tokens.verify('not.a.jwt')).toBeNull();
    const noTenant = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.userId)
      .setIssuer('atrium')
      .setAudience('atrium-api')
      .setExpirationTime('10m')
      .sign(key);
    expect(await tokens.verify(noTenant)).toBeNull();
  });

  describe('remembering verified tokens', () => {
    /** A signer whose clock the test sets, starting now. */
    const clocked = (rememberVerified?: number) => {
      const clock = { ms: Date.now() };
      return { clock, tokens: joseAccessTokens({ secret: SECRET, now: () => clock.ms, ...(rememberVerified !== undefined && { rememberVerified }) }) };
    };

    it('accepts a remembered token only until its exp, exactly as jose does', async () => {
      const { clock, tokens: t } = clocked();
      const token = await handMade({ expiresAt: Math.floor(clock.ms / 1000) + 60 });
      expect(await t.verify(token)).toEqual(claims);
      const exp = (Math.floor(clock.ms / 1000) + 60) * 1000;
      clock.ms = exp - 1;
      expect(await t.verify(token)).toEqual(claims); // remembered, still valid
      clock.ms = exp;
      expect(await t.verify(token)).toBeNull(); // remembered, now expired
      expect(await t.verify(token)).toBeNull(); // and forgotten: jose says the same
      const fresh = joseAccessTokens({ secret: SECRET, now: () => exp });
      expect(await fresh.verify(token)).toBeNull();
    });

    it('still rejects every altered copy of a remembered token', async () => {
      const { tokens: t } = clocked();
      const token = await t.sign(claims);
      expect(await t.verify(token)).toEqual(claims);
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const i = Math.floor(signature.length / 2);
      const tampered = signature.slice(0, i) + (signature[i] === 'A' ? 'B' : 'A') + signature.slice(i + 1);
      expect(await t.verify(`${header}.${payload}.${tampered}`)).toBeNull();
      expect(await t.verify(`${header}.${payload}.`)).toBeNull();
      expect(await t.verify(token)).toEqual(claims);
    });

    it('never remembers a rejected token', async () => {
      const { clock, tokens: t } = clocked();
      const early = await new SignJWT({ tid: claims.tenantId })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.userId)
        .setIssuer('atrium')
        .setAudience('atrium-api')
        .setNotBefore(Math.floor(clock.ms / 1000) + 30)
        .setExpirationTime(Math.floor(clock.ms / 1000) + 600)
        .sign(key);
      expect(await t.verify(early)).toBeNull();
      clock.ms += 31_000;
      expect(await t.verify(early)).toEqual(claims);
      expect(await t.verify(await handMade({ issuer: 'evil' }))).toBeNull();
    });

    it('refuses a remembered token once it expires, and a tampered copy of it at once', async () => {
      const { clock, tokens: t } = clocked();
      const token = await handMade({ expiresAt: Math.floor(clock.ms / 1000) + 60 });
      expect(await t.verify(token)).toEqual(claims);
      expect(await t.verify(token)).toEqual(claims); // now remembered
      const [header, payload, signature] = token.split('.') as [string, string, string];
      expect(await t.verify(`${header}.${payload}.${signature.slice(0, -2)}AA`)).toBeNull();
      clock.ms = (Math.floor(Date.now() / 1000) + 60) * 1000 + 1_000;
      expect(await t.verify(token)).toBeNull();
    });

    it('works the same with remembering turned off', async () => {
      const { clock, tokens: t } = clocked(0);
      const token = await t.sign(claims);
      expect(await t.verify(token)).toEqual(claims);
      expect(await t.verify(token)).toEqual(claims);
      clock.ms += 16 * 60 * 1000;
      expect(await t.verify(token)).toBeNull();
    });
  });
});

