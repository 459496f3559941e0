import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import type { ChatTimings, Reference, VisitorIdentity } from '../../../../domain/conversations.js';
import { createdAt, id, updatedAt } from '../columns.js';
import { assistants } from '../assistants/assistants.js';
import { tenants } from '../identity/tenants.js';
import { users } from '../identity/users.js';
import { spaces } from '../spaces/spaces.js';

export const conversations = pgTable(
  'conversations',
  {
    id: id(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    assistantId: uuid('assistant_id')
      .notNull()
      .references(() => assistants.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    visitorId: text('visitor_id'),
    visitorIdentity: jsonb('visitor_identity').$type<VisitorIdentity>(),
    // No foreign key: a revoked or deleted key still names who asked.
    apiKeyId: uuid('api_key_id'),
    channel: text('channel').notNull(),
    title: text('title').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('conversations_assistant_idx').on(t.tenantId, t.assistantId, t.id),
    check('conversations_channel_check', sql`${t.channel} in ('app', 'api', 'openai', 'widget')`),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: id(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    content: text('content').notNull(),
    references: jsonb('references').$type<Reference[]>().notNull().default([]),
    citations: jsonb('citations').$type<number[]>().notNull().default([]),
    finishReason: text('finish_reason'),
    errorCode: text('error_code'),
    model: text('model'),
    promptTokens: integer('prompt_tokens'),
    completionTokens: integer('completion_tokens'),
    timings: jsonb('timings').$type<ChatTimings>(),
    createdAt: createdAt(),
  },
  (t) => [
    index('messages_conversation_idx').on(t.conversationId, t.id),
    check('messages_role_check', sql`${t.role} in ('user', 'assistant')`),
  ],
);

/** One rating per message (its conversation has one owner); rating again replaces it. */
export const messageFeedback = pgTable(
  'message_feedback',
  {
    messageId: uuid('message_id')
      .primaryKey()
      .references(() => messages.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    rating: text('rating').notNull(),
    comment: text('comment'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [check('message_feedback_rating_check', sql`${t.rating} in ('up', 'down')`)],
);

/**
 * The token ledger: one row per generated answer. It outlives the assistant and the
 * conversation (no foreign key to either), so deleting them does not rewrite history.
 */
export const usageRecords = pgTable(
  'usage_records',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').notNull(),
    assistantId: uuid('assistant_id').notNull(),
    // Null for answers recorded before channels were kept here whose conversation is gone.
    channel: text('channel'),
    model: text('model').notNull(),
    promptTokens: integer('prompt_tokens').notNull(),
    completionTokens: integer('completion_tokens').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'usage_records_pk', columns: [t.tenantId, t.messageId] }),
    index('usage_records_period_idx').on(t.tenantId, t.createdAt),
  ],
);
