import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, primaryKey, real, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from '../columns.js';
import { tenants } from '../identity/tenants.js';
import { collections } from '../knowledge/collections.js';
import { spaces } from '../spaces/spaces.js';

export const assistants = pgTable(
  'assistants',
  {
    id: id(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    instructions: text('instructions').notNull(),
    model: text('model'),
    temperature: real('temperature'),
    maxTokens: integer('max_tokens'),
    retrievalTopK: integer('retrieval_top_k').notNull(),
    retrievalMode: text('retrieval_mode').notNull(),
    retrievalMinScore: real('retrieval_min_score').notNull(),
    published: boolean('published').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('assistants_space_idx').on(t.tenantId, t.spaceId, t.id),
    check('assistants_retrieval_mode_check', sql`${t.retrievalMode} in ('hybrid', 'vector', 'keyword')`),
  ],
);

/** The collections an assistant answers from; deleting either side removes the link. */
export const assistantCollections = pgTable(
  'assistant_collections',
  {
    assistantId: uuid('assistant_id')
      .notNull()
      .references(() => assistants.id, { onDelete: 'cascade' }),
    collectionId: uuid('collection_id')
      .notNull()
      .references(() => collections.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
  },
  (t) => [
    primaryKey({ name: 'assistant_collections_pk', columns: [t.assistantId, t.collectionId] }),
    index('assistant_collections_collection_idx').on(t.collectionId),
  ],
);
