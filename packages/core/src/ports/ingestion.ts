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
  /** Web pages: what the page says about itself and where it leads (hrefs as written, unresolved). */
  web?: WebPageFacts;
}

export interface WebPageFacts {
  /** `<html lang>`, when declared. */
  language?: string;
  /** `<link rel="canonical" href>`, as written. */
  canonical?: string;
  /** `<base href>`, as written: what relative links resolve against. */
  base?: string;
  /** Every `<a href>` on the page (navigation included), in document order, at most MAX_PAGE_LINKS. */
  links: string[];
  /** `<meta name="robots">` says noindex (the page is not to be kept) or nofollow (its links are not to be followed). */
  noindex: boolean;
  nofollow: boolean;
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
