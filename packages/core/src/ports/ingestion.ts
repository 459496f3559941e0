import type { DocumentFormat } from '../domain/knowledge.js';

/** A block of extracted text with its place in the document's structure. */
export interface ExtractedBlock {
  kind: 'heading' | 'paragraph' | 'list' | 'table' | 'code' | 'record';
  text: string;
  /** For headings: 1..6. */
  level?: number;
  /** 1-based page (PDF). */
  page?: number;
}

export interface ExtractedDocument {
  format: DocumentFormat;
  /** A title found in the content (HTML <title>, first H1, PDF metadata), if any. */
  title?: string;
  blocks: ExtractedBlock[];
}

export interface ExtractionInput {
  bytes: Uint8Array;
  /** The client's claim (Content-Type); used only to break ties between text formats. */
  declaredType?: string | undefined;
  filename?: string | undefined;
  /** Sent as text by the client (JSON `{title, text}`): never sniffed for binary formats. */
  knownText?: boolean | undefined;
}

export interface ExtractionLimits {
  timeoutMs: number;
  maxMemoryMb: number;
}

/**
 * Turns bytes into structured text. Implementations detect the type from the bytes and
 * run parsers isolated from the caller's event loop. Failures are AtriumErrors:
 * `unsupported` for types we do not read, `invalid` for broken or hostile files.
 */
export interface DocumentExtractor {
  /** Cheap check at upload time: the detected format, or null when unsupported. */
  detect(input: ExtractionInput): Promise<DocumentFormat | null>;
  extract(input: ExtractionInput): Promise<ExtractedDocument>;
}
