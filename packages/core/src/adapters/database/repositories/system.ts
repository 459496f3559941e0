import { asc, count, eq } from 'drizzle-orm';
import type { ApiKey, RefreshTokenRecord, Tenant, UserWithSecret } from '../../../domain/identity.js';
import type { Page, PageRequest } from '../../../domain/pagination.js';
import type { SystemRepository } from '../../../ports/index.js';
import type { AtriumDb } from '../connect.js';
import { refreshTokens, systemSettings, tenants, users } from '../schema/index.js';
import { afterId, isId, toPage } from './shared.js';
import { toApiKey, toUser } from './rows.js';
import { knowledgeSystemRepository, type SearchTuning } from './knowledge.js';
import { websiteSystemRepository } from './websites.js';
import { preparedQueries } from './prepared.js';
import { widgetSystemRepository } from './widgets.js';

export const systemRepository = (db: AtriumDb, tuning: SearchTuning = {}): SystemRepository => ({
  ...knowledgeSystemRepository(db, tuning),
  ...websiteSystemRepository(db),
  ...widgetSystemRepository(db),
  async countTenants() {
    const [row] = await db.select({ n: count() }).from(tenants);
    return row?.n ?? 0;
  },
  async listTenants(page: PageRequest): Promise<Page<Tenant>> {
    const rows = await db
      .select()
      .from(tenants)
      .where(afterId(tenants.id, page.cursor))
      .orderBy(asc(tenants.id))
      .limit(page.limit + 1);
    return toPage(rows, page, (t) => t.id);
  },
  async createTenant(tenant) {
    const [row] = await db.insert(tenants).values(tenant).returning();
    return row as Tenant;
  },
  async getTenant(id) {
    if (!isId(id)) return null;
    const [row] = await db.select().from(tenants).where(eq(tenants.id, id));
    return row ?? null;
  },
  async deleteTenant(id) {
    if (!isId(id)) return false;
    const rows = await db.delete(tenants).where(eq(tenants.id, id)).returning({ id: tenants.id });
    return rows.length > 0;
  },
  async findUserByEmail(email): Promise<UserWithSecret | null> {
    const [row] = await db.select().from(users).where(eq(users.email, email));
    return row ? { ...toUser(row), passwordHash: row.passwordHash } : null;
  },
  async findApiKeyByHash(hash): Promise<ApiKey | null> {
    const [row] = await preparedQueries(db).apiKeyByHash.execute({ hash });
    return row ? toApiKey(row) : null;
  },
  async findRefreshTokenByHash(hash): Promise<RefreshTokenRecord | null> {
    const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hash));
    return row ?? null;
  },
  async getSetting(key) {
    const [row] = await db.select().from(systemSettings).where(eq(systemSettings.key, key));
    return row?.value ?? null;
  },
  async setSettingIfAbsent(key, value) {
    await db.insert(systemSettings).values({ key, value, createdAt: new Date() }).onConflictDoNothing();
    const [row] = await db.select().from(systemSettings).where(eq(systemSettings.key, key));
    return row?.value ?? value;
  },
});
