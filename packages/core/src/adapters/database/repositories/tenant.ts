import { and, asc, count, eq, isNull, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { TenantRepositories } from '../../../ports/index.js';
import type { AtriumDb } from '../connect.js';
import { apiKeys, refreshTokens, spaceMemberships, spaces, tenants, users } from '../schema/index.js';
import { afterId, isId, toPage } from './shared.js';
import { toApiKey, toMembership, toUser } from './rows.js';
import { knowledgeRepositories, type SearchTuning } from './knowledge.js';
import { assistantRepositories } from './assistants.js';
import { preparedQueries } from './prepared.js';
import { idempotencyRepository } from './idempotency.js';
import { widgetRepository } from './widgets.js';
import { websiteRepositories } from './websites.js';

/**
 * Repositories bound to one tenant. Every statement below carries `tenant_id = $tenant`
 * through `scoped(...)`; there is no method that reaches another tenant's rows.
 */
export const tenantRepositories = (db: AtriumDb, tenantId: string, tuning: SearchTuning = {}): TenantRepositories => {
  const inTenant = (table: { tenantId: PgColumn }, ...conditions: (SQL | undefined)[]) =>
    and(eq(table.tenantId, tenantId), ...conditions);

  return {
    tenantId,
    ...knowledgeRepositories(db, tenantId, inTenant, tuning),
    ...assistantRepositories(db, tenantId, inTenant),
    ...websiteRepositories(db, tenantId, inTenant),
    idempotencyKeys: idempotencyRepository(db, tenantId, inTenant),
    widgets: widgetRepository(db, tenantId, inTenant),
    async tenant() {
      const [row] = await db.select().from(tenants).where(eq(tenants.id, tenantId));
      return row ?? null;
    },

    users: {
      async list(page) {
        const rows = await db
          .select()
          .from(users)
          .where(inTenant(users, afterId(users.id, page.cursor)))
          .orderBy(asc(users.id))
          .limit(page.limit + 1);
        return toPage(rows.map(toUser), page, (u) => u.id);
      },
      async get(id) {
        if (!isId(id)) return null;
        const [row] = await db.select().from(users).where(inTenant(users, eq(users.id, id)));
        return row ? toUser(row) : null;
      },
      async getWithTenant(id) {
        if (!isId(id)) return null;
        const [row] = await preparedQueries(db).userWithTenant.execute({ tenantId, id });
        return row ? { user: toUser(row.user), tenant: row.tenant } : null;
      },
      async create(user) {
        const [row] = await db
          .insert(users)
          .values({
            id: user.id,
            tenantId,
            email: user.email,
            name: user.name,
            role: user.role,
            passwordHash: user.passwordHash,
            createdAt: user.now,
            updatedAt: user.now,
          })
          .returning();
        return toUser(row!);
      },
      async update(id, { now, ...patch }) {
        if (!isId(id)) return null;
        const [row] = await db
          .update(users)
          .set({ ...patch, updatedAt: now })
          .where(inTenant(users, eq(users.id, id)))
          .returning();
        return row ? toUser(row) : null;
      },
      async delete(id) {
        if (!isId(id)) return false;
        const rows = await db.delete(users).where(inTenant(users, eq(users.id, id))).returning({ id: users.id });
        return rows.length > 0;
      },
      async countByRole(role) {
        const [row] = await db.select({ n: count() }).from(users).where(inTenant(users, eq(users.role, role)));
        return row?.n ?? 0;
      },
    },

    apiKeys: {
      async list(page, filter) {
        const rows = await db
          .select()
          .from(apiKeys)
          .where(
            inTenant(
              apiKeys,
              isNull(apiKeys.revokedAt),
              filter.userId ? eq(apiKeys.userId, filter.userId) : undefined,
              afterId(apiKeys.id, page.cursor),
            ),
          )
          .orderBy(asc(apiKeys.id))
          .limit(page.limit + 1);
        return toPage(rows.map(toApiKey), page, (k) => k.id);
      },
      async get(id) {
        if (!isId(id)) return null;
        const [row] = await db.select().from(apiKeys).where(inTenant(apiKeys, eq(apiKeys.id, id)));
        return row ? toApiKey(row) : null;
      },
      async create(key) {
        const [row] = await db
          .insert(apiKeys)
          .values({ ...key, tenantId })
          .returning();
        return toApiKey(row!);
      },
      async revoke(id, at) {
        if (!isId(id)) return false;
        const rows = await db
          .update(apiKeys)
          .set({ revokedAt: at })
          .where(inTenant(apiKeys, eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
          .returning({ id: apiKeys.id });
        return rows.length > 0;
      },
      async revokeForAssistant(assistantId, at) {
        if (!isId(assistantId)) return;
        await db
          .update(apiKeys)
          .set({ revokedAt: at })
          .where(inTenant(apiKeys, eq(apiKeys.assistantId, assistantId), isNull(apiKeys.revokedAt)));
      },
      async touch(id, at) {
        await db.update(apiKeys).set({ lastUsedAt: at }).where(inTenant(apiKeys, eq(apiKeys.id, id)));
      },
    },

    refreshTokens: {
      async create(token) {
        await db.insert(refreshTokens).values({ ...token, tenantId });
      },
      async markRotated(id, at) {
        const rows = await db
          .update(refreshTokens)
          .set({ rotatedAt: at })
          .where(
            inTenant(refreshTokens, eq(refreshTokens.id, id), isNull(refreshTokens.rotatedAt), isNull(refreshTokens.revokedAt)),
          )
          .returning({ id: refreshTokens.id });
        return rows.length > 0;
      },
      async revokeFamily(familyId, at) {
        await db
          .update(refreshTokens)
          .set({ revokedAt: at })
          .where(inTenant(refreshTokens, eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
      },
      async revokeAllForUser(userId, at) {
        await db
          .update(refreshTokens)
          .set({ revokedAt: at })
          .where(inTenant(refreshTokens, eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
      },
    },

    spaces: {
      async list(page, filter) {
        const after = afterId(spaces.id, page.cursor);
        const rows = filter.memberUserId
          ? (
              await db
                .select({ space: spaces })
                .from(spaces)
                .innerJoin(
                  spaceMemberships,
                  and(eq(spaceMemberships.spaceId, spaces.id), eq(spaceMemberships.userId, filter.memberUserId)),
                )
                .where(inTenant(spaces, after))
                .orderBy(asc(spaces.id))
                .limit(page.limit + 1)
            ).map((r) => r.space)
          : await db
              .select()
              .from(spaces)
              .where(inTenant(spaces, after))
              .orderBy(asc(spaces.id))
              .limit(page.limit + 1);
        return toPage(rows, page, (s) => s.id);
      },
      async get(id) {
        if (!isId(id)) return null;
        const [row] = await db.select().from(spaces).where(inTenant(spaces, eq(spaces.id, id)));
        return row ?? null;
      },
      async create(space) {
        const [row] = await db
          .insert(spaces)
          .values({ ...space, tenantId })
          .returning();
        return row!;
      },
      async update(id, { now, ...patch }) {
        if (!isId(id)) return null;
        const [row] = await db
          .update(spaces)
          .set({ ...patch, updatedAt: now })
          .where(inTenant(spaces, eq(spaces.id, id)))
          .returning();
        return row ?? null;
      },
      async delete(id) {
        if (!isId(id)) return false;
        const rows = await db.delete(spaces).where(inTenant(spaces, eq(spaces.id, id))).returning({ id: spaces.id });
        return rows.length > 0;
      },
    },

    memberships: {
      async list(spaceId, page) {
        if (!isId(spaceId)) return { data: [], nextCursor: null };
        const rows = await db
          .select()
          .from(spaceMemberships)
          .where(
            inTenant(spaceMemberships, eq(spaceMemberships.spaceId, spaceId), afterId(spaceMemberships.userId, page.cursor)),
          )
          .orderBy(asc(spaceMemberships.userId))
          .limit(page.limit + 1);
        return toPage(rows.map(toMembership), page, (m) => m.userId);
      },
      async get(spaceId, userId) {
        if (!isId(spaceId) || !isId(userId)) return null;
        const [row] = await db
          .select()
          .from(spaceMemberships)
          .where(inTenant(spaceMemberships, eq(spaceMemberships.spaceId, spaceId), eq(spaceMemberships.userId, userId)));
        return row ? toMembership(row) : null;
      },
      async add(membership) {
        const [row] = await db
          .insert(spaceMemberships)
          .values({ ...membership, tenantId })
          .returning();
        return toMembership(row!);
      },
      async update(spaceId, userId, role, now) {
        if (!isId(spaceId) || !isId(userId)) return null;
        const [row] = await db
          .update(spaceMemberships)
          .set({ role, updatedAt: now })
          .where(inTenant(spaceMemberships, eq(spaceMemberships.spaceId, spaceId), eq(spaceMemberships.userId, userId)))
          .returning();
        return row ? toMembership(row) : null;
      },
      async remove(spaceId, userId) {
        if (!isId(spaceId) || !isId(userId)) return false;
        const rows = await db
          .delete(spaceMemberships)
          .where(inTenant(spaceMemberships, eq(spaceMemberships.spaceId, spaceId), eq(spaceMemberships.userId, userId)))
          .returning({ userId: spaceMemberships.userId });
        return rows.length > 0;
      },
      async countByRole(spaceId, role) {
        const [row] = await db
          .select({ n: count() })
          .from(spaceMemberships)
          .where(inTenant(spaceMemberships, eq(spaceMemberships.spaceId, spaceId), eq(spaceMemberships.role, role)));
        return row?.n ?? 0;
      },
    },
  };
};
