import { describe, expect, it } from 'vitest';
import { joseAccessTokens } from './jose-access-tokens.js';
import { joseVisitorTokens } from './jose-visitor-tokens.js';

const SECRET = 'a-secret-that-is-long-enough-for-hs256-0123456789';
const claims = { visitorId: 'anon_1', tenantId: 't1', assistantId: 'a1', keyId: 'k1', identity: null };

describe('joseVisitorTokens', () => {
  it('round-trips its claims, and refuses tampered tokens', async () => {
    const tokens = joseVisitorTokens({ secret: SECRET });
    const token = await tokens.sign(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    const withIdentity = { ...claims, identity: { subject: 'u1', name: 'Ada' } };
    expect(await tokens.verify(await tokens.sign(withIdentity))).toEqual(withIdentity);
    expect(await tokens.verify(`${token.slice(0, -3)}AAA`)).toBeNull();
    expect(await joseVisitorTokens({ secret: `${SECRET}-other` }).verify(token)).toBeNull();
  });

  it('expires after its lifetime, but renews within the renewal window', async () => {
    let now = Date.now();
    const tokens = joseVisitorTokens({ secret: SECRET, ttlSeconds: 60, renewalSeconds: 3600, now: () => now });
    const token = await tokens.sign(claims);
    now += 61_000;
    expect(await tokens.verify(token)).toBeNull();
    expect(await tokens.verify(token, { renewal: true })).toEqual(claims);
    now += 3600_000;
    expect(await tokens.verify(token, { renewal: true })).toBeNull();
  });

  it('is never taken for an access token, nor an access token for it', async () => {
    const visitors = joseVisitorTokens({ secret: SECRET });
    const access = joseAccessTokens({ secret: SECRET });
    const visitorToken = await visitors.sign(claims);
    const accessToken = await access.sign({ userId: 'u1', tenantId: 't1' });
    expect(await access.verify(visitorToken)).toBeNull();
    expect(await visitors.verify(accessToken)).toBeNull();
    expect(await visitors.verify(accessToken, { renewal: true })).toBeNull();
  });
});
