import type { Actor } from '../domain/identity.js';

/** Test helpers shipped as `@atrium/core/test`. */
export const actorFor = (user: { id: string; tenantId: string; role: Actor['tenantRole'] }): Actor => ({
  tenantId: user.tenantId,
  userId: user.id,
  tenantRole: user.role,
  via: 'access_token',
});
export { testDatabaseTargets, type TestDatabaseTarget } from './databases.js';
export { testRedis, testRedisUrl, type TestRedis } from './redis.js';
