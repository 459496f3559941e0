import type { Job, JobStatus } from '../domain/jobs.js';
import type {
  Chunk,
  ChunkingSettings,
  ChunkMetadata,
  Collection,
  DocumentCounts,
  DocumentFormat,
  DocumentMetadata,
  DocumentStatus,
  KnowledgeDocument,
  SearchHit,
  TextSearchLanguage,
} from '../domain/knowledge.js';
import type { Page, PageRequest } from '../domain/pagination.js';

export interface CollectionPatch {
  name?: string;
  description?: string | null;
  chunking?: ChunkingSettings;
  language?: TextSearchLanguage;
  now: Date;
}

export interface DocumentProgress {
  status: DocumentStatus;
  error?: string | null;
  format?: DocumentFormat | null;
  chunkCount?: number;
  tokenCount?: number;
  title?: string;
  /** Known only once fetched, for `{url}` documents. */
  byteSize?: number;
  /** New content (a recrawled page): its hash, address and metadata. */
  contentHash?: string;
  source?: string | null;
  metadata?: DocumentMetadata;
  now: Date;
}

/** A document to store; `metadata` defaults to none. */
export type NewDocument = Omit<KnowledgeDocument, 'tenantId' | 'metadata'> & { metadata?: DocumentMetadata };

export interface NewChunk extends Omit<Chunk, 'collectionId' | 'documentId'> {
  embedding: number[];
}

export interface VectorQuery {
  collectionIds: string[];
  dimensions: number;
  embedding: number[];
  limit: number;
  /**
   * A few close neighbours are enough: hybrid search scores its keyword candidates
   * exactly (`similarity`) and asks the index only for what keywords missed, so the index
   * may examine fewer candidates than a vector-only search, which needs its recall.
   */
  quick?: boolean;
}

/** The exact similarity of given chunks to a query vector. */
export interface SimilarityQuery {
  collectionIds: string[];
  dimensions: number;
  embedding: number[];
  /** Chunks of other collections or dimensions are left out of the answer. */
  chunkIds: string[];
}

export interface KeywordQuery {
  collectionIds: string[];
  /**
   * The question as typed: analysed with each collection's text-search configuration (as
   * stored, so several languages may take part), ranked by BM25.
   */
  query: string;
  limit: number;
  /**
   * The best this many hits come back with their collection and stored vector (`stored`):
   * hybrid search's feedback (ADR 0040) reads them in the statement that ranks, which
   * already reads those rows. Default 0.
   */
  vectorsOfBest?: number;
  /** The collections' distinct languages, when the caller has them at hand (else they are looked up). */
  languages?: TextSearchLanguage[];
}

/** A search result before its text is read: enough to fuse and cut lists. */
export interface RankedChunk {
  chunkId: string;
  score: number;
  /** Only where asked for (`KeywordQuery.vectorsOfBest`). */
  stored?: StoredVector;
}

/** A chunk's collection and its vector as stored (in that collection's embedding model). */
export interface StoredVector {
  collectionId: string;
  embedding: number[];
}

export interface JobUpdate {
  status?: JobStatus;
  progress?: number;
  error?: string | null;
  attempts?: number;
  startedAt?: Date | null;
  finishedAt?: Date | null;
  now: Date;
}

