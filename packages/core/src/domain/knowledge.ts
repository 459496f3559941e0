/** Knowledge: collections of documents, split into chunks that carry embeddings and full-text vectors. */

export const DOCUMENT_STATUSES = ['queued', 'processing', 'ready', 'failed'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export const SEARCH_MODES = ['hybrid', 'vector', 'keyword'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export const DOCUMENT_FORMATS = ['pdf', 'docx', 'html', 'markdown', 'text', 'csv'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

export const SOURCE_TYPES = ['file', 'text', 'url', 'crawl'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export interface ChunkingSettings {
  /** Target chunk size in tokens (cl100k_base). */
  chunkTokens: number;
  /** Tokens repeated from the end of one chunk at the start of the next. */
  overlapTokens: number;
}

/**
 * The text-search configurations a collection may use (its `language`): PostgreSQL's
 * built-in ones, present in PostgreSQL 15+ and PGlite alike. Each stems and drops stop
 * words for its language; `simple` only lower-cases (no stemming, no stop words), for
 * mixed-language or code-heavy content.
 */
export const TEXT_SEARCH_LANGUAGES = [
  'arabic',
  'armenian',
  'basque',
  'catalan',
  'danish',
  'dutch',
  'english',
  'finnish',
  'french',
  'german',
  'greek',
  'hindi',
  'hungarian',
  'indonesian',
  'irish',
  'italian',
  'lithuanian',
  'nepali',
  'norwegian',
  'portuguese',
  'romanian',
  'russian',
  'serbian',
  'simple',
  'spanish',
  'swedish',
  'tamil',
  'turkish',
  'yiddish',
] as const;
export type TextSearchLanguage = (typeof TEXT_SEARCH_LANGUAGES)[number];

/** New collections' language unless ATRIUM_DEFAULT_LANGUAGE says otherwise. */
export const DEFAULT_LANGUAGE: TextSearchLanguage = 'english';

export const isTextSearchLanguage = (value: string): value is TextSearchLanguage =>
  (TEXT_SEARCH_LANGUAGES as readonly string[]).includes(value);

export const DEFAULT_CHUNKING: ChunkingSettings = { chunkTokens: 400, overlapTokens: 60 };
export const CHUNK_TOKENS_RANGE = { min: 64, max: 2048 } as const;

export interface Collection {
  id: string;
  tenantId: string;
  spaceId: string;
  name: string;
  description: string | null;
  /** Pinned at creation: every chunk in the collection is embedded with this model. */
  embeddingModel: string;
  embeddingDimensions: number;
  chunking: ChunkingSettings;
  /**
   * The text-search configuration its chunks and the questions asked of it are analysed
   * with (stemming, stop words). Changing it re-indexes the chunks in the background.
   */
  language: TextSearchLanguage;
  createdAt: Date;
  updatedAt: Date;
}

export interface DocumentCounts {
  queued: number;
  processing: number;
  ready: number;
  failed: number;
  total: number;
}

export interface KnowledgeDocument {
  id: string;
  tenantId: string;
  spaceId: string;
  collectionId: string;
  title: string;
  sourceType: SourceType;
  /** Where it came from: the URL, or the uploaded file's name. */
  source: string | null;
  /** Detected from the bytes, not the declared type. Null until detected. */
  format: DocumentFormat | null;
  byteSize: number;
  /**
   * SHA-256 of the content; identical content is not ingested twice. For a `{url}` document,
   * of its URL (it is fetched later): a URL is added to a collection once.
   */
  contentHash: string;
  status: DocumentStatus;
  error: string | null;
  chunkCount: number;
  tokenCount: number;
  /** What the source says about itself; web pages keep their language here (their URL is `source`). */
  metadata: DocumentMetadata;
  createdAt: Date;
  updatedAt: Date;
}

export interface DocumentMetadata {
  /** The page's declared language (`<html lang>`), for web pages that declare one. */
  language?: string;
}

export interface ChunkMetadata {
  /** Headings enclosing the chunk, outermost first. */
  headingPath: string[];
  /** 1-based PDF page where the chunk starts. */
  page?: number;
  /** Character offsets into the extracted text. */
  startOffset: number;
  endOffset: number;
}

export interface Chunk {
  id: string;
  documentId: string;
  collectionId: string;
  ordinal: number;
  text: string;
  tokenCount: number;
  metadata: ChunkMetadata;
}

export interface SearchHit {
  chunkId: string;
  documentId: string;
  collectionId: string;
  documentTitle: string;
  /** The page the chunk's document came from, for `{url}` documents and crawled pages. */
  url?: string;
  text: string;
  score: number;
  metadata: ChunkMetadata;
}
