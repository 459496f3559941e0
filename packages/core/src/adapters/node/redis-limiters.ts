import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  duration: number;
  blockDuration?: number;
}

export interface RedisLimiters {
  /** A limiter counting in Redis, shared by every replica; in this process's memory while Redis is unreachable. */
  create(options: LimiterOptions): RateLimiterAbstract;
  close(): Promise<void>;
}

/**
 * Rate limiters on one Redis connection (login throttling, widget budgets). Rate limiting
 * must not turn a Redis outage into failed requests: while Redis is unreachable each process
 * counts in its own memory (rate-limiter-flexible's `insuranceLimiter`), and `warn` hears
 * once per outage that this happened.
 */
export const redisLimiters = async (
  redisUrl: string,
  warn: (message: string, context: Record<string, unknown>) => void = () => {},
): Promise<RedisLimiters> => {
  const { Redis } = await import('ioredis');
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: false, lazyConnect: false });
  let reachable = true;
  // ioredis reconnects on its own; readiness reports the outage.
  client.on('error', (error: Error) => {
    if (!reachable) return;
    reachable = false;
    warn('Redis is unreachable: rate limits count in this process until it is back', { error: error.message });
  });
  client.on('ready', () => {
    reachable = true;
  });
  return {
    create: ({ keyPrefix, points, duration, blockDuration = 0 }) =>
      new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `atrium_${keyPrefix}`,
        points,
        duration,
        blockDuration,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration, blockDuration }),
      }),
    close: async () => void (await client.quit().catch(() => client.disconnect())),
  };
};
