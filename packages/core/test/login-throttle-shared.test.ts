import { afterAll, describe, expect, it } from 'vitest';
import { createAtrium, type AtriumInstance } from '../src/adapters/node/index.js';
import { inProcessQueue } from '../src/adapters/memory-queue/index.js';
import { AtriumError } from '../src/domain/errors.js';
import { testRedis } from '../src/test/index.js';

// Two server replicas (two instances on one Redis) must share the brute-force budget,
// or an attacker would simply spread attempts across them.
const redis = await testRedis();

describe.skipIf(!redis.url)(`login throttling across replicas (${redis.reason})`, () => {
  const instances: AtriumInstance[] = [];
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.close(0)));
  });

  const replica = async () => {
    const instance = await createAtrium({ dataDir: 'memory://', redisUrl: redis.url, queue: inProcessQueue(), bcryptCost: 4 });
    instances.push(instance);
    return instance;
  };

  it('counts failures made on one replica when another is asked', async () => {
    const [a, b] = [await replica(), await replica()];
    const email = `throttle-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
    const attempt = (instance: AtriumInstance) =>
      instance.core.auth.login({ email, password: 'wrong-password', ip: '203.0.113.7' }).then(
        () => 'ok',
        (error: unknown) => (error instanceof AtriumError ? error.code : 'other'),
      );
    for (let i = 0; i < 5; i++) expect(await attempt(a)).toBe('invalid_credentials');
    expect(await attempt(b)).toBe('rate_limited');
  });
});

// Logging in needs no Redis: with Redis down the throttle counts in process memory, and
// says so once, instead of failing every login with "Stream isn't writeable".
describe('login throttling while Redis is unreachable', () => {
  let instance: AtriumInstance | undefined;
  afterAll(async () => {
    await instance?.close(0);
  });

  it('keeps logging in and still blocks brute force, in memory, with one warning', async () => {
    const warnings: string[] = [];
    instance = await createAtrium({
      dataDir: 'memory://',
      redisUrl: 'redis://127.0.0.1:1', // nothing listens on port 1
      queue: inProcessQueue(),
      bcryptCost: 4,
      warn: (message) => warnings.push(message),
    });
    const { adminEmail, adminPassword } = { adminEmail: 'owner@outage.example', adminPassword: 'a long enough password' };
    await instance.core.tenants.bootstrap({ adminEmail, adminPassword });
    const login = (password: string, ip = '203.0.113.9') =>
      instance!.core.auth.login({ email: adminEmail, password, ip }).then(
        (session) => (session.accessToken ? 'ok' : 'no token'),
        (error: unknown) => (error instanceof AtriumError ? error.code : `other: ${String(error)}`),
      );
    expect(await login(adminPassword)).toBe('ok');
    for (let i = 0; i < 5; i++) expect(await login('wrong-password')).toBe('invalid_credentials');
    expect(await login(adminPassword)).toBe('rate_limited');
    expect(await login(adminPassword, '203.0.113.10')).toBe('ok');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Redis is unreachable/);
  });
});
