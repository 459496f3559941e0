/**
 * What is this file? Decided from its bytes, never from its name or declared type alone:
 * a renamed PNG is still a PNG. Binary formats are recognised by magic numbers
 * (file-type); a ZIP counts as DOCX only if its central directory lists
 * word/document.xml (read without inflating, with the ZIP-bomb checks applied). Text is
 * text when it decodes cleanly with few control characters; only then may the name and
 * declared type break ties between the text formats (CSV vs Markdown vs plain).
 *
 * Text is text: a magic number is two to five bytes, and prose can begin with them
 * ("BMI-1 is overexpressed…" reads as a BMP, "MZ" as an executable, "ID3" as audio). A
 * real image, executable or audio file never decodes cleanly as text (headers hold binary
 * integers), so bytes that do are text whatever their first bytes say. Except a PDF,
 * which may be pure ASCII: it is a PDF when its trailer (`%%EOF`, `startxref`) says so or
 * when it is not text. Text the client sent as text (JSON `{title, text}`) is never
 * sniffed for binary formats at all.
 */
import { fileTypeFromBuffer } from 'file-type';
import type { DocumentFormat } from '../../domain/knowledge.js';
import type { ExtractionInput } from '../../ports/ingestion.js';
import { looksLikeCsv } from './csv.js';
import { decodeText, hasByteOrderMark } from './text-decoding.js';
import { assertZipDirectoryIsSafe, looksLikeZip, readZipDirectory } from './zip-guard.js';

export type SniffedDocument =
  | { format: 'pdf' | 'docx' }
  /** Text formats carry the decoded text so it is decoded once. */
  | { format: 'html' | 'markdown' | 'text' | 'csv'; text: string };

/** Magic-number results that may still be text we read (file-type recognises some XML-based text). */
const TEXTUAL_MIME_PREFIXES = ['text/', 'application/xml', 'application/xhtml'];
/**
 * Detection alone looks at this much of a text file, so it stays cheap on the caller's
 * thread; extraction decodes everything and fails with `binary_text` if the rest is not text.
 */
const DETECTION_SAMPLE_BYTES = 1024 * 1024;
/** How far into a text file HTML markers are looked for. */
const HTML_SNIFF_CHARS = 2048;

/**
 * The detected format, or null when the bytes are of a type we do not read. Throws an
 * `invalid` AtriumError for a hostile or broken DOCX, so an upload can refuse it at once.
 */
export async function detectFormat(input: ExtractionInput): Promise<DocumentFormat | null> {
  return (await sniffDocument(input, { sampleBytes: DETECTION_SAMPLE_BYTES }))?.format ?? null;
}

/**
 * Like detectFormat, but keeps the decoded text. Throws `zip_bomb` / `corrupt_file` for
 * hostile or broken DOCX archives, so those are refused at upload time.
 */
export async function sniffDocument(
  input: ExtractionInput,
  options: { sampleBytes?: number } = {},
): Promise<SniffedDocument | null> {
  const { bytes } = input;
  if (input.knownText) {
    const text = decodeText(bytes, options);
    return text === null ? null : { format: classifyText(text, input), text };
  }
  // ZIPs bypass file-type, which inflates entries (up to 1 MiB each) to tell OOXML
  // flavours apart: here nothing inflates before the ZIP guard has run.
  if (looksLikeZip(bytes)) return (await isDocx(bytes)) ? { format: 'docx' } : null;
  // A byte-order mark announces text; magic-number tables would misread FF FE as audio.
  if (!hasByteOrderMark(bytes)) {
    const magic = await fileTypeFromBuffer(bytes);
    if (magic && !TEXTUAL_MIME_PREFIXES.some((prefix) => magic.mime.startsWith(prefix))) {
      const text = decodeText(bytes, options);
      if (magic.ext === 'pdf' && (text === null || hasPdfTrailer(bytes))) return { format: 'pdf' };
      return text === null ? null : { format: classifyText(text, input), text };
    }
  }
  const text = decodeText(bytes, options);
  if (text === null) return null;
  return { format: classifyText(text, input), text };
}

/** A PDF ends with `%%EOF` after its `startxref`; prose that starts with "%PDF-" does not. */
function hasPdfTrailer(bytes: Uint8Array): boolean {
  const tail = new TextDecoder('latin1').decode(bytes.subarray(Math.max(0, bytes.byteLength - 2048)));
  return tail.includes('%%EOF') || tail.includes('startxref');
}

async function isDocx(bytes: Uint8Array): Promise<boolean> {
  const entries = await readZipDirectory(bytes);
  if (!entries.some((entry) => entry.name === 'word/document.xml')) return false; // xlsx, pptx, plain zip
  assertZipDirectoryIsSafe(entries);
  return true;
}

type TextFormat = 'html' | 'markdown' | 'text' | 'csv';

function classifyText(text: string, input: ExtractionInput): TextFormat {
  const declared = (input.declaredType ?? '').split(';')[0]!.trim().toLowerCase();
  const extension = /\.([a-z0-9]+)$/i.exec(input.filename ?? '')?.[1]?.toLowerCase() ?? '';
  if (looksLikeHtml(text, declared === 'text/html' || extension === 'html' || extension === 'htm')) return 'html';
  const claimsCsv = ['text/csv', 'application/csv', 'text/tab-separated-values'].includes(declared) || ['csv', 'tsv'].includes(extension);
  if (claimsCsv && looksLikeCsv(text)) return 'csv';
  const claimsMarkdown = declared === 'text/markdown' || declared === 'text/x-markdown' || ['md', 'markdown'].includes(extension);
  if (claimsMarkdown || hasStrongMarkdownSignals(text)) return 'markdown';
  return 'text';
}

function looksLikeHtml(text: string, claimed: boolean): boolean {
  const start = text.slice(0, HTML_SNIFF_CHARS).trimStart();
  if (!start.startsWith('<')) return false;
  if (/<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]/i.test(start)) return true;
  // A fragment such as "<p>Hello</p>" counts only when the client also said it is HTML.
  return claimed && /<[a-z][a-z0-9]*[\s>/]/i.test(start);
}

/**
 * Markdown without a name or type: require structure that plain prose rarely has —
 * ATX headings, fenced code, links, tables — not just a hyphenated list.
 */
function hasStrongMarkdownSignals(text: string): boolean {
  const sample = text.slice(0, 64 * 1024);
  const count = (pattern: RegExp): number => sample.match(pattern)?.length ?? 0;
  const headings = count(/^#{1,6}[ \t]+\S/gm);
  const fences = count(/^(```|~~~)/gm);
  const links = count(/\[[^\]\n]+\]\([^)\s]+\)/g);
  const tableRules = count(/^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$/gm);
  const listItems = count(/^[ \t]*([-*+]|\d+\.)[ \t]+\S/gm);
  const score = headings * 2 + fences + links + tableRules * 2 + Math.min(listItems, 3);
  return (headings > 0 || fences > 0 || links > 0 || tableRules > 0) && score >= 3;
}
