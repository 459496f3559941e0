import { and, asc, count, desc, eq, gte, inArray, isNotNull, lt, sql, sum } from 'drizzle-orm';
import type { Assistant } from '../../../domain/assistants.js';
import type { SearchMode } from '../../../domain/knowledge.js';
import type {
  Conversation,
  ConversationChannel,
  ConversationFilter,
  Feedback,
  FeedbackRating,
  FinishReason,
  Message,
  MessageRole,
  UsageReport,
} from '../../../domain/conversations.js';
import type { SpaceRole } from '../../../domain/spaces.js';
import type { AssistantRepositories, NewMessage } from '../../../ports/index.js';
import type { AtriumDb } from '../connect.js';
import {
  assistantCollections,
  assistantWebsites,
  assistants,
  conversations,
  messageFeedback,
  messages,
  spaceMemberships,
  usageRecords,
} from '../schema/index.js';
import { afterId, beforeId, isId, toPage, type InTenant } from './shared.js';

type AssistantRow = typeof assistants.$inferSelect;
type ConversationRow = typeof conversations.$inferSelect;
type MessageRow = typeof messages.$inferSelect;
type FeedbackRow = typeof messageFeedback.$inferSelect;

interface Links {
  collectionIds: string[];
  websiteIds: string[];
}

