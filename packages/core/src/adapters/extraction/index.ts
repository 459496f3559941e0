/**
 * `@atrium/core/extraction`: the DocumentExtractor adapter. Type detection from the
 * bytes, structured text from PDF, DOCX, HTML, Markdown, plain text and CSV, and
 * isolation of the parsers in worker threads with time and memory limits.
 */
export {
  createIsolatedExtractor,
  DEFAULT_EXTRACTION_LIMITS,
  type ExtractorPoolOptions,
  type IsolatedExtractor,
} from './isolated-extractor.js';
export { createInProcessExtractor, extractDocument } from './extract-document.js';
export { detectFormat } from './detect.js';
export { DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip-guard.js';
export { MAX_CSV_ROWS } from './csv.js';
