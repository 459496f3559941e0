/**
 * Splits an extracted document into chunks sized in tokens, along its structure.
 *
 * The document's text is its blocks joined by a blank line (`joinBlocks`); every offset
 * refers to that string. A chunk's text is always one contiguous slice of it:
 *
 *   text === joined.slice(endOffset - text.length, endOffset)
 *   joined.slice(startOffset, endOffset)  is the chunk's own content, and the text ends with it
 *   the part before startOffset (if any) is the overlap: the tail of the previous chunk
 *
 * Content ranges of successive chunks never overlap and appear in document order, so
 * the ranges alone locate every chunk in the source, and citations can highlight them.
 *
 * Rules, in order of precedence:
 * - A heading starts a new section: it closes the open chunk if that chunk holds any body
 *   text, and overlap never reaches back across it. Headings shape `headingPath` (by level)
 *   and lead the first chunk of their section when they fit.
 * - Blocks are packed whole, greedily, up to `chunkTokens`. A block that does not fit the
 *   open chunk starts the next one; only a block larger than a whole chunk is cut: at
 *   line ends (lists, tables, code, records), then sentence ends, then word boundaries
 *   within a token window, then bare token boundaries (text without spaces).
 * - Each chunk after the first in a section starts with up to `overlapTokens` tokens of the
 *   previous chunk's tail, cut at a sentence start when one fits, else a word start; after
 *   records, only whole records are repeated.
 * - No chunk exceeds `chunkTokens` (its text, overlap included, counted exactly); overlap
 *   shrinks first when space runs out. `overlapTokens` is capped at half of `chunkTokens`,
 *   and `chunkTokens` is raised to at least 16 (settings are validated well above that).
 */
import type { ChunkingSettings, ChunkMetadata } from '../domain/knowledge.js';
import type { ExtractedBlock } from '../ports/ingestion.js';
import { lastWordBreak, lineRanges, sentenceRanges, trimRange, wordStarts, type Range } from './segments.js';
import { countTokens, tokenPrefixLength, tokenSuffixLength } from './tokens.js';

export interface ChunkDraft {
  /** 0-based position of the chunk in its document. */
  ordinal: number;
  text: string;
  tokenCount: number;
  metadata: ChunkMetadata;
}

export const BLOCK_SEPARATOR = '\n\n';

/** The document text that chunk offsets refer to: block texts joined by a blank line. */
export const joinBlocks = (blocks: readonly ExtractedBlock[]): string =>
  blocks.map((block) => block.text).join(BLOCK_SEPARATOR);

/** The text to embed for a chunk: its heading path first, since headings carry meaning the body often omits. */
export const embeddingTextFor = (chunk: Pick<ChunkDraft, 'text' | 'metadata'>): string =>
  chunk.metadata.headingPath.length > 0 ? `${chunk.metadata.headingPath.join(' > ')}\n${chunk.text}` : chunk.text;

interface Unit {
  kind: 'heading' | 'body' | 'record';
  start: number;
  end: number;
  tokens: number;
  block: number;
  level: number;
}

interface Limits {
  chunk: number;
  overlap: number;
}

const limitsFor = (settings: ChunkingSettings): Limits => {
  const chunk = Math.max(16, Math.floor(settings.chunkTokens));
  const overlap = Math.min(Math.max(0, Math.floor(settings.overlapTokens)), Math.floor(chunk / 2));
  return { chunk, overlap };
};

// ---------------------------------------------------------------------------------------
// Blocks → units (the pieces packing works with)

/** Cuts `[start, end)` into ranges of at most `limit` tokens, preferring word boundaries. */
const tokenWindows = (text: string, start: number, end: number, limit: number): Range[] => {
  const windows: Range[] = [];
  let pos = start;
  while (pos < end) {
    let cut = pos + tokenPrefixLength(text.slice(pos, end), limit);
    if (cut < end) {
      // Back off to the last word boundary, unless that would waste more than half the window.
      const wordBreak = lastWordBreak(text, pos + Math.floor((cut - pos) / 2), cut);
      if (wordBreak !== null) cut = wordBreak;
    }
    const range = trimRange(text, pos, cut);
    if (range) windows.push(range);
    pos = cut;
  }
  return windows;
};

type Splitter = (text: string, start: number, end: number) => Range[];
/** A range with its token count. */
type Piece = readonly [start: number, end: number, tokens: number];

