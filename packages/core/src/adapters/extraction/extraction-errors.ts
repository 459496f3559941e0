/**
 * The failures extraction reports. Their messages end up in a document's `error` field
 * or an upload's problem detail, so they are written for the person who uploaded the
 * file: what went wrong and what they can do about it, never a parser's stack trace.
 */
import { AtriumError } from '../../domain/errors.js';
import type { DocumentFormat } from '../../domain/knowledge.js';

const FORMAT_NAMES: Record<DocumentFormat, string> = {
  pdf: 'PDF',
  docx: 'Word (.docx) document',
  html: 'HTML page',
  markdown: 'Markdown file',
  text: 'text file',
  csv: 'CSV file',
};

export const SUPPORTED_TYPES_SENTENCE =
  'Upload a PDF, a Word (.docx) document, an HTML page, a Markdown, plain-text or CSV file.';

export const unsupportedMediaType = (): AtriumError =>
  new AtriumError(
    'unsupported',
    'unsupported_media_type',
    `This type of file is not supported. ${SUPPORTED_TYPES_SENTENCE}`,
  );

export const binaryText = (): AtriumError =>
  new AtriumError(
    'invalid',
    'binary_text',
    'The file was sent as text but contains binary data, so it cannot be read. Check that the right file was uploaded.',
  );

export const corruptFile = (format: DocumentFormat, detail?: string): AtriumError =>
  new AtriumError(
    'invalid',
    'corrupt_file',
    `The ${FORMAT_NAMES[format]} could not be read: ${detail ?? 'it is damaged, incomplete or not really of that type'}. ` +
      'Open and save it again, or export it anew, then upload it again.',
  );

export const encryptedFile = (format: DocumentFormat): AtriumError =>
  new AtriumError(
    'invalid',
    'encrypted_file',
    `The ${FORMAT_NAMES[format]} is password-protected. Remove the password and upload it again.`,
  );

export const zipBomb = (reason: string): AtriumError =>
  new AtriumError(
    'invalid',
    'zip_bomb',
    `The file was rejected because ${reason}, far more than a real document needs (a possible "ZIP bomb").`,
  );

export const emptyDocument = (format: DocumentFormat): AtriumError =>
  new AtriumError(
    'invalid',
    'empty_document',
    format === 'pdf'
      ? 'No text was found in the PDF. If it is a scan or contains only images, it needs text recognition (OCR) first.'
      : `No text was found in the ${FORMAT_NAMES[format]}.`,
  );

export const tooManyRows = (limit: number): AtriumError =>
  new AtriumError(
    'too_large',
    'too_many_rows',
    `The CSV file has more than ${limit.toLocaleString('en-US')} rows. Split it into smaller files and upload them separately.`,
  );

export const extractionTimeout = (timeoutMs: number): AtriumError =>
  new AtriumError(
    'invalid',
    'extraction_timeout',
    `Reading the file took longer than ${formatSeconds(timeoutMs)} and was stopped. ` +
      'The file may be too large or malformed; try splitting it or saving it again.',
  );

export const extractionMemory = (maxMemoryMb: number): AtriumError =>
  new AtriumError(
    'invalid',
    'extraction_memory',
    `Reading the file needed more than ${maxMemoryMb} MB of memory and was stopped. ` +
      'The file may be too large or malformed; try splitting it or saving it again.',
  );

export const extractionFailed = (): AtriumError =>
  new AtriumError(
    'invalid',
    'extraction_failed',
    'The file could not be read because the reader stopped unexpectedly. Try uploading it again.',
  );

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return seconds >= 1 ? `${Number(seconds.toFixed(1))} seconds` : `${ms} ms`;
}
