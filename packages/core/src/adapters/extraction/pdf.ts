/**
 * PDF → per-page blocks with their 1-based page number, via unpdf (Mozilla pdf.js built
 * for server runtimes). Script evaluation is off: a PDF is untrusted input and pdf.js
 * would otherwise compile font programs with `new Function`.
 *
 * pdf.js yields positioned text runs, not paragraphs. Runs are joined into lines, and a
 * new paragraph starts where the vertical gap between lines is clearly larger than the
 * page's usual line spacing. A short line set in a noticeably larger font than the body
 * text becomes a heading.
 */
import { getDocumentProxy } from 'unpdf';
import type { ExtractedBlock, ExtractedDocument } from '../../ports/ingestion.js';
import { corruptFile, encryptedFile } from './extraction-errors.js';

interface Line {
  text: string;
  /** Baseline in PDF space (origin bottom-left, so it decreases down the page). */
  y: number;
  fontSize: number;
}

/** A gap this many times the usual line spacing separates paragraphs. */
const PARAGRAPH_GAP_FACTOR = 1.5;
/** A line this many times the body font size (and short) is a heading. */
const HEADING_FONT_FACTOR = 1.2;
const MAX_HEADING_LENGTH = 150;

export async function extractPdf(bytes: Uint8Array): Promise<ExtractedDocument> {
  const pdf = await openPdf(bytes);
  try {
    const blocks: ExtractedBlock[] = [];
    for (let pageNumber = 1; pageNumber <= pdf.numPages; pageNumber += 1) {
      const page = await pdf.getPage(pageNumber);
      const content = await page.getTextContent();
      blocks.push(...pageBlocks(linesOf(content.items), pageNumber));
      page.cleanup();
    }
    const title = await metadataTitle(pdf);
    return title ? { format: 'pdf', title, blocks } : { format: 'pdf', blocks };
  } catch {
    throw corruptFile('pdf', 'part of it is damaged');
  } finally {
    await pdf.destroy();
  }
}

async function openPdf(bytes: Uint8Array): ReturnType<typeof getDocumentProxy> {
  try {
    // pdf.js may take ownership of (detach) the buffer it is given: hand it a copy.
    return await getDocumentProxy(bytes.slice(), {
      isEvalSupported: false,
      useSystemFonts: false,
      disableFontFace: true,
      verbosity: 0,
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'PasswordException') throw encryptedFile('pdf');
    throw corruptFile('pdf', 'it is damaged or incomplete');
  }
}

type TextContentItem = { str?: string; transform?: number[]; height?: number; hasEOL?: boolean };

function linesOf(items: readonly object[]): Line[] {
  const lines: Line[] = [];
  let current: Line | null = null;
  for (const item of items as readonly TextContentItem[]) {
    if (typeof item.str !== 'string') continue; // marked-content markers carry no text
    const y: number = item.transform?.[5] ?? current?.y ?? 0;
    const fontSize = Math.abs(item.height ?? item.transform?.[3] ?? 0);
    if (current && item.str !== '' && Math.abs(y - current.y) > Math.max(current.fontSize, fontSize) * 0.5) {
      lines.push(current); // the run moved to another line without an explicit line end
      current = null;
    }
    current ??= { text: '', y, fontSize };
    current.text += item.str;
    current.fontSize = Math.max(current.fontSize, fontSize);
    if (item.hasEOL) {
      lines.push(current);
      current = null;
    }
  }
  if (current) lines.push(current);
  return lines.map((line) => ({ ...line, text: line.text.replace(/\s+/g, ' ').trim() }));
}

function pageBlocks(allLines: Line[], page: number): ExtractedBlock[] {
  const lines = allLines.filter((line) => line.text !== '');
  // The lower quartile of the gaps is the ordinary line spacing even on short pages
  // where paragraph gaps are as frequent as line gaps.
  const lineGap = quantile(lines.slice(1).map((line, i) => lines[i]!.y - line.y).filter((gap) => gap > 0), 0.25);
  const bodyFontSize = quantile(lines.map((line) => line.fontSize), 0.5);
  const blocks: ExtractedBlock[] = [];
  let paragraph: string[] = [];
  const flush = (): void => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', text: paragraph.join(' '), page });
    paragraph = [];
  };
  lines.forEach((line, i) => {
    const previous = lines[i - 1];
    const gap = previous ? previous.y - line.y : 0;
    // A jump upwards (gap < 0) is a new column or a new text box: also a new paragraph.
    if (previous && (gap < 0 || (lineGap > 0 && gap > lineGap * PARAGRAPH_GAP_FACTOR))) flush();
    const isHeading =
      bodyFontSize > 0 && line.fontSize >= bodyFontSize * HEADING_FONT_FACTOR && line.text.length <= MAX_HEADING_LENGTH;
    if (isHeading) {
      flush();
      const level = line.fontSize >= bodyFontSize * 1.6 ? 1 : 2;
      blocks.push({ kind: 'heading', level, text: line.text, page });
    } else {
      paragraph.push(line.text);
    }
  });
  flush();
  return mergeHeadingRuns(blocks);
}

/** A heading that wraps onto two lines comes out as two heading blocks: join them. */
function mergeHeadingRuns(blocks: ExtractedBlock[]): ExtractedBlock[] {
  const merged: ExtractedBlock[] = [];
  for (const block of blocks) {
    const last = merged[merged.length - 1];
    if (last && last.kind === 'heading' && block.kind === 'heading' && last.level === block.level) {
      last.text = `${last.text} ${block.text}`;
    } else {
      merged.push({ ...block });
    }
  }
  return merged;
}

async function metadataTitle(pdf: Awaited<ReturnType<typeof getDocumentProxy>>): Promise<string | undefined> {
  try {
    const { info } = (await pdf.getMetadata()) as { info?: { Title?: unknown } };
    const title = typeof info?.Title === 'string' ? info.Title.replace(/^Microsoft Word - /, '').trim() : '';
    return title || undefined;
  } catch {
    return undefined; // a broken metadata dictionary should not fail an otherwise readable PDF
  }
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) * q)]!;
}
