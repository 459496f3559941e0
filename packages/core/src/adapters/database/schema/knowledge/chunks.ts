import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { id } from '../columns.js';
import { tenants } from '../identity/tenants.js';
import { collections } from './collections.js';
import { documents } from './documents.js';
import { tsvector, vector } from './vector.js';

export interface ChunkMetadataColumn {
  headingPath: string[];
  page?: number;
  startOffset: number;
  endOffset: number;
}

export const chunks = pgTable(
  'chunks',
  {
    id: id(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    collectionId: uuid('collection_id')
      .notNull()
      .references(() => collections.id, { onDelete: 'cascade' }),
    documentId: uuid('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    ordinal: integer('ordinal').notNull(),
    text: text('text').notNull(),
    tokenCount: integer('token_count').notNull(),
    metadata: jsonb('metadata').$type<ChunkMetadataColumn>().notNull(),
    embeddingDims: integer('embedding_dims').notNull(),
    embedding: vector('embedding').notNull(),
    // The text-search configuration search_vector was computed with: the collection's
    // language when the chunk was stored or last re-indexed (ADR 0037).
    language: text('language').notNull().default('english'),
    // Headings are searchable too: they often hold the words a question uses.
    // atrium_search_vector (migration 0013) is to_tsvector with the configuration by name.
    searchVector: tsvector('search_vector')
      .notNull()
      .generatedAlwaysAs(sql`atrium_search_vector(language, metadata->>'headingText', text)`),
  },
  (t) => [
    // One chunk per position: a second concurrent ingestion can never add duplicates.
    uniqueIndex('chunks_document_ordinal_unique').on(t.documentId, t.ordinal),
    index('chunks_collection_idx').on(t.tenantId, t.collectionId),
    // No full-text index: keyword search reads the BM25 postings (chunk_terms, ADR 0024),
    // which hold the collection and the lexeme in their key.
  ],
);
