import { and, eq, sql } from 'drizzle-orm';
import type { WidgetSettingsInput } from '../../../domain/widget.js';
import type { SystemRepository, WidgetRecord, WidgetRepository } from '../../../ports/index.js';
import type { AtriumDb } from '../connect.js';
import type { InTenant } from './shared.js';
import { assistants, assistantWidgets } from '../schema/index.js';

type Row = typeof assistantWidgets.$inferSelect;

export const toWidget = (row: Row): WidgetRecord => ({
  assistantId: row.assistantId,
  tenantId: row.tenantId,
  enabled: row.enabled,
  allowedOrigins: row.allowedOrigins,
  greeting: row.greeting,
  starterPrompts: row.starterPrompts,
  theme: row.theme,
  rateLimit: { messagesPerMinute: row.messagesPerMinute, messagesPerDay: row.messagesPerDay },
  identity: { required: row.identityRequired },
  publicKey: row.publicKey,
  identitySecret: row.identitySecret,
  updatedAt: row.updatedAt,
});

const columnsOf = (s: WidgetSettingsInput) => ({
  enabled: s.enabled,
  allowedOrigins: s.allowedOrigins,
  greeting: s.greeting,
  starterPrompts: s.starterPrompts,
  theme: s.theme,
  messagesPerMinute: s.rateLimit.messagesPerMinute,
  messagesPerDay: s.rateLimit.messagesPerDay,
  identityRequired: s.identity.required,
});

/** What the public widget endpoints find behind a key, across tenants. */
export const widgetSystemRepository = (db: AtriumDb): Pick<SystemRepository, 'findWidgetByPublicKey' | 'anyWidgetAllows'> => ({
  async findWidgetByPublicKey(publicKey) {
    const [row] = await db
      .select({ widget: assistantWidgets, name: assistants.name, published: assistants.published })
      .from(assistantWidgets)
      .innerJoin(assistants, eq(assistants.id, assistantWidgets.assistantId))
      .where(eq(assistantWidgets.publicKey, publicKey));
    return row ? { widget: toWidget(row.widget), assistantName: row.name, published: row.published } : null;
  },
  async anyWidgetAllows(entries) {
    if (entries.length === 0) return false;
    const [row] = await db
      .select({ one: sql<number>`1` })
      .from(assistantWidgets)
      .where(and(eq(assistantWidgets.enabled, true), sql`${assistantWidgets.allowedOrigins} && ${sql.param(entries)}::text[]`))
      .limit(1);
    return row !== undefined;
  },
});

export const widgetRepository = (db: AtriumDb, tenantId: string, inTenant: InTenant): WidgetRepository => {
  const byAssistant = (assistantId: string) => inTenant(assistantWidgets, eq(assistantWidgets.assistantId, assistantId));
  const set = async (assistantId: string, values: Partial<typeof assistantWidgets.$inferInsert>) => {
    const [row] = await db.update(assistantWidgets).set(values).where(byAssistant(assistantId)).returning();
    return row ? toWidget(row) : null;
  };
  return {
    async get(assistantId) {
      const [row] = await db.select().from(assistantWidgets).where(byAssistant(assistantId));
      return row ? toWidget(row) : null;
    },
    async ensure(assistantId, defaults, publicKey, now) {
      // Two first requests at once: one inserts, the other reads what it inserted.
      await db
        .insert(assistantWidgets)
        .values({ assistantId, tenantId, ...columnsOf(defaults), publicKey, createdAt: now, updatedAt: now })
        .onConflictDoNothing({ target: assistantWidgets.assistantId });
      const [row] = await db.select().from(assistantWidgets).where(byAssistant(assistantId));
      if (!row) throw new Error(`The widget of assistant ${assistantId} is not in this tenant`);
      return toWidget(row);
    },
    update: (assistantId, settings, now) => set(assistantId, { ...columnsOf(settings), updatedAt: now }),
    setPublicKey: (assistantId, publicKey, now) => set(assistantId, { publicKey, updatedAt: now }),
    setIdentitySecret: (assistantId, identitySecret, now) => set(assistantId, { identitySecret, updatedAt: now }),
  };
};