/** Cuts an oversized block, trying each splitter in turn on the parts still too large. */
const splitRange = (text: string, range: Range, limit: number, splitters: Splitter[]): Piece[] => {
  const tokens = countTokens(text.slice(range[0], range[1]));
  if (tokens <= limit) return [[range[0], range[1], tokens]];
  for (let i = 0; i < splitters.length; i++) {
    const parts = splitters[i]!(text, range[0], range[1]);
    if (parts.length > 1) return parts.flatMap((part) => splitRange(text, part, limit, splitters.slice(i + 1)));
  }
  return tokenWindows(text, range[0], range[1], limit).map(([s, e]): Piece => [s, e, countTokens(text.slice(s, e))]);
};

const LINE_FIRST: Splitter[] = [lineRanges, sentenceRanges];
const SENTENCE_FIRST: Splitter[] = [sentenceRanges];

const unitsOf = (blocks: readonly ExtractedBlock[], joined: string, limits: Limits): Unit[] => {
  const units: Unit[] = [];
  let offset = 0;
  blocks.forEach((block, index) => {
    const range = trimRange(joined, offset, offset + block.text.length);
    offset += block.text.length + BLOCK_SEPARATOR.length;
    if (!range) return;
    const tokens = countTokens(joined.slice(range[0], range[1]));
    // A "heading" longer than half a chunk is a mis-extracted paragraph: treat it as body.
    if (block.kind === 'heading' && tokens <= limits.chunk / 2) {
      const level = Math.min(6, Math.max(1, Math.floor(block.level ?? 1)));
      units.push({ kind: 'heading', start: range[0], end: range[1], tokens, block: index, level });
      return;
    }
    const kind = block.kind === 'record' ? 'record' : 'body';
    if (tokens <= limits.chunk) {
      units.push({ kind, start: range[0], end: range[1], tokens, block: index, level: 0 });
      return;
    }
    // Pieces of a cut block leave room for the overlap that will precede them.
    const splitters = block.kind === 'paragraph' ? SENTENCE_FIRST : LINE_FIRST;
    for (const [start, end, pieceTokens] of splitRange(joined, range, limits.chunk - limits.overlap, splitters)) {
      units.push({ kind, start, end, tokens: pieceTokens, block: index, level: 0 });
    }
  });
  return units;
};

// ---------------------------------------------------------------------------------------
// Overlap

/**
 * Where the overlap taken from `previous` (body units of the chunk before, same section)
 * starts, or null for none. The earliest boundary whose tail fits `budget` tokens wins.
 */
