/**
 * Plain text: paragraphs are separated by blank lines. Line breaks inside a paragraph
 * are kept (they often carry meaning in notes, addresses and poems).
 */
import type { ExtractedDocument } from '../../ports/ingestion.js';

export function extractText(text: string): ExtractedDocument {
  const blocks = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.replace(/[ \t]+$/gm, '').trim())
    .filter((paragraph) => paragraph !== '')
    .map((paragraph) => ({ kind: 'paragraph' as const, text: paragraph }));
  return { format: 'text', blocks };
}