export interface KnowledgeRepositories {
  collections: {
    list(spaceId: string, page: PageRequest): Promise<Page<Collection>>;
    get(id: string): Promise<Collection | null>;
    /** The collections among `ids` that exist, in no particular order. */
    getMany(ids: string[]): Promise<Collection[]>;
    /** The collections an assistant is linked to, in link order (chat loads them while it checks access). */
    linkedTo(assistantId: string): Promise<Collection[]>;
    create(collection: Omit<Collection, 'tenantId'>): Promise<Collection>;
    update(id: string, patch: CollectionPatch): Promise<Collection | null>;
    delete(id: string): Promise<boolean>;
    countDocuments(id: string): Promise<DocumentCounts>;
    /** The counts of several collections in one query (a page of a listing), by collection id. */
    countDocumentsOf(ids: readonly string[]): Promise<Map<string, DocumentCounts>>;
  };
  documents: {
    list(collectionId: string, page: PageRequest, filter: { status?: DocumentStatus }): Promise<Page<KnowledgeDocument>>;
    get(id: string): Promise<KnowledgeDocument | null>;
    /** Like `get`, and locks the row until the transaction ends (serialises ingestions). */
    lock(id: string): Promise<KnowledgeDocument | null>;
    findByContentHash(collectionId: string, contentHash: string): Promise<KnowledgeDocument | null>;
    create(document: NewDocument): Promise<KnowledgeDocument>;
    /**
     * Creates the document unless the collection already holds one with the same content
     * hash (unique, even under concurrency): then nothing is written and null returned.
     */
    createUnlessDuplicate(document: NewDocument): Promise<KnowledgeDocument | null>;
    setProgress(id: string, progress: DocumentProgress): Promise<KnowledgeDocument | null>;
    delete(id: string): Promise<boolean>;
    putBlob(id: string, bytes: Uint8Array): Promise<void>;
    getBlob(id: string): Promise<Uint8Array | null>;
  };
  chunks: {
    list(documentId: string, page: PageRequest): Promise<Page<Chunk>>;
    /**
     * Replaces all chunks of a document (call inside a transaction), indexed in the
     * collection's language as it is when they are written: the collection's row is share
     * locked until the transaction ends, so a language change waits for it and the
     * re-index that follows sees these chunks.
     */
    replaceForDocument(documentId: string, collectionId: string, dims: number, chunks: NewChunk[]): Promise<void>;
    /** How many of the collection's chunks are not yet indexed in its current language. */
    countNotInLanguage(collectionId: string): Promise<number>;
    /**
     * Re-indexes up to `limit` chunks of the collection that are not in its current
     * language (their full-text vectors, BM25 postings and statistics, in one statement);
     * returns how many. Zero means the collection is done.
     */
    reindexBatch(collectionId: string, limit: number): Promise<number>;
    /** Nearest neighbours by cosine distance, through the per-dimension HNSW index. */
    searchVector(query: VectorQuery): Promise<SearchHit[]>;
    /** Full-text matches ranked by Okapi BM25 with the collections' combined statistics. */
    searchKeyword(query: KeywordQuery): Promise<SearchHit[]>;
    /**
     * `searchVector` and `searchKeyword` without the chunks' text: what fusion needs from its
     * candidate lists, which are many times longer than what it keeps.
     */
    rankVector(query: VectorQuery): Promise<RankedChunk[]>;
    rankKeyword(query: KeywordQuery): Promise<RankedChunk[]>;
    /** Cosine similarity (the score `rankVector` gives) of the given chunks, in no order. */
    similarity(query: SimilarityQuery): Promise<RankedChunk[]>;
    /** The hits for ranked chunks of this tenant, in the order and with the scores given. */
    hits(ranked: readonly RankedChunk[]): Promise<SearchHit[]>;
  };
  jobs: {
    get(id: string): Promise<Job | null>;
    create(job: Omit<Job, 'tenantId' | 'updatedAt' | 'startedAt' | 'finishedAt' | 'attempts' | 'progress' | 'error'> & { spaceId: string | null }): Promise<Job>;
    update(id: string, update: JobUpdate): Promise<Job | null>;
    /** The most recent job for a document, if any. */
    latestForDocument(documentId: string): Promise<Job | null>;
    spaceOf(id: string): Promise<string | null>;
  };
}

/** Installation-wide, cross-tenant operations for background work. */
export interface KnowledgeSystemRepository {
  /** Creates the partial HNSW index for one embedding dimension if it does not exist. */
  ensureVectorIndex(dimensions: number): Promise<void>;
  /** Jobs left queued or running (e.g. by a crash), oldest first, for re-enqueueing. */
  unfinishedJobs(limit: number): Promise<Job[]>;
  /**
   * Called after chunks were stored: keeps keyword search's postings readable from their
   * index where the database does not do so itself (PGlite has no autovacuum).
   */
  chunksStored(): Promise<void>;
}

export type { ChunkMetadata };
