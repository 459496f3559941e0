import { bigint, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { collections } from './collections.js';

/**
 * BM25's inputs, kept by triggers on `chunks` in the transaction that writes or deletes
 * the chunks (migration 0007, ADR 0024): one row per (chunk, lexeme) with the term
 * frequency and the chunk's length, so a term's postings are one index range; the
 * document frequency of each lexeme per collection; and each collection's chunk count
 * and total length. PostgreSQL's full-text index has none of these.
 */
export const chunkTerms = pgTable(
  'chunk_terms',
  {
    collectionId: uuid('collection_id').notNull(),
    lexeme: text('lexeme').notNull(),
    chunkId: uuid('chunk_id').notNull(),
    /** Occurrences of the lexeme in the chunk (its positions in the tsvector). */
    tf: integer('tf').notNull(),
    /** The chunk's length in lexeme occurrences, repeated here so scoring reads postings only. */
    chunkLength: integer('chunk_length').notNull(),
  },
  // No foreign key to chunks: a cascade would need a second index on chunk_id, which the
  // delete trigger avoids by deleting through this key (the chunk's own lexemes).
  (t) => [primaryKey({ name: 'chunk_terms_pkey', columns: [t.collectionId, t.lexeme, t.chunkId] })],
);

export const collectionTermStats = pgTable(
  'collection_term_stats',
  {
    collectionId: uuid('collection_id')
      .notNull()
      .references(() => collections.id, { onDelete: 'cascade' }),
    lexeme: text('lexeme').notNull(),
    /** Chunks of the collection holding the lexeme. */
    df: integer('df').notNull(),
  },
  (t) => [primaryKey({ name: 'collection_term_stats_pkey', columns: [t.collectionId, t.lexeme] })],
);

export const collectionSearchStats = pgTable('collection_search_stats', {
  collectionId: uuid('collection_id')
    .primaryKey()
    .references(() => collections.id, { onDelete: 'cascade' }),
  chunkCount: integer('chunk_count').notNull(),
  /** Sum of the chunks' lengths in lexeme occurrences (the average is this / chunkCount). */
  lexemeCount: bigint('lexeme_count', { mode: 'number' }).notNull(),
});

