import { describe, expect, it } from 'vitest';
import { loginThrottle } from './login-throttle.js';

const fail = async (throttle: ReturnType<typeof loginThrottle>, attempt: { ip: string; email: string }, times: number) => {
  for (let i = 0; i < times; i++) await throttle.recordFailure(attempt);
};

describe('loginThrottle', () => {
  const alice = { ip: '10.0.0.1', email: 'alice@example.com' };

  it('allows 5 failures per IP + account (the defaults), then refuses the 6th with a positive retry-after', async () => {
    const throttle = loginThrottle();
    for (let i = 0; i < 5; i++) {
      expect(await throttle.retryAfter(alice), `attempt ${i + 1}`).toBe(0);
      await throttle.recordFailure(alice);
    }
    const wait = await throttle.retryAfter(alice);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    // The block is per IP + account: the same account from another IP, and another account, may still try.
    expect(await throttle.retryAfter({ ...alice, ip: '10.0.0.2' })).toBe(0);
    expect(await throttle.retryAfter({ ...alice, email: 'bob@example.com' })).toBe(0);
  });

  it('a success resets the account counter', async () => {
    const throttle = loginThrottle({ perAccount: { points: 3, durationSeconds: 60, blockSeconds: 60 } });
    await fail(throttle, alice, 2);
    await throttle.recordSuccess(alice);
    await fail(throttle, alice, 2);
    expect(await throttle.retryAfter(alice)).toBe(0);
    await throttle.recordFailure(alice);
    expect(await throttle.retryAfter(alice)).toBeGreaterThan(0);
  });

  it('the per-IP budget blocks an IP across emails (credential stuffing)', async () => {
    const throttle = loginThrottle({
      perAccount: { points: 100, durationSeconds: 60, blockSeconds: 60 },
      perIp: { points: 4, durationSeconds: 60, blockSeconds: 120 },
    });
    const ip = '192.0.2.7';
    for (let i = 0; i < 4; i++) {
      expect(await throttle.retryAfter({ ip, email: `user${i}@example.com` })).toBe(0);
      await throttle.recordFailure({ ip, email: `user${i}@example.com` });
    }
    const wait = await throttle.retryAfter({ ip, email: 'never-tried@example.com' });
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(120);
    expect(await throttle.retryAfter({ ip: '192.0.2.8', email: 'never-tried@example.com' })).toBe(0);
  });

  it('a success does not reset the per-IP budget', async () => {
    const throttle = loginThrottle({
      perAccount: { points: 100, durationSeconds: 60, blockSeconds: 60 },
      perIp: { points: 2, durationSeconds: 60, blockSeconds: 60 },
    });
    await fail(throttle, alice, 2);
    await throttle.recordSuccess(alice);
    expect(await throttle.retryAfter({ ...alice, email: 'carol@example.com' })).toBeGreaterThan(0);
  });
});
