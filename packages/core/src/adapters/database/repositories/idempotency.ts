import { and, eq, lt, sql } from 'drizzle-orm';
import type { TenantRepositories } from '../../../ports/index.js';
import type { AtriumDb } from '../connect.js';
import type { InTenant } from './shared.js';
import { idempotencyKeys } from '../schema/index.js';

export const idempotencyRepository = (db: AtriumDb, tenantId: string, inTenant: InTenant): TenantRepositories['idempotencyKeys'] => ({
  async claim(key, fingerprint, now, since) {
    await db.delete(idempotencyKeys).where(inTenant(idempotencyKeys, lt(idempotencyKeys.createdAt, since)));
    // The primary key decides between concurrent first requests: one inserts, the others
    // find its record. A record that expired between the delete and here is taken over.
    for (let attempt = 0; attempt < 3; attempt++) {
      const claimed = await db
        .insert(idempotencyKeys)
        .values({ tenantId, key, fingerprint, createdAt: now })
        .onConflictDoUpdate({
          target: [idempotencyKeys.tenantId, idempotencyKeys.key],
          set: { fingerprint, status: null, contentType: null, body: null, createdAt: now },
          setWhere: lt(idempotencyKeys.createdAt, since),
        })
        .returning({ key: idempotencyKeys.key });
      if (claimed.length > 0) return null;
      const [held] = await db
        .select()
        .from(idempotencyKeys)
        .where(inTenant(idempotencyKeys, eq(idempotencyKeys.key, key)));
      // Released between the two statements: try to claim it again.
      if (!held) continue;
      const done = held.status !== null && held.contentType !== null && held.body !== null;
      return {
        fingerprint: held.fingerprint,
        response: done ? { status: held.status!, contentType: held.contentType!, body: held.body! } : null,
      };
    }
    throw new Error(`Could not claim idempotency key after 3 attempts`);
  },
  async complete(key, response) {
    await db
      .update(idempotencyKeys)
      .set({ status: response.status, contentType: response.contentType, body: response.body })
      .where(inTenant(idempotencyKeys, eq(idempotencyKeys.key, key)));
  },
  async release(key) {
    await db.delete(idempotencyKeys).where(and(inTenant(idempotencyKeys, eq(idempotencyKeys.key, key)), sql`${idempotencyKeys.status} is null`));
  },
});
