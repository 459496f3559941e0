import { sql } from 'drizzle-orm';
import { check, customType, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { DocumentMetadata } from '../../../../domain/knowledge.js';
import { createdAt, id, updatedAt } from '../columns.js';
import { tenants } from '../identity/tenants.js';
import { spaces } from '../spaces/spaces.js';
import { collections } from './collections.js';

export const documents = pgTable(
  'documents',
  {
    id: id(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    collectionId: uuid('collection_id')
      .notNull()
      .references(() => collections.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    sourceType: text('source_type').notNull(),
    source: text('source'),
    format: text('format'),
    byteSize: integer('byte_size').notNull(),
    contentHash: text('content_hash').notNull(),
    status: text('status').notNull(),
    error: text('error'),
    chunkCount: integer('chunk_count').notNull().default(0),
    tokenCount: integer('token_count').notNull().default(0),
    // What the source says about itself (a web page's language); see DocumentMetadata.
    metadata: jsonb('metadata').$type<DocumentMetadata>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('documents_collection_idx').on(t.tenantId, t.collectionId, t.id),
    // Finds content already uploaded, failed documents included (the unique index below leaves them out).
    index('documents_content_hash_idx').on(t.collectionId, t.contentHash),
    // One document per content in a collection, even when uploads race (ADR 0025): the
    // loser of the race gets the winner's document and job. Failed documents stay as a
    // record and do not count: the same content may be uploaded again.
    uniqueIndex('documents_content_hash_unique')
      .on(t.collectionId, t.contentHash)
      .where(sql`${t.status} <> 'failed'`),
    check('documents_status_check', sql`${t.status} in ('queued', 'processing', 'ready', 'failed')`),
  ],
);

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/** Uploaded bytes, kept in the database so any worker process can read them. */
export const documentBlobs = pgTable('document_blobs', {
  documentId: uuid('document_id')
    .primaryKey()
    .references(() => documents.id, { onDelete: 'cascade' }),
  bytes: bytea('bytes').notNull(),
});
