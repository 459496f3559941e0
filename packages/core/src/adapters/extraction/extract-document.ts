/**
 * The whole extraction in one function — detect, then the format's extractor — shared
 * by the worker thread (production) and the in-process extractor (tests, tools).
 * Every failure leaves here as an AtriumError with a message meant for the uploader.
 */
import { isAtriumError } from '../../domain/errors.js';
import type { DocumentExtractor, ExtractedDocument, ExtractionInput } from '../../ports/ingestion.js';
import { detectFormat, sniffDocument, type SniffedDocument } from './detect.js';
import { binaryText, corruptFile, emptyDocument, unsupportedMediaType } from './extraction-errors.js';
import { decodeText } from './text-decoding.js';

export async function extractDocument(input: ExtractionInput): Promise<ExtractedDocument> {
  const sniffed = await sniffDocument(input);
  if (!sniffed) throw claimsToBeText(input) ? binaryText() : unsupportedMediaType();
  let document: ExtractedDocument;
  try {
    document = await extractSniffed(sniffed, input.bytes);
  } catch (error) {
    // Parsers throw all sorts of things on malformed input; the uploader needs one answer.
    if (isAtriumError(error)) throw error;
    throw corruptFile(sniffed.format);
  }
  if (document.blocks.length === 0) throw emptyDocument(sniffed.format);
  return document;
}

/**
 * Parsers are imported on demand: a worker started for one CSV need not load pdf.js,
 * mammoth and a DOM, which keeps each worker's start-up time and heap small.
 */
async function extractSniffed(sniffed: SniffedDocument, bytes: Uint8Array): Promise<ExtractedDocument> {
  switch (sniffed.format) {
    case 'pdf':
      return (await import('./pdf.js')).extractPdf(bytes);
    case 'docx':
      return (await import('./docx.js')).extractDocx(bytes);
    case 'html':
      return (await import('./html.js')).extractHtml(sniffed.text);
    case 'markdown':
      return (await import('./markdown.js')).extractMarkdown(sniffed.text);
    case 'csv':
      return (await import('./csv.js')).extractCsv(sniffed.text);
    case 'text':
      return (await import('./text.js')).extractText(sniffed.text);
  }
}

/**
 * When the client called it text, or it starts as text and turns binary further on,
 * say so rather than "unsupported type".
 */
function claimsToBeText(input: ExtractionInput): boolean {
  const declared = (input.declaredType ?? '').toLowerCase();
  return (
    declared.startsWith('text/') ||
    /\.(txt|text|md|markdown|csv|tsv|html?)$/i.test(input.filename ?? '') ||
    decodeText(input.bytes, { sampleBytes: 64 * 1024 }) !== null
  );
}

/**
 * Runs extraction on the caller's own thread: no time or memory limit. For tests, tools
 * and trusted input; servers and workers should use createIsolatedExtractor.
 */
export function createInProcessExtractor(): DocumentExtractor {
  return { detect: detectFormat, extract: extractDocument };
}