const toAssistant = (r: AssistantRow, { collectionIds, websiteIds }: Links): Assistant => ({
  id: r.id,
  tenantId: r.tenantId,
  spaceId: r.spaceId,
  name: r.name,
  description: r.description,
  instructions: r.instructions,
  model: r.model,
  temperature: r.temperature,
  maxTokens: r.maxTokens,
  collectionIds,
  websiteIds,
  retrieval: { topK: r.retrievalTopK, mode: r.retrievalMode as SearchMode, minScore: r.retrievalMinScore },
  published: r.published,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const toConversation = (r: ConversationRow): Conversation => ({
  id: r.id,
  tenantId: r.tenantId,
  spaceId: r.spaceId,
  assistantId: r.assistantId,
  userId: r.userId,
  visitorId: r.visitorId,
  visitorIdentity: r.visitorIdentity ?? null,
  apiKeyId: r.apiKeyId,
  channel: r.channel as ConversationChannel,
  title: r.title,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

/** The review filters as conditions on `conversations` (feedback through its answers' ratings). */
const reviewConditions = (filter: ConversationFilter) => [
  filter.channel ? eq(conversations.channel, filter.channel) : undefined,
  filter.from ? gte(conversations.createdAt, filter.from) : undefined,
  filter.to ? lt(conversations.createdAt, filter.to) : undefined,
  filter.feedback
    ? sql`exists (select 1 from ${messages} join ${messageFeedback} on ${messageFeedback.messageId} = ${messages.id}
        where ${messages.conversationId} = ${conversations.id}${filter.feedback === 'any' ? sql`` : sql` and ${messageFeedback.rating} = ${filter.feedback}`})`
    : undefined,
];

const toMessage = (r: MessageRow, feedback: FeedbackRow | null = null): Message => ({
  id: r.id,
  conversationId: r.conversationId,
  role: r.role as MessageRole,
  content: r.content,
  references: r.references,
  citations: r.citations,
  finishReason: r.finishReason as FinishReason | null,
  errorCode: r.errorCode,
  model: r.model,
  usage:
    r.promptTokens === null || r.completionTokens === null
      ? null
      : { promptTokens: r.promptTokens, completionTokens: r.completionTokens },
  timings: r.timings,
  createdAt: r.createdAt,
  feedback: feedback ? toFeedback(feedback) : null,
});

function toFeedback(r: FeedbackRow): Feedback {
  return {
    messageId: r.messageId,
    rating: r.rating as FeedbackRating,
    comment: r.comment,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export const assistantRepositories = (
  db: AtriumDb,
  tenantId: string,
  inTenant: InTenant,
): AssistantRepositories => {
  const messageValues = (m: NewMessage): typeof messages.$inferInsert => ({
    id: m.id,
    tenantId,
    conversationId: m.conversationId,
    role: m.role,
    content: m.content,
    references: m.references ?? [],
    citations: m.citations ?? [],
    finishReason: m.finishReason ?? null,
    errorCode: m.errorCode ?? null,
    model: m.model ?? null,
    promptTokens: m.usage?.promptTokens ?? null,
    completionTokens: m.usage?.completionTokens ?? null,
    timings: m.timings ?? null,
    createdAt: m.createdAt,
  });
  /** Messages with the rating of each (one per message at most: the feedback's key is the message). */
  const withFeedback = () =>
    db
      .select({ message: messages, feedback: messageFeedback })
      .from(messages)
      .leftJoin(messageFeedback, and(eq(messageFeedback.messageId, messages.id), eq(messageFeedback.tenantId, tenantId)));
  /** Linked collection and website ids per assistant, each in the order they were given. */
  const linksOf = async (assistantIds: string[]): Promise<Map<string, Links>> => {
    const byAssistant = new Map<string, Links>(assistantIds.map((id) => [id, { collectionIds: [], websiteIds: [] }]));
    if (assistantIds.length === 0) return byAssistant;
    const [collectionRows, websiteRows] = await Promise.all([
      db
        .select({ assistantId: assistantCollections.assistantId, id: assistantCollections.collectionId })
        .from(assistantCollections)
        .where(inTenant(assistantCollections, inArray(assistantCollections.assistantId, assistantIds)))
        .orderBy(asc(assistantCollections.assistantId), asc(assistantCollections.position)),
      db
        .select({ assistantId: assistantWebsites.assistantId, id: assistantWebsites.websiteId })
        .from(assistantWebsites)
        .where(inTenant(assistantWebsites, inArray(assistantWebsites.assistantId, assistantIds)))
        .orderBy(asc(assistantWebsites.assistantId), asc(assistantWebsites.position)),
    ]);
    for (const r of collectionRows) byAssistant.get(r.assistantId)?.collectionIds.push(r.id);
    for (const r of websiteRows) byAssistant.get(r.assistantId)?.websiteIds.push(r.id);
    return byAssistant;
  };
  const withCollections = async (rows: AssistantRow[]): Promise<Assistant[]> => {
    const links = await linksOf(rows.map((r) => r.id));
    return rows.map((r) => toAssistant(r, links.get(r.id) ?? { collectionIds: [], websiteIds: [] }));
  };
  const linkCollections = async (assistantId: string, collectionIds: string[]) => {
    await db.delete(assistantCollections).where(inTenant(assistantCollections, eq(assistantCollections.assistantId, assistantId)));
    if (collectionIds.length === 0) return;
    await db
      .insert(assistantCollections)
      .values(collectionIds.map((collectionId, position) => ({ assistantId, collectionId, tenantId, position })));
  };
  const linkWebsites = async (assistantId: string, websiteIds: string[]) => {
    await db.delete(assistantWebsites).where(inTenant(assistantWebsites, eq(assistantWebsites.assistantId, assistantId)));
    if (websiteIds.length === 0) return;
    await db.insert(assistantWebsites).values(websiteIds.map((websiteId, position) => ({ assistantId, websiteId, tenantId, position })));
  };

  return {
    assistants: {
      async list(spaceId, page, filter) {
        if (!isId(spaceId)) return { data: [], nextCursor: null };
        const rows = await db
          .select()
          .from(assistants)
          .where(
            inTenant(
              assistants,
              eq(assistants.spaceId, spaceId),
              filter.publishedOnly ? eq(assistants.published, true) : undefined,
              afterId(assistants.id, page.cursor),
            ),
          )
          .orderBy(asc(assistants.id))
          .limit(page.limit + 1);
        const { data, nextCursor } = toPage(rows, page, (r) => r.id);
        return { data: await withCollections(data), nextCursor };
      },
      async listForUser(userId, { allSpaces, limit }) {
        if (!isId(userId)) return [];
        const rows = await db
          .select({ assistant: assistants, role: spaceMemberships.role })
          .from(assistants)
          .leftJoin(
            spaceMemberships,
            and(eq(spaceMemberships.spaceId, assistants.spaceId), eq(spaceMemberships.userId, userId)),
          )
          .where(inTenant(assistants, allSpaces ? undefined : isNotNull(spaceMemberships.userId)))
          .orderBy(asc(assistants.id))
          .limit(limit);
        const list = await withCollections(rows.map((r) => r.assistant));
        return list.map((assistant, i) => ({ assistant, membershipRole: (rows[i]!.role as SpaceRole | null) ?? null }));
      },
      async get(id) {
        if (!isId(id)) return null;
        const [row] = await db.select().from(assistants).where(inTenant(assistants, eq(assistants.id, id)));
        return row ? (await withCollections([row]))[0]! : null;
      },
      async getForUser(id, userId) {
        if (!isId(id) || !isId(userId)) return null;
        // The linked collections come along as an array, in their order: one round trip.
        const linked = sql<string[]>`(
          select coalesce(json_agg(${assistantCollections.collectionId} order by ${assistantCollections.position}), '[]'::json)
          from ${assistantCollections}
          where ${assistantCollections.tenantId} = ${tenantId} and ${assistantCollections.assistantId} = ${assistants.id})`;
        const linkedWebsites = sql<string[]>`(
          select coalesce(json_agg(${assistantWebsites.websiteId} order by ${assistantWebsites.position}), '[]'::json)
          from ${assistantWebsites}
          where ${assistantWebsites.tenantId} = ${tenantId} and ${assistantWebsites.assistantId} = ${assistants.id})`;
        const [row] = await db
          .select({ assistant: assistants, role: spaceMemberships.role, collectionIds: linked, websiteIds: linkedWebsites })
          .from(assistants)
          .leftJoin(spaceMemberships, and(eq(spaceMemberships.spaceId, assistants.spaceId), eq(spaceMemberships.userId, userId)))
          .where(inTenant(assistants, eq(assistants.id, id)));
        if (!row) return null;
        return { assistant: toAssistant(row.assistant, { collectionIds: row.collectionIds, websiteIds: row.websiteIds }), membershipRole: (row.role as SpaceRole | null) ?? null };
      },
      async create(a) {
        const [row] = await db
          .insert(assistants)
          .values({
            id: a.id,
            tenantId,
            spaceId: a.spaceId,
            name: a.name,
            description: a.description,
            instructions: a.instructions,
            model: a.model,
            temperature: a.temperature,
            maxTokens: a.maxTokens,
            retrievalTopK: a.retrieval.topK,
            retrievalMode: a.retrieval.mode,
            retrievalMinScore: a.retrieval.minScore,
            published: a.published,
            createdAt: a.createdAt,
            updatedAt: a.updatedAt,
          })
          .returning();
        await linkCollections(a.id, a.collectionIds);
        await linkWebsites(a.id, a.websiteIds);
        return toAssistant(row!, { collectionIds: [...a.collectionIds], websiteIds: [...a.websiteIds] });
      },
      async update(id, { now, retrieval, collectionIds, websiteIds, ...patch }) {
        if (!isId(id)) return null;
        const [row] = await db
          .update(assistants)
          .set({
            ...patch,
            ...(retrieval && {
              retrievalTopK: retrieval.topK,
              retrievalMode: retrieval.mode,
              retrievalMinScore: retrieval.minScore,
            }),
            updatedAt: now,
          })
          .where(inTenant(assistants, eq(assistants.id, id)))
          .returning();
        if (!row) return null;
        if (collectionIds) await linkCollections(id, collectionIds);
        if (websiteIds) await linkWebsites(id, websiteIds);
        return (await withCollections([row]))[0]!;
      },
      async delete(id) {
        if (!isId(id)) return false;
        const rows = await db
          .delete(assistants)
          .where(inTenant(assistants, eq(assistants.id, id)))
          .returning({ id: assistants.id });
        return rows.length > 0;
      },
    },

    conversations: {
      async list(assistantId, page, filter) {
        if (!isId(assistantId)) return { data: [], nextCursor: null };
        if (filter.userId !== undefined && !isId(filter.userId)) return { data: [], nextCursor: null };
        // Newest first.
        const rows = await db
          .select()
          .from(conversations)
          .where(
            inTenant(
              conversations,
              eq(conversations.assistantId, assistantId),
              filter.userId ? eq(conversations.userId, filter.userId) : undefined,
              ...reviewConditions(filter),
              beforeId(conversations.id, page.cursor),
            ),
          )
          .orderBy(desc(conversations.id))
          .limit(page.limit + 1);
        return toPage(rows.map(toConversation), page, (c) => c.id);
      },
      async get(id) {
        if (!isId(id)) return null;
        const [row] = await db.select().from(conversations).where(inTenant(conversations, eq(conversations.id, id)));
        return row ? toConversation(row) : null;
      },
      async start(c, first) {
        // The message's foreign key is checked at the end of the statement, when the
        // conversation inserted by the CTE exists.
        await db.execute(sql`
          with conversation as (${db.insert(conversations).values({ ...c, tenantId }).getSQL()})
          ${db.insert(messages).values(messageValues(first)).getSQL()}`);
      },
      async delete(id) {
        if (!isId(id)) return false;
        const rows = await db
          .delete(conversations)
          .where(inTenant(conversations, eq(conversations.id, id)))
          .returning({ id: conversations.id });
        return rows.length > 0;
      },
    },

    messages: {
      async list(conversationId, limit) {
        if (!isId(conversationId)) return [];
        const rows = await withFeedback()
          .where(inTenant(messages, eq(messages.conversationId, conversationId)))
          .orderBy(desc(messages.id))
          .limit(limit);
        return rows.reverse().map((r) => toMessage(r.message, r.feedback));
      },
      async get(id) {
        if (!isId(id)) return null;
        const [row] = await withFeedback().where(inTenant(messages, eq(messages.id, id)));
        return row ? toMessage(row.message, row.feedback) : null;
      },
      async create(m) {
        const [row] = await db.insert(messages).values(messageValues(m)).returning();
        return toMessage(row!);
      },
      async append(m, usage) {
        if (!isId(m.conversationId)) throw new Error(`Invalid conversation id ${m.conversationId}`);
        // Data-modifying CTEs: one statement, so one round trip and atomic without BEGIN/COMMIT.
        // (getSQL(): an embedded query builder would be wrapped in parentheses.)
        const recordUsage = usage
          ? sql`, usage as (${db.insert(usageRecords).values({ ...usage, tenantId }).onConflictDoNothing().getSQL()})`
          : sql``;
        await db.execute(sql`
          with message as (${db.insert(messages).values(messageValues(m)).getSQL()})${recordUsage}
          ${db.update(conversations).set({ updatedAt: m.createdAt }).where(inTenant(conversations, eq(conversations.id, m.conversationId))).getSQL()}`);
      },
    },

    feedback: {
      async upsert(f) {
        const [row] = await db
          .insert(messageFeedback)
          .values({ ...f, tenantId })
          .onConflictDoUpdate({
            target: messageFeedback.messageId,
            set: { rating: f.rating, comment: f.comment, updatedAt: f.updatedAt },
            // Never touch another tenant's row, even through a guessed id.
            setWhere: eq(messageFeedback.tenantId, tenantId),
          })
          .returning();
        return toFeedback(row!);
      },
      async get(messageId) {
        if (!isId(messageId)) return null;
        const [row] = await db
          .select()
          .from(messageFeedback)
          .where(inTenant(messageFeedback, eq(messageFeedback.messageId, messageId)));
        return row ? toFeedback(row) : null;
      },
    },

    usage: {
      async report(from, to, options = {}): Promise<UsageReport> {
        const period = inTenant(
          usageRecords,
          gte(usageRecords.createdAt, from),
          lt(usageRecords.createdAt, to),
          options.channel ? eq(usageRecords.channel, options.channel) : undefined,
        );
        const rows = await db
          .select({
            assistantId: usageRecords.assistantId,
            name: assistants.name,
            promptTokens: sum(usageRecords.promptTokens),
            completionTokens: sum(usageRecords.completionTokens),
            messages: count(),
          })
          .from(usageRecords)
          .leftJoin(assistants, eq(assistants.id, usageRecords.assistantId))
          .where(period)
          .groupBy(usageRecords.assistantId, assistants.name)
          .orderBy(asc(usageRecords.assistantId));
        const perAssistant = rows.map((r) => ({
          assistantId: r.assistantId,
          name: r.name,
          promptTokens: Number(r.promptTokens ?? 0),
          completionTokens: Number(r.completionTokens ?? 0),
          messages: Number(r.messages),
        }));
        const total = perAssistant.reduce(
          (t, a) => ({
            promptTokens: t.promptTokens + a.promptTokens,
            completionTokens: t.completionTokens + a.completionTokens,
            messages: t.messages + a.messages,
          }),
          { promptTokens: 0, completionTokens: 0, messages: 0 },
        );
        const report: UsageReport = { from, to, ...(options.channel && { channel: options.channel }), total, assistants: perAssistant };
        if (options.groupBy !== 'day') return report;
        // Days with answers only; the use case fills in the others.
        const day = sql<string>`to_char(${usageRecords.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
        const days = await db
          .select({
            date: day,
            promptTokens: sum(usageRecords.promptTokens),
            completionTokens: sum(usageRecords.completionTokens),
            messages: count(),
          })
          .from(usageRecords)
          .where(period)
          .groupBy(day)
          .orderBy(day);
        report.series = days.map((d) => ({
          date: d.date,
          promptTokens: Number(d.promptTokens ?? 0),
          completionTokens: Number(d.completionTokens ?? 0),
          messages: Number(d.messages),
        }));
        return report;
      },
    },
  };
};
