import { z } from '@hono/zod-openapi';
import {
  DOCUMENT_FORMATS,
  DOCUMENT_STATUSES,
  JOB_STATUSES,
  SEARCH_MODES,
  SOURCE_TYPES,
  TEXT_SEARCH_LANGUAGES,
  type Chunk,
  type CollectionView,
  type Job,
  type KnowledgeDocument,
  type SearchHit,
} from '@atrium/core';
import { iso, isoOrNull } from './common.js';

const ChunkingSchema = z
  .object({
    chunkTokens: z.number().int().openapi({ example: 400 }),
    overlapTokens: z.number().int().openapi({ example: 60 }),
  })
  .openapi('Chunking');

const CountsSchema = z
  .object({
    queued: z.number().int(),
    processing: z.number().int(),
    ready: z.number().int(),
    failed: z.number().int(),
    total: z.number().int(),
  })
  .openapi('DocumentCounts');

export const LanguageSchema = z
  .enum(TEXT_SEARCH_LANGUAGES, {
    message: `Must be a text-search configuration: ${TEXT_SEARCH_LANGUAGES.join(', ')}`,
  })
  .openapi('Language', {
    description:
      "A PostgreSQL text-search configuration: how the collection's chunks and the questions asked of it are split into words, stemmed and stripped of stop words. `simple` only lower-cases.",
    example: 'english',
  });

export const CollectionSchema = z
  .object({
    id: z.string(),
    spaceId: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    embeddingModel: z.string(),
    embeddingDimensions: z.number().int(),
    chunking: ChunkingSchema,
    language: LanguageSchema,
    documentCounts: CountsSchema.openapi({ description: 'Documents by status' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Collection');

export const DocumentSchema = z
  .object({
    id: z.string(),
    collectionId: z.string(),
    spaceId: z.string(),
    title: z.string(),
    sourceType: z.enum(SOURCE_TYPES),
    source: z.string().nullable(),
    format: z.enum(DOCUMENT_FORMATS).nullable(),
    byteSize: z.number().int(),
    contentHash: z.string(),
    status: z.enum(DOCUMENT_STATUSES),
    error: z.string().nullable(),
    chunkCount: z.number().int(),
    tokenCount: z.number().int(),
    metadata: z
      .object({ language: z.string().optional().openapi({ description: "A web page's declared language (`<html lang>`)" }) })
      .openapi('DocumentMetadata', { description: 'What the source says about itself; a web page keeps its URL in `source`' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Document');

export const JobSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    status: z.enum(JOB_STATUSES),
    progress: z.number().openapi({ description: '0 to 1' }),
    error: z.string().nullable().optional(),
    attempts: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Job');

export const UpdatedCollectionSchema = CollectionSchema.extend({
  job: JobSchema.nullable().openapi({
    description:
      'The `reindex_collection` job a new `language` started (follow it at GET /api/v1/jobs/{jobId}; search keeps working meanwhile), or null when nothing is re-indexed',
  }),
}).openapi('UpdatedCollection');

const ChunkMetadataSchema = z
  .object({
    headingPath: z.array(z.string()),
    page: z.number().int().optional(),
    startOffset: z.number().int(),
    endOffset: z.number().int(),
  })
  .openapi('ChunkMetadata');

export const ChunkSchema = z
  .object({
    id: z.string(),
    documentId: z.string(),
    ordinal: z.number().int(),
    text: z.string(),
    tokenCount: z.number().int(),
    metadata: ChunkMetadataSchema,
  })
  .openapi('Chunk');

export const SearchHitSchema = z
  .object({
    chunkId: z.string(),
    documentId: z.string(),
    collectionId: z.string(),
    documentTitle: z.string(),
    url: z.string().optional().openapi({ description: 'The page the document came from (`{url}` documents and crawled pages)' }),
    text: z.string(),
    score: z.number(),
    metadata: ChunkMetadataSchema,
  })
  .openapi('SearchHit');

export const SearchRequestSchema = z
  .object({
    query: z.string().min(1).max(4000),
    topK: z.number().int().min(1).max(50).optional(),
    mode: z.enum(SEARCH_MODES).optional(),
  })
  .openapi('SearchRequest');

export const collectionJson = (c: CollectionView) => ({
  id: c.id,
  spaceId: c.spaceId,
  name: c.name,
  description: c.description,
  embeddingModel: c.embeddingModel,
  embeddingDimensions: c.embeddingDimensions,
  chunking: c.chunking,
  language: c.language,
  documentCounts: c.documentCounts,
  createdAt: iso(c.createdAt),
  updatedAt: iso(c.updatedAt),
});

export const documentJson = (d: KnowledgeDocument) => ({
  id: d.id,
  collectionId: d.collectionId,
  spaceId: d.spaceId,
  title: d.title,
  sourceType: d.sourceType,
  source: d.source,
  format: d.format,
  byteSize: d.byteSize,
  contentHash: d.contentHash,
  status: d.status,
  error: d.error,
  chunkCount: d.chunkCount,
  tokenCount: d.tokenCount,
  metadata: d.metadata,
  createdAt: iso(d.createdAt),
  updatedAt: iso(d.updatedAt),
});

export const jobJson = (j: Job) => ({
  id: j.id,
  kind: j.kind,
  status: j.status,
  progress: j.progress,
  ...(j.error && { error: j.error }),
  attempts: j.attempts,
  createdAt: iso(j.createdAt),
  updatedAt: iso(j.updatedAt),
  startedAt: isoOrNull(j.startedAt),
  finishedAt: isoOrNull(j.finishedAt),
});

export const chunkJson = (c: Chunk) => ({
  id: c.id,
  documentId: c.documentId,
  ordinal: c.ordinal,
  text: c.text,
  tokenCount: c.tokenCount,
  metadata: c.metadata,
});

export const hitJson = (h: SearchHit) => ({ ...h });
