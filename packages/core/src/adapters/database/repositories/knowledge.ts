import { and, asc, count, desc, eq, gt, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { Job, JobKind, JobStatus } from '../../../domain/jobs.js';
import type {
  Chunk,
  ChunkMetadata,
  Collection,
  DocumentCounts,
  DocumentFormat,
  DocumentStatus,
  KnowledgeDocument,
  SearchHit,
  SourceType,
  TextSearchLanguage,
} from '../../../domain/knowledge.js';
import { DEFAULT_LANGUAGE } from '../../../domain/knowledge.js';
import type { KeywordQuery, KnowledgeRepositories, RankedChunk, SimilarityQuery, VectorQuery } from '../../../ports/index.js';
import type { AtriumDb } from '../connect.js';
import { assistantCollections, assistantWebsites, chunks, collections, documentBlobs, documents, jobs, websites } from '../schema/index.js';
import type { ChunkMetadataColumn } from '../schema/knowledge/chunks.js';
import { executePrepared, uuidList } from './prepared.js';
import { bm25Search, type Bm25Tuning } from './keyword-search.js';
import { afterId, decodeOrdinalCursor, encodeCursor, isId, mapErrors, toPage, type InTenant } from './shared.js';
import { createVectorIndex, dimensionsLiteral, graphType, type GraphPrecision } from '../vector-index.js';

type CollectionRow = typeof collections.$inferSelect;
type DocumentRow = typeof documents.$inferSelect;
type JobRow = typeof jobs.$inferSelect;

/** Documents by status for each collection, in one grouped query; collections without documents get zeros. */
const countDocumentsOf = async (db: AtriumDb, inTenant: InTenant, ids: readonly string[]): Promise<Map<string, DocumentCounts>> => {
  const all = new Map(ids.map((id): [string, DocumentCounts] => [id, { queued: 0, processing: 0, ready: 0, failed: 0, total: 0 }]));
  const valid = ids.filter(isId);
  if (valid.length === 0) return all;
  const rows = await db
    .select({ collectionId: documents.collectionId, status: documents.status, n: count() })
    .from(documents)
    .where(inTenant(documents, inArray(documents.collectionId, valid)))
    .groupBy(documents.collectionId, documents.status);
  for (const r of rows) {
    const counts = all.get(r.collectionId)!;
    counts[r.status as DocumentStatus] = r.n;
    counts.total += r.n;
  }
  return all;
};

export const toCollection = (r: CollectionRow): Collection => ({
  id: r.id,
  tenantId: r.tenantId,
  spaceId: r.spaceId,
  name: r.name,
  description: r.description,
  embeddingModel: r.embeddingModel,
  embeddingDimensions: r.embeddingDimensions,
  chunking: { chunkTokens: r.chunkTokens, overlapTokens: r.overlapTokens },
  // Written only through the use cases, which accept TEXT_SEARCH_LANGUAGES alone.
  language: r.language as TextSearchLanguage,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const toDocument = (r: DocumentRow): KnowledgeDocument => ({
  id: r.id,
  tenantId: r.tenantId,
  spaceId: r.spaceId,
  collectionId: r.collectionId,
  title: r.title,
  sourceType: r.sourceType as SourceType,
  source: r.source,
  format: r.format as DocumentFormat | null,
  byteSize: r.byteSize,
  contentHash: r.contentHash,
  status: r.status as DocumentStatus,
  error: r.error,
  chunkCount: r.chunkCount,
  tokenCount: r.tokenCount,
  metadata: r.metadata,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const toJob = (r: JobRow): Job => ({
  id: r.id,
  tenantId: r.tenantId,
  kind: r.kind as JobKind,
  status: r.status as JobStatus,
  progress: r.progress,
  error: r.error,
  attempts: r.attempts,
  payload: r.payload,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
});

// The stored metadata also carries the joined heading text, which the generated
// full-text column indexes; the domain shape does not include it.
const toStoredMetadata = (m: ChunkMetadata): ChunkMetadataColumn & { headingText: string } => ({
  ...m,
  headingText: m.headingPath.join(' '),
});
const fromStoredMetadata = (m: ChunkMetadataColumn & { headingText?: string }): ChunkMetadata => {
  const { headingText: _derived, ...rest } = m;
  return rest;
};

/**
 * Up to this many chunks behind a filter, vector search compares with all of them (the
 * query hides the HNSW index from the planner), unless the filter keeps most of the table
 * (see EXACT_MAX_SHARE); beyond it, the index.
 */
const EXACT_SEARCH_MAX_ROWS = 10_000;

export interface SearchTuning extends Bm25Tuning {
  /** Vacuum the BM25 postings after ingestion (on by default: PGlite has no autovacuum, and PostgreSQL's may be off). */
  vacuumPostings?: boolean;
  /** Vector search compares with every chunk when at most this many are behind the filter (default 10 000). */
  exactSearchMaxRows?: number;
  /** HNSW candidates examined per search, at least 4 × the limit (default 400; pgvector's own default is 40). */
  hnswEfSearch?: number;
  /** The precision the HNSW graphs hold: `graphPrecisionFor(driver)` (default 'half'; ADR 0016). */
  graphPrecision?: GraphPrecision;
}

/** Filters this small are always searched exactly (for any table size). */
const ALWAYS_EXACT_ROWS = 1_000;
/** Above ALWAYS_EXACT_ROWS, exact search only when the filter keeps at most this share of the table. */
const EXACT_MAX_SHARE = 0.5;

/** HNSW candidates examined per search (pgvector's default is 40). */
const HNSW_EF_SEARCH = 400;
/**
 * A quick search (hybrid's neighbours beyond its keyword candidates) examines pgvector's
 * default 40 and searches exactly only the smallest filters: at 10k chunks, 3 ms instead of
 * 8-12 (bench/RESULTS.md, chat-ttft).
 */
const QUICK_EF_SEARCH = 40;
/**
 * Exact comparisons use full precision up to 2000 dimensions; past that, half precision,
 * as they always did there.
 */
const exactType = (dims: number): SQL => sql.raw(dims > 2000 ? 'halfvec' : 'vector');

interface HitRow {
  id: string;
  document_id: string;
  collection_id: string;
  text: string;
  metadata: ChunkMetadataColumn;
  title: string;
  url: string | null;
  [key: string]: unknown;
}

const toHit = (r: HitRow, score: number): SearchHit => ({
  chunkId: r.id,
  documentId: r.document_id,
  collectionId: r.collection_id,
  documentTitle: r.title,
  ...(r.url !== null && { url: r.url }),
  text: r.text,
  score,
  metadata: fromStoredMetadata(typeof r.metadata === 'string' ? JSON.parse(r.metadata) : r.metadata),
});

export const knowledgeRepositories = (
  db: AtriumDb,
  tenantId: string,
  inTenant: InTenant,
  tuning: SearchTuning = {},
): KnowledgeRepositories => {
  const exactSearchMaxRows = tuning.exactSearchMaxRows ?? EXACT_SEARCH_MAX_ROWS;
  const efSearch = tuning.hnswEfSearch ?? HNSW_EF_SEARCH;
  const graphPrecision = tuning.graphPrecision ?? 'half';
  const validIds = (ids: string[]) => ids.filter(isId);

  const hits = async (ranked: readonly RankedChunk[]): Promise<SearchHit[]> => {
    const ids = validIds(ranked.map((r) => r.chunkId));
    if (ids.length === 0) return [];
    // One statement for any number of ids (an array parameter), prepared once.
    const result = await executePrepared<HitRow>(db, sql`
      select c.id, c.document_id, c.collection_id, c.text, c.metadata, d.title,
        case when d.source_type in ('url', 'crawl') then d.source end as url
      from chunks c
      join documents d on d.id = c.document_id
      where c.tenant_id = ${tenantId} and c.id = any(${`{${ids.join(',')}}`}::uuid[])`);
    const byId = new Map(result.rows.map((r) => [r.id, r]));
    return ranked.flatMap(({ chunkId, score }) => {
      const row = byId.get(chunkId);
      return row ? [toHit(row, score)] : [];
    });
  };
  const rankVector = async ({ collectionIds, dimensions, embedding, limit, quick = false }: VectorQuery): Promise<RankedChunk[]> => {
    const ids = validIds(collectionIds);
    if (ids.length === 0 || limit < 1) return [];
    const dims = dimensionsLiteral(dimensions);
    const vector = `[${embedding.join(',')}]`;
    const inCollections = uuidList(ids);
    const ef = String(quick ? Math.max(QUICK_EF_SEARCH, limit) : Math.max(efSearch, limit * 4));
    const maxExactRows = quick ? Math.min(ALWAYS_EXACT_ROWS, exactSearchMaxRows) : exactSearchMaxRows;
    return db.transaction(async (tx) => {
      // Few rows behind the filter (an assistant's collections, usually): compare with
      // every one of them. Exact, so recall is 1, and about as fast as the graph.
      //
      // Unless the filter keeps most of the table: then the graph finds the neighbours
      // as well as it does unfiltered, faster than reading every row.
      // The rows behind the filter are the collections' documents' chunk counts (written
      // with the chunks, in their transaction): summing a few hundred documents costs a
      // fraction of counting thousands of chunks, which was 2 ms at 10k chunks, a fifth
      // of the whole search. An exact search may have at most exactSearchMaxRows, and at
      // most half of the table unless that is under ALWAYS_EXACT_ROWS. reltuples is -1
      // until the table is first analysed (always so on PGlite, which has no
      // autovacuum): then only exactSearchMaxRows applies.
      //
      // For the graph, the same statement switches on, for this transaction: pgvector
      // 0.8's iterative scan, so the graph is walked until enough rows pass the
      // collection filter instead of returning too few; more candidates than the default
      // 40, which misses many neighbours of short queries (bench/RESULTS.md, recall
      // sweep); and no sorting. The planner prices HNSW by ef_search and, for tables of
      // a few thousand rows, picks a sort of every row instead, measured 4-8x slower than
      // the graph, which keeps its vectors in the index. The decision is made here: hold
      // the planner to it. (One statement for all of it: each round trip counts here.)
      // Both statements prepared: planning was a tenth of the search (ADR 0015).
      const [sized] = (
        await executePrepared<{ n: number; cap: number }>(tx, sql`
          with t as (select reltuples as total from pg_class where oid = 'chunks'::regclass),
          cap as (
            select (case when t.total < 0 then ${maxExactRows}
                         else least(${maxExactRows}, greatest(${ALWAYS_EXACT_ROWS}, floor(t.total * ${EXACT_MAX_SHARE}))) end)::int as cap
            from t
          ),
          size as (
            select coalesce(sum(d.chunk_count), 0)::int as n
            from documents d
            where d.tenant_id = ${tenantId} and d.collection_id in (${inCollections})
          )
          select size.n, cap.cap,
                 case when size.n > cap.cap then
                   set_config('hnsw.iterative_scan', 'relaxed_order', true) || set_config('hnsw.ef_search', ${ef}, true) || set_config('enable_sort', 'off', true)
                 end as settings
          from size, cap`)
      ).rows;
      const exact = Number(sized?.n ?? 0) <= Number(sized?.cap ?? maxExactRows);
      const type = exact ? exactType(dimensions) : sql.raw(graphType(dimensions, graphPrecision));
      const distance = sql`(c.embedding::${type}(${dims})) <=> ${vector}::${type}(${dims})`;
      const candidates = sql`
          select c.id, ${distance} as distance
          from chunks c
          where c.embedding_dims = ${dims}
            and c.tenant_id = ${tenantId}
            and c.collection_id in (${inCollections})`;
      // Exact: a subquery the planner may not flatten (offset 0), so the distance is
      // computed once per row and the HNSW index cannot take over the ordering; only ids
      // and distances go through the sort. Graph: the index scan returns rows in order.
      const nearest = exact
        ? sql`select id, distance from (${candidates} offset 0) s order by distance limit ${limit}`
        : sql`${candidates} order by distance limit ${limit}`;
      const result = await executePrepared<{ id: string; distance: number | string }>(tx, sql`
        with nearest as (${nearest})
        select id, distance from nearest order by distance, id`);
      return result.rows.map((r) => ({ chunkId: r.id, score: 1 - Number(r.distance) }));
    });
  };
  const similarity = async ({ collectionIds, dimensions, embedding, chunkIds }: SimilarityQuery): Promise<RankedChunk[]> => {
    const ids = validIds(collectionIds);
    const chunks = validIds(chunkIds);
    if (ids.length === 0 || chunks.length === 0) return [];
    const dims = dimensionsLiteral(dimensions);
    const type = exactType(dimensions);
    const result = await executePrepared<{ id: string; distance: number | string }>(db, sql`
      select c.id, (c.embedding::${type}(${dims})) <=> ${`[${embedding.join(',')}]`}::${type}(${dims}) as distance
      from chunks c
      where c.tenant_id = ${tenantId} and c.id = any(${`{${chunks.join(',')}}`}::uuid[])
        and c.embedding_dims = ${dims} and c.collection_id in (${uuidList(ids)})`);
    return result.rows.map((r) => ({ chunkId: r.id, score: 1 - Number(r.distance) }));
  };
  const rankKeyword = async ({ collectionIds, query, limit, languages, vectorsOfBest = 0 }: KeywordQuery): Promise<RankedChunk[]> => {
    // Deduplicated: a collection asked for twice is still one collection's statistics.
    const ids = [...new Set(validIds(collectionIds))];
    if (ids.length === 0 || query.trim() === '' || limit < 1) return [];
    const distinct =
      languages ??
      (
        await db
          .selectDistinct({ language: collections.language })
          .from(collections)
          .where(inTenant(collections, inArray(collections.id, ids)))
      ).map((r) => r.language as TextSearchLanguage);
    if (distinct.length === 0) return [];
    const rows = await bm25Search(db, tenantId, tuning, { collectionIds: ids, query, limit, vectorsOfBest }, [...new Set(distinct)]);
    return rows.map((r) =>
      // pgvector writes a vector as '[0.1,0.2,…]', which is JSON.
      r.embedding === null
        ? { chunkId: r.id, score: Number(r.score) }
        : { chunkId: r.id, score: Number(r.score), stored: { collectionId: r.collection_id!, embedding: JSON.parse(r.embedding) as number[] } },
    );
  };

  return {
    collections: {
      async list(spaceId, page) {
        if (!isId(spaceId)) return { data: [], nextCursor: null };
        const rows = await db
          .select()
          .from(collections)
          .where(inTenant(collections, eq(collections.spaceId, spaceId), afterId(collections.id, page.cursor)))
          .orderBy(asc(collections.id))
          .limit(page.limit + 1);
        return toPage(rows.map(toCollection), page, (c) => c.id);
      },
      async get(id) {
        if (!isId(id)) return null;
        const [row] = await db.select().from(collections).where(inTenant(collections, eq(collections.id, id)));
        return row ? toCollection(row) : null;
      },
      async getMany(ids) {
        const valid = validIds(ids);
        if (valid.length === 0) return [];
        const rows = await db.select().from(collections).where(inTenant(collections, inArray(collections.id, valid)));
        return rows.map(toCollection);
      },
      async linkedTo(assistantId) {
        if (!isId(assistantId)) return [];
        // Linked collections in their order, then the collections of linked websites in theirs.
        const rows = await db
          .select({ collection: collections })
          .from(collections)
          .leftJoin(assistantCollections, and(eq(assistantCollections.collectionId, collections.id), eq(assistantCollections.assistantId, assistantId)))
          .leftJoin(websites, eq(websites.collectionId, collections.id))
          .leftJoin(assistantWebsites, and(eq(assistantWebsites.websiteId, websites.id), eq(assistantWebsites.assistantId, assistantId)))
          .where(inTenant(collections, or(isNotNull(assistantCollections.assistantId), isNotNull(assistantWebsites.assistantId))))
          .orderBy(sql`${assistantCollections.position} nulls last`, asc(assistantWebsites.position));
        return rows.map((r) => toCollection(r.collection));
      },
      async create(c) {
        const [row] = await db
          .insert(collections)
          .values({
            id: c.id,
            tenantId,
            spaceId: c.spaceId,
            name: c.name,
            description: c.description,
            embeddingModel: c.embeddingModel,
            embeddingDimensions: c.embeddingDimensions,
            chunkTokens: c.chunking.chunkTokens,
            overlapTokens: c.chunking.overlapTokens,
            language: c.language,
            createdAt: c.createdAt,
            updatedAt: c.updatedAt,
          })
          .returning();
        return toCollection(row!);
      },
      async update(id, { now, chunking, ...patch }) {
        if (!isId(id)) return null;
        const [row] = await db
          .update(collections)
          .set({
            ...patch,
            ...(chunking && { chunkTokens: chunking.chunkTokens, overlapTokens: chunking.overlapTokens }),
            updatedAt: now,
          })
          .where(inTenant(collections, eq(collections.id, id)))
          .returning();
        return row ? toCollection(row) : null;
      },
      async delete(id) {
        if (!isId(id)) return false;
        const rows = await db
          .delete(collections)
          .where(inTenant(collections, eq(collections.id, id)))
          .returning({ id: collections.id });
        return rows.length > 0;
      },
      async countDocuments(id): Promise<DocumentCounts> {
        return (await countDocumentsOf(db, inTenant, [id])).get(id)!;
      },
      countDocumentsOf: (ids) => countDocumentsOf(db, inTenant, ids),
    },

    documents: {
      async list(collectionId, page, filter) {
        if (!isId(collectionId)) return { data: [], nextCursor: null };
        const rows = await db
          .select()
          .from(documents)
          .where(
            inTenant(
              documents,
              eq(documents.collectionId, collectionId),
              filter.status ? eq(documents.status, filter.status) : undefined,
              afterId(documents.id, page.cursor),
            ),
          )
          .orderBy(asc(documents.id))
          .limit(page.limit + 1);
        return toPage(rows.map(toDocument), page, (d) => d.id);
      },
      async get(id) {
        if (!isId(id)) return null;
        const [row] = await db.select().from(documents).where(inTenant(documents, eq(documents.id, id)));
        return row ? toDocument(row) : null;
      },
      async lock(id) {
        if (!isId(id)) return null;
        const [row] = await db
          .select()
          .from(documents)
          .where(inTenant(documents, eq(documents.id, id)))
          .for('update');
        return row ? toDocument(row) : null;
      },
      async findByContentHash(collectionId, contentHash) {
        if (!isId(collectionId)) return null;
        const [row] = await db
          .select()
          .from(documents)
          .where(inTenant(documents, eq(documents.collectionId, collectionId), eq(documents.contentHash, contentHash)))
          // The one document that is not failed, if there is one (ADR 0025), else the latest.
          .orderBy(sql`${documents.status} = 'failed'`, desc(documents.id))
          .limit(1);
        return row ? toDocument(row) : null;
      },
      async create(d) {
        const [row] = await db
          .insert(documents)
          .values({ ...d, tenantId })
          .returning();
        return toDocument(row!);
      },
      async createUnlessDuplicate(d) {
        // A concurrent insert of the same content waits here for the other transaction,
        // then does nothing: the unique index decides the race (ADR 0025).
        const [row] = await db
          .insert(documents)
          .values({ ...d, tenantId })
          .onConflictDoNothing({ target: [documents.collectionId, documents.contentHash], where: sql`status <> 'failed'` })
          .returning();
        return row ? toDocument(row) : null;
      },
      async setProgress(id, { now, ...progress }) {
        if (!isId(id)) return null;
        // A document leaving `failed`, or taking new content, meets the one-per-content index (ADR 0025).
        const [row] = await mapErrors(() =>
          db
            .update(documents)
            .set({ ...progress, updatedAt: now })
            .where(inTenant(documents, eq(documents.id, id)))
            .returning(),
        );
        return row ? toDocument(row) : null;
      },
      async delete(id) {
        if (!isId(id)) return false;
        const rows = await db
          .delete(documents)
          .where(inTenant(documents, eq(documents.id, id)))
          .returning({ id: documents.id });
        return rows.length > 0;
      },
      async putBlob(id, bytes) {
        await db
          .insert(documentBlobs)
          .values({ documentId: id, bytes })
          .onConflictDoUpdate({ target: documentBlobs.documentId, set: { bytes } });
      },
      async getBlob(id) {
        if (!isId(id)) return null;
        // Join through documents so the tenant scope applies to blobs too.
        const [row] = await db
          .select({ bytes: documentBlobs.bytes })
          .from(documentBlobs)
          .innerJoin(documents, eq(documents.id, documentBlobs.documentId))
          .where(inTenant(documents, eq(documents.id, id)));
        return row ? new Uint8Array(row.bytes) : null;
      },
    },

    chunks: {
      async list(documentId, page) {
        // Chunks page by ordinal, which is dense and ordered within a document.
        const after = decodeOrdinalCursor(page.cursor) ?? -1;
        if (!isId(documentId)) return { data: [], nextCursor: null };
        const rows = await db
          .select({
            id: chunks.id,
            documentId: chunks.documentId,
            collectionId: chunks.collectionId,
            ordinal: chunks.ordinal,
            text: chunks.text,
            tokenCount: chunks.tokenCount,
            metadata: chunks.metadata,
          })
          .from(chunks)
          .where(inTenant(chunks, eq(chunks.documentId, documentId), gt(chunks.ordinal, after)))
          .orderBy(asc(chunks.ordinal))
          .limit(page.limit + 1);
        const data: Chunk[] = rows.slice(0, page.limit).map((r) => ({ ...r, metadata: fromStoredMetadata(r.metadata) }));
        const last = data.at(-1);
        return { data, nextCursor: rows.length > page.limit && last ? encodeCursor(String(last.ordinal)) : null };
      },
      async replaceForDocument(documentId, collectionId, dims, newChunks) {
        // Share locked: a language change (an update of this row) waits until these chunks
        // are committed, so its re-index job finds them (ADR 0037).
        const [collection] = await db
          .select({ language: collections.language })
          .from(collections)
          .where(inTenant(collections, eq(collections.id, collectionId)))
          .for('share');
        const language = collection?.language ?? DEFAULT_LANGUAGE;
        await db.delete(chunks).where(inTenant(chunks, eq(chunks.documentId, documentId)));
        // Batched inserts keep statements under the parameter limit and memory flat.
        for (let i = 0; i < newChunks.length; i += 200) {
          await db.insert(chunks).values(
            newChunks.slice(i, i + 200).map((c) => ({
              id: c.id,
              tenantId,
              collectionId,
              documentId,
              ordinal: c.ordinal,
              text: c.text,
              tokenCount: c.tokenCount,
              metadata: toStoredMetadata(c.metadata),
              embeddingDims: dims,
              embedding: c.embedding,
              language,
            })),
          );
        }
      },
      async countNotInLanguage(collectionId) {
        if (!isId(collectionId)) return 0;
        const [row] = await db
          .select({ n: count() })
          .from(chunks)
          .innerJoin(collections, eq(collections.id, chunks.collectionId))
          .where(inTenant(chunks, eq(chunks.collectionId, collectionId), sql`${chunks.language} <> ${collections.language}`));
        return row?.n ?? 0;
      },
      async reindexBatch(collectionId, limit) {
        if (!isId(collectionId)) return 0;
        // The target is read from the collection in the statement itself: a job of an
        // earlier change still converges on the latest language. Changing the language
        // recomputes search_vector (a generated column); migration 0013's trigger moves the
        // postings and statistics in this statement's transaction.
        const result = await executePrepared<{ id: string }>(db, sql`
          update chunks c set language = col.language
          from collections col
          where col.id = c.collection_id
            and c.id in (
              select s.id from chunks s join collections sc on sc.id = s.collection_id
              where s.tenant_id = ${tenantId} and s.collection_id = ${collectionId} and s.language <> sc.language
              order by s.id
              limit ${limit}
            )
          returning c.id`);
        return result.rows.length;
      },
      hits,
      rankVector,
      rankKeyword,
      similarity,
      searchVector: async (query) => hits(await rankVector(query)),
      searchKeyword: async (query) => hits(await rankKeyword(query)),
    },

    jobs: {
      async get(id) {
        if (!isId(id)) return null;
        const [row] = await db.select().from(jobs).where(inTenant(jobs, eq(jobs.id, id)));
        return row ? toJob(row) : null;
      },
      async create(job) {
        const [row] = await db
          .insert(jobs)
          .values({
            id: job.id,
            tenantId,
            spaceId: job.spaceId,
            kind: job.kind,
            status: job.status,
            payload: job.payload,
            createdAt: job.createdAt,
            updatedAt: job.createdAt,
          })
          .returning();
        return toJob(row!);
      },
      async update(id, { now, ...update }) {
        if (!isId(id)) return null;
        const [row] = await db
          .update(jobs)
          .set({ ...update, updatedAt: now })
          .where(inTenant(jobs, eq(jobs.id, id)))
          .returning();
        return row ? toJob(row) : null;
      },
      async latestForDocument(documentId) {
        if (!isId(documentId)) return null;
        const [row] = await db
          .select()
          .from(jobs)
          .where(inTenant(jobs, sql`${jobs.payload}->>'documentId' = ${documentId}`))
          .orderBy(desc(jobs.createdAt))
          .limit(1);
        return row ? toJob(row) : null;
      },
      async spaceOf(id) {
        if (!isId(id)) return null;
        const [row] = await db.select({ spaceId: jobs.spaceId }).from(jobs).where(inTenant(jobs, eq(jobs.id, id)));
        return row?.spaceId ?? null;
      },
    },
  };
};

/** When each database handle last vacuumed chunk_terms (see chunksStored). */
const lastVacuum = new WeakMap<AtriumDb, number>();
/**
 * At most one vacuum of the postings per this many ms: with ANALYZE it costs tens of ms,
 * and ingestion bursts store many documents a second.
 */
const VACUUM_INTERVAL_MS = 10_000;

export const knowledgeSystemRepository = (db: AtriumDb, tuning: SearchTuning = {}) => ({
  async chunksStored() {
    // BM25 reads postings by index-only scans, which need the heap pages marked
    // all-visible, and a plan chosen from statistics. PGlite has no autovacuum, and a
    // PostgreSQL's may be off or behind: without VACUUM every posting cost a heap page, and
    // without ANALYZE a 200-word question took 77 ms instead of 14 on PGlite (ADR 0024).
    // VACUUM skips pages already visible; ANALYZE samples a bounded number of rows;
    // SKIP_LOCKED leaves the work to whoever (another worker, autovacuum) is doing it.
    if (!tuning.vacuumPostings) return;
    const now = Date.now();
    if (now - (lastVacuum.get(db) ?? 0) < VACUUM_INTERVAL_MS) return;
    lastVacuum.set(db, now);
    await db.execute(sql`vacuum (analyze, skip_locked) chunk_terms, collection_term_stats`);
  },
  async ensureVectorIndex(dimensions: number) {
    // Migration 0005 and alignVectorIndexes (at start) rebuild, in this form, indexes made
    // by versions that chose another precision.
    await db.execute(createVectorIndex(dimensions, tuning.graphPrecision ?? 'half'));
  },
  async unfinishedJobs(limit: number): Promise<Job[]> {
    const rows = await db
      .select()
      .from(jobs)
      .where(inArray(jobs.status, ['queued', 'running']))
      .orderBy(asc(jobs.createdAt))
      .limit(limit);
    return rows.map(toJob);
  },
});
