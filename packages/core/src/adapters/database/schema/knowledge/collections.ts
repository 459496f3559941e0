import { index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from '../columns.js';
import { tenants } from '../identity/tenants.js';
import { spaces } from '../spaces/spaces.js';

export const collections = pgTable(
  'collections',
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
    embeddingModel: text('embedding_model').notNull(),
    embeddingDimensions: integer('embedding_dimensions').notNull(),
    chunkTokens: integer('chunk_tokens').notNull(),
    overlapTokens: integer('overlap_tokens').notNull(),
    // A text-search configuration name (TEXT_SEARCH_LANGUAGES; ADR 0037). Collections made
    // before languages existed were indexed in English.
    language: text('language').notNull().default('english'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('collections_space_idx').on(t.tenantId, t.spaceId, t.id)],
);
