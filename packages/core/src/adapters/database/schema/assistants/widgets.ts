import { boolean, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { WidgetTheme } from '../../../../domain/widget.js';
import { createdAt, updatedAt } from '../columns.js';
import { tenants } from '../identity/tenants.js';
import { assistants } from './assistants.js';

/** An assistant's chat widget: who may embed it, how it looks, how much visitors may ask. */
export const assistantWidgets = pgTable(
  'assistant_widgets',
  {
    assistantId: uuid('assistant_id')
      .primaryKey()
      .references(() => assistants.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    enabled: boolean('enabled').notNull(),
    allowedOrigins: text('allowed_origins').array().notNull(),
    greeting: text('greeting'),
    starterPrompts: text('starter_prompts').array().notNull(),
    theme: jsonb('theme').$type<WidgetTheme>().notNull(),
    messagesPerMinute: integer('messages_per_minute').notNull(),
    messagesPerDay: integer('messages_per_day').notNull(),
    identityRequired: boolean('identity_required').notNull(),
    /** Looked up on every widget request, across tenants (the key is all a page holds). */
    publicKey: text('public_key').notNull(),
    /** The HS256 secret host sites sign visitor identities with; null until generated. */
    identitySecret: text('identity_secret'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('assistant_widgets_public_key_idx').on(t.publicKey)],
);
