import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LoginAttempt, LoginThrottle } from '../../ports/index.js';

export interface LoginThrottleOptions {
  /** Failures allowed per IP + account before it is blocked. */
  perAccount?: { points: number; durationSeconds: number; blockSeconds: number };
  /** Failures allowed per IP across all accounts (credential stuffing). */
  perIp?: { points: number; durationSeconds: number; blockSeconds: number };
  /** Build the limiters on shared storage (e.g. Redis) instead of process memory. */
  createLimiter?: (opts: { keyPrefix: string; points: number; duration: number; blockDuration: number }) => RateLimiterAbstract;
}

const secondsLeft = (res: RateLimiterRes | null, points: number): number =>
  res && res.consumedPoints > points ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;

/** Login brute-force protection on rate-limiter-flexible (the "login endpoint" recipe). */
export const loginThrottle = (options: LoginThrottleOptions = {}): LoginThrottle => {
  const perAccount = options.perAccount ?? { points: 5, durationSeconds: 15 * 60, blockSeconds: 15 * 60 };
  const perIp = options.perIp ?? { points: 100, durationSeconds: 60 * 60, blockSeconds: 60 * 60 };
  const create =
    options.createLimiter ?? ((o: ConstructorParameters<typeof RateLimiterMemory>[0]) => new RateLimiterMemory(o));
  const account = create({
    keyPrefix: 'login_account',
    points: perAccount.points,
    duration: perAccount.durationSeconds,
    blockDuration: perAccount.blockSeconds,
  });
  const ip = create({
    keyPrefix: 'login_ip',
    points: perIp.points,
    duration: perIp.durationSeconds,
    blockDuration: perIp.blockSeconds,
  });
  const accountKey = (a: LoginAttempt) => `${a.ip}|${a.email}`;
  const swallowRejection = (e: unknown) => {
    if (e instanceof RateLimiterRes) return;
    throw e;
  };

  return {
    async retryAfter(attempt) {
      const [byAccount, byIp] = await Promise.all([account.get(accountKey(attempt)), ip.get(attempt.ip)]);
      return Math.max(secondsLeft(byAccount, perAccount.points - 1), secondsLeft(byIp, perIp.points - 1));
    },
    async recordFailure(attempt) {
      await Promise.all([
        account.consume(accountKey(attempt)).catch(swallowRejection),
        ip.consume(attempt.ip).catch(swallowRejection),
      ]);
    },
    async recordSuccess(attempt) {
      await account.delete(accountKey(attempt));
    },
  };
};