const overlapStart = (joined: string, previous: readonly Unit[], budget: number): number | null => {
  const last = previous.at(-1);
  if (budget < 1 || !last) return null;
  const end = last.end;
  const fits = (start: number) => countTokens(joined.slice(start, end)) <= budget;
  /** The earliest candidate (ascending) that fits; tails shrink as the start moves right. */
  const earliest = (candidates: number[]): number | null => {
    let lo = 0;
    let hi = candidates.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (fits(candidates[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return lo < candidates.length ? candidates[lo]! : null;
  };

  if (last.kind === 'record') {
    // Repeat whole records only: a partial row reads as a different row.
    const records: number[] = [];
    for (let i = previous.length - 1; i >= 0 && previous[i]!.kind === 'record'; i--) records.unshift(previous[i]!.start);
    return earliest(records);
  }

  // Look only at the last stretch of text: a tail of `budget` tokens is rarely longer.
  const regionStart = Math.max(previous[0]!.start, end - budget * 12);
  const sentences = previous
    .filter((unit) => unit.end > regionStart)
    .flatMap((unit) => sentenceRanges(joined, unit.start, unit.end).map(([s]) => s))
    .filter((s) => s >= regionStart);
  const bySentence = earliest(sentences);
  if (bySentence !== null) return bySentence;
  const byWord = earliest(wordStarts(joined, regionStart, end));
  if (byWord !== null) return byWord;
  // Text without spaces (CJK, long identifiers): fall back to token boundaries.
  const length = tokenSuffixLength(joined.slice(regionStart, end), budget);
  // A token may begin with the space before a word: start the overlap after it, and
  // re-check, since the word alone can take more tokens than with its space.
  const start = length > 0 ? trimRange(joined, end - length, end)?.[0] : undefined;
  return start !== undefined && fits(start) ? start : null;
};

// ---------------------------------------------------------------------------------------
// Packing

export const chunkDocument = (blocks: readonly ExtractedBlock[], settings: ChunkingSettings): ChunkDraft[] => {
  const joined = joinBlocks(blocks);
  const limits = limitsFor(settings);
  const units = unitsOf(blocks, joined, limits);
  const gapTokens = (from: number, to: number) => (to > from ? countTokens(joined.slice(from, to)) : 0);

  const drafts: ChunkDraft[] = [];
  const path: Array<{ level: number; text: string }> = [];
  let section = 0;
  // The open chunk: leading headings, body units, the overlap before them, and its estimate.
  let heads: Unit[] = [];
  let body: Unit[] = [];
  let overlap: number | null = null;
  let estimate = 0;
  let chunkPath: string[] = [];
  // The previous chunk's body, for overlap, and the section it belonged to.
  let previous: { section: number; body: Unit[] } = { section: -1, body: [] };

  /** Emits the open chunk; returns how many trailing units it gave back to re-pack. */
  const flush = (): number => {
    let given = 0;
    for (;;) {
      const first = heads[0] ?? body[0];
      const last = body.at(-1) ?? heads.at(-1);
      if (!first || !last) return given;
      const textStart = overlap ?? first.start;
      const text = joined.slice(textStart, last.end);
      const tokenCount = countTokens(text);
      // The estimate is conservative, but BPE across joins can surprise: shrink until exact.
      if (tokenCount > limits.chunk) {
        if (overlap !== null) {
          overlap = null;
        } else if (heads.length > 0 && body.length > 0) {
          heads = [];
        } else if (body.length > 1) {
          body.pop();
          given++;
        } else if (heads.length > 1) {
          heads.shift();
        } else {
          // Units are cut to fit a chunk on their own, so this is a bug, not bad input.
          throw new Error(`chunking: a unit of ${tokenCount} tokens exceeds ${limits.chunk}`);
        }
        continue;
      }
      const page = blocks[first.block]?.page;
      drafts.push({
        ordinal: drafts.length,
        text,
        tokenCount,
        metadata: {
          headingPath: chunkPath,
          ...(page !== undefined ? { page } : {}),
          startOffset: first.start,
          endOffset: last.end,
        },
      });
      previous = { section, body };
      heads = [];
      body = [];
      overlap = null;
      estimate = 0;
      return given;
    }
  };

  let i = 0;
  for (;;) {
    const unit = units[i];
    if (!unit) {
      // End of document: emit the open chunk, re-packing anything it gave back.
      const given = body.length > 0 ? flush() : 0;
      if (given === 0) break;
      i -= given;
      continue;
    }
    if (unit.kind === 'heading') {
      if (body.length > 0) {
        const given = flush();
        if (given > 0) {
          i -= given;
          continue;
        }
      }
      section++;
      while (path.length > 0 && path.at(-1)!.level >= unit.level) path.pop();
      path.push({ level: unit.level, text: joined.slice(unit.start, unit.end).replace(/\s+/gu, ' ') });
      heads.push(unit);
      estimate += unit.tokens + gapTokens(heads.at(-2)?.end ?? unit.start, unit.start);
      // Headings of empty sections pile up only as far as a chunk holds.
      while (heads.length > 1 && estimate > limits.chunk) {
        const dropped = heads.shift()!;
        estimate -= dropped.tokens + gapTokens(dropped.end, heads[0]!.start);
      }
      i++;
      continue;
    }

    if (body.length === 0) {
      chunkPath = path.map((heading) => heading.text);
      const lastHead = heads.at(-1);
      if (lastHead && estimate + gapTokens(lastHead.end, unit.start) + unit.tokens > limits.chunk) {
        heads = [];
        estimate = 0;
      }
      if (heads.length > 0) {
        estimate += gapTokens(heads.at(-1)!.end, unit.start);
      } else if (previous.section === section) {
        overlap = overlapStart(joined, previous.body, Math.min(limits.overlap, limits.chunk - unit.tokens - 2));
        estimate = overlap === null ? 0 : countTokens(joined.slice(overlap, unit.start));
      }
      body.push(unit);
      estimate += unit.tokens;
      i++;
      continue;
    }

    const added = gapTokens(body.at(-1)!.end, unit.start) + unit.tokens;
    if (estimate + added <= limits.chunk) {
      body.push(unit);
      estimate += added;
      i++;
    } else {
      i -= flush();
    }
  }
  // A document of headings alone still yields its text; trailing empty headings do not.
  if (heads.length > 0 && drafts.length === 0) {
    chunkPath = path.map((heading) => heading.text);
    flush();
  }
  return drafts;
};
