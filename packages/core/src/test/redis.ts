import { Redis } from 'ioredis';

/**
 * The Redis that BullMQ suites run against: `ATRIUM_TEST_REDIS_URL`, else `REDIS_URL`,
 * else a local default. With `CI=true` an unreachable Redis fails the run (throws);
 * elsewhere the suite is skipped, and `reason` says why.
 */
export interface TestRedis {
  /** Undefined when the suites should be skipped. */
  url: string | undefined;
  reason: string;
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';

const reachable = async (url: string): Promise<boolean> => {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
};

export const testRedis = async (): Promise<TestRedis> => {
  const configured = process.env.ATRIUM_TEST_REDIS_URL ?? process.env.REDIS_URL;
  const url = configured ?? DEFAULT_URL;
  const required = process.env.CI === 'true';
  if (required && !configured) throw new Error('CI=true but REDIS_URL is not set: Redis tests are required in CI');
  if (await reachable(url)) return { url, reason: `Redis at ${url}` };
  if (required) throw new Error(`CI=true but Redis at REDIS_URL (${url}) is unreachable`);
  return { url: undefined, reason: `Redis is unreachable at ${url} (set REDIS_URL to run these tests)` };
};

/** The Redis URL for BullMQ suites, or undefined to skip them (never undefined with `CI=true`: it throws). */
export const testRedisUrl = async (): Promise<string | undefined> => (await testRedis()).url;
