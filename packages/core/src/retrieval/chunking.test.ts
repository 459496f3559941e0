import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChunkingSettings } from '../domain/knowledge.js';
import type { ExtractedBlock } from '../ports/ingestion.js';
import { chunkDocument, embeddingTextFor, joinBlocks, type ChunkDraft } from './chunking.js';
import { countTokens } from './tokens.js';

const h = (level: number, text: string): ExtractedBlock => ({ kind: 'heading', level, text });
const p = (text: string, page?: number): ExtractedBlock => ({ kind: 'paragraph', text, ...(page ? { page } : {}) });
const record = (text: string): ExtractedBlock => ({ kind: 'record', text });

/** `n` distinct sentences, so every position in the text is recognisable. */
const sentences = (n: number, topic = 'refund'): string =>
  Array.from({ length: n }, (_, i) => `Sentence ${i} explains the ${topic} rules in plain words.`).join(' ');

/** The overlap part of a chunk: text before its own content. */
const overlapOf = (chunk: ChunkDraft): string =>
  chunk.text.slice(0, chunk.text.length - (chunk.metadata.endOffset - chunk.metadata.startOffset));

/** The invariants every chunking must keep (see the contract at the top of chunking.ts). */
const expectInvariants = (blocks: ExtractedBlock[], chunks: ChunkDraft[], settings: ChunkingSettings) => {
  const joined = joinBlocks(blocks);
  chunks.forEach((chunk, i) => {
    const { startOffset, endOffset } = chunk.metadata;
    expect(chunk.ordinal).toBe(i);
    // Exact size, within the limit.
    expect(chunk.tokenCount).toBe(countTokens(chunk.text));
    expect(chunk.tokenCount).toBeLessThanOrEqual(settings.chunkTokens);
    // The text is one slice of the joined text that ends with the chunk's own content.
    expect(startOffset).toBeLessThan(endOffset);
    expect(chunk.text).toBe(joined.slice(endOffset - chunk.text.length, endOffset));
    expect(chunk.text.endsWith(joined.slice(startOffset, endOffset))).toBe(true);
    expect(chunk.text).toBe(chunk.text.trim());
    const previous = chunks[i - 1];
    if (previous) {
      // Content ranges are in order and disjoint; overlap only repeats the previous chunk's content.
      expect(startOffset).toBeGreaterThanOrEqual(previous.metadata.endOffset);
      const overlap = overlapOf(chunk);
      if (overlap !== '') {
        expect(endOffset - chunk.text.length).toBeGreaterThanOrEqual(previous.metadata.startOffset);
        expect(countTokens(overlap.trim())).toBeLessThanOrEqual(Math.min(settings.overlapTokens, settings.chunkTokens / 2));
        expect(chunk.metadata.headingPath).toEqual(previous.metadata.headingPath);
      }
    } else {
      expect(overlapOf(chunk)).toBe('');
    }
  });
};

/** Every non-heading block's text lies inside some chunk's own content. */
const expectCoverage = (blocks: ExtractedBlock[], chunks: ChunkDraft[]) => {
  let offset = 0;
  for (const block of blocks) {
    const start = offset;
    offset += block.text.length + 2;
    if (block.kind === 'heading' || block.text.trim() === '') continue;
    for (let at = start; at < start + block.text.length; at++) {
      if (/\s/u.test(block.text[at - start]!)) continue;
      expect(chunks.some((c) => c.metadata.startOffset <= at && at < c.metadata.endOffset)).toBe(true);
    }
  }
};

describe('chunkDocument', () => {
  const settings: ChunkingSettings = { chunkTokens: 64, overlapTokens: 16 };

  it('returns nothing for empty input', () => {
    expect(chunkDocument([], settings)).toEqual([]);
    expect(chunkDocument([p(''), p('  \n ')], settings)).toEqual([]);
  });

  it('keeps a small document in one chunk with exact offsets', () => {
    const blocks = [h(1, 'Refunds'), p('You can refund any paid invoice.'), p('Fees are not returned.')];
    const chunks = chunkDocument(blocks, settings);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({
      ordinal: 0,
      text: 'Refunds\n\nYou can refund any paid invoice.\n\nFees are not returned.',
      metadata: { headingPath: ['Refunds'], startOffset: 0, endOffset: joinBlocks(blocks).length },
    });
  });

  it('tracks nested heading paths and starts a chunk at every heading', () => {
    const blocks = [
      h(1, 'Handbook'), p('Intro.'),
      h(2, 'Leave'), p('About leave.'),
      h(3, 'Sick leave'), p('About sick leave.'),
      h(2, 'Pay'), p('About pay.'),
      h(1, 'Appendix'), p('Extra.'),
    ];
    const chunks = chunkDocument(blocks, settings);
    expect(chunks.map((c) => c.metadata.headingPath)).toEqual([
      ['Handbook'],
      ['Handbook', 'Leave'],
      ['Handbook', 'Leave', 'Sick leave'],
      ['Handbook', 'Pay'],
      ['Appendix'],
    ]);
    expect(chunks.map((c) => c.text)).toEqual([
      'Handbook\n\nIntro.',
      'Leave\n\nAbout leave.',
      'Sick leave\n\nAbout sick leave.',
      'Pay\n\nAbout pay.',
      'Appendix\n\nExtra.',
    ]);
    expectInvariants(blocks, chunks, settings);
  });

  it('lets consecutive headings share a chunk with the first body text', () => {
    const chunks = chunkDocument([h(1, 'Guide'), h(2, 'Setup'), p('Install it.')], settings);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.text).toBe('Guide\n\nSetup\n\nInstall it.');
    expect(chunks[0]!.metadata.headingPath).toEqual(['Guide', 'Setup']);
  });

  it('keeps a document of headings alone, but drops trailing empty headings', () => {
    expect(chunkDocument([h(1, 'Title only')], settings).map((c) => c.text)).toEqual(['Title only']);
    expect(chunkDocument([p('Body.'), h(2, 'Empty section')], settings).map((c) => c.text)).toEqual(['Body.']);
  });

  it('packs whole paragraphs and moves one that does not fit to the next chunk', () => {
    const first = sentences(3);
    const second = sentences(3, 'payment');
    expect(countTokens(first) + countTokens(second)).toBeGreaterThan(64);
    const blocks = [p(first), p(second)];
    const chunks = chunkDocument(blocks, { chunkTokens: 64, overlapTokens: 0 });
    expect(chunks.map((c) => c.text)).toEqual([first, second]);
  });

  it('starts each following chunk of a section with the previous tail, from a sentence start', () => {
    const blocks = [h(1, 'Policy'), p(sentences(40))];
    const chunks = chunkDocument(blocks, settings);
    expect(chunks.length).toBeGreaterThan(5);
    expectInvariants(blocks, chunks, settings);
    expectCoverage(blocks, chunks);
    for (const chunk of chunks.slice(1)) {
      const overlap = overlapOf(chunk);
      expect(overlap).toMatch(/^Sentence \d+ /); // a whole sentence, not a fragment
      expect(countTokens(overlap.trim())).toBeLessThanOrEqual(16);
    }
  });

  it('never carries overlap across a heading', () => {
    const blocks = [h(1, 'A'), p(sentences(12)), h(2, 'B'), p(sentences(12, 'tax')), h(1, 'C'), p(sentences(12, 'fee'))];
    const chunks = chunkDocument(blocks, settings);
    expectInvariants(blocks, chunks, settings);
    for (const [i, chunk] of chunks.entries()) {
      const previous = chunks[i - 1];
      if (!previous || previous.metadata.headingPath.join('/') !== chunk.metadata.headingPath.join('/')) {
        expect(overlapOf(chunk)).toBe('');
        expect(chunk.text).toMatch(/^[ABC]\n\n/); // the section's first chunk leads with its heading
      } else {
        expect(overlapOf(chunk)).not.toBe('');
      }
    }
  });

  it('uses no overlap when overlapTokens is 0, and caps it at half a chunk', () => {
    const blocks = [p(sentences(30))];
    for (const chunk of chunkDocument(blocks, { chunkTokens: 64, overlapTokens: 0 })) expect(overlapOf(chunk)).toBe('');
    const capped = { chunkTokens: 64, overlapTokens: 500 };
    const chunks = chunkDocument(blocks, capped);
    expectInvariants(blocks, chunks, capped);
    expect(Math.max(...chunks.slice(1).map((c) => countTokens(overlapOf(c).trim())))).toBeLessThanOrEqual(32);
  });

  it('splits a huge paragraph at sentence ends and covers all of it', () => {
    const blocks = [p(sentences(400))];
    const big = { chunkTokens: 256, overlapTokens: 32 };
    const chunks = chunkDocument(blocks, big);
    expect(chunks.length).toBeGreaterThan(15);
    expectInvariants(blocks, chunks, big);
    expectCoverage(blocks, chunks);
    for (const chunk of chunks) {
      expect(chunk.text).toMatch(/^Sentence \d+ /);
      expect(chunk.text).toMatch(/words\.$/);
    }
  });

  it('splits a sentence longer than a chunk at word boundaries', () => {
    const words = Array.from({ length: 600 }, (_, i) => `word${i}`).join(' ');
    const blocks = [p(words)];
    const chunks = chunkDocument(blocks, settings);
    expectInvariants(blocks, chunks, settings);
    expectCoverage(blocks, chunks);
    const joined = joinBlocks(blocks);
    for (const chunk of chunks) {
      // Content starts and ends on whole words.
      expect(joined[chunk.metadata.startOffset - 1] ?? ' ').toBe(' ');
      expect(joined[chunk.metadata.endOffset] ?? ' ').toBe(' ');
    }
  });

  it('splits text without spaces at token boundaries without breaking characters', () => {
    const blocks = [p('漢字と仮名の混じった長い文字列'.repeat(80)), p('🙂👍🏽🎉'.repeat(120)), p('QUJD'.repeat(800))];
    const chunks = chunkDocument(blocks, settings);
    expectInvariants(blocks, chunks, settings);
    expectCoverage(blocks, chunks);
    for (const chunk of chunks) {
      expect(chunk.text.isWellFormed()).toBe(true);
      expect(chunk.text).not.toContain('\uFFFD');
    }
  });

  it('handles CJK sentences and emoji', () => {
    const blocks = [h(1, '返金について'), p('返金は三十日以内に可能です。手数料は返金されません！'.repeat(20)), p('Thanks 🙏🏽 for reading 🎉.')];
    const chunks = chunkDocument(blocks, settings);
    expectInvariants(blocks, chunks, settings);
    expectCoverage(blocks, chunks);
    expect(chunks.every((c) => c.metadata.headingPath[0] === '返金について')).toBe(true);
    // CJK sentences end with full-width punctuation: overlap starts right after one.
    const joined = joinBlocks(blocks);
    for (const chunk of chunks.slice(1)) {
      const textStart = chunk.metadata.endOffset - chunk.text.length;
      if (textStart < chunk.metadata.startOffset) expect(joined[textStart - 1]).toMatch(/[。！]/);
    }
  });

  it('never splits a record across chunks, and overlaps whole records only', () => {
    const rows = Array.from({ length: 60 }, (_, i) => record(`id: ${i}, customer: Customer ${i}, amount: ${i * 7}.50 EUR, status: paid`));
    const chunks = chunkDocument(rows, settings);
    expectInvariants(rows, chunks, settings);
    expectCoverage(rows, chunks);
    const joined = joinBlocks(rows);
    let offset = 0;
    for (const row of rows) {
      const start = offset;
      const end = offset + row.text.length;
      offset = end + 2;
      const holders = chunks.filter((c) => c.metadata.startOffset < end && start < c.metadata.endOffset);
      expect(holders).toHaveLength(1);
      expect(holders[0]!.metadata.startOffset).toBeLessThanOrEqual(start);
      expect(holders[0]!.metadata.endOffset).toBeGreaterThanOrEqual(end);
    }
    for (const chunk of chunks.slice(1)) {
      const textStart = chunk.metadata.endOffset - chunk.text.length;
      expect(joined.slice(textStart)).toMatch(/^id: \d+,/);
    }
  });

  it('splits a single record only when it alone exceeds a chunk', () => {
    const huge = record(Array.from({ length: 80 }, (_, i) => `field${i}: value ${i}`).join(', '));
    const blocks = [record('id: 1, ok'), huge, record('id: 3, ok')];
    const chunks = chunkDocument(blocks, settings);
    expectInvariants(blocks, chunks, settings);
    expectCoverage(blocks, chunks);
    expect(chunks.length).toBeGreaterThan(3);
  });

  it('records the page of the chunk’s first block', () => {
    const blocks = [p(sentences(4), 1), p(sentences(4, 'tax'), 2), p(sentences(4, 'fee'), 3)];
    const chunks = chunkDocument(blocks, { chunkTokens: 64, overlapTokens: 0 });
    expect(chunks.map((c) => c.metadata.page)).toEqual([1, 2, 3]);
    expect(chunkDocument([p('No pages here.')], settings)[0]!.metadata).not.toHaveProperty('page');
  });

  it('is deterministic', () => {
    const blocks = [h(1, 'A'), p(sentences(50)), h(2, 'B'), p('x '.repeat(300))];
    expect(chunkDocument(blocks, settings)).toEqual(chunkDocument(blocks, settings));
  });

  it('keeps its invariants on arbitrary documents', () => {
    const word = fc.constantFrom('refund', 'invoice', 'the', 'tax', '税金', '🙂', 'x'.repeat(30), 'a.', 'Done!', 'e.g.', '—');
    const text = fc
      .tuple(fc.array(word, { maxLength: 120 }), fc.constantFrom(' ', '  ', '\n', ''))
      .map(([words, separator]) => words.join(separator));
    const block = fc.oneof(
      fc.record({ kind: fc.constant('heading' as const), level: fc.integer({ min: 1, max: 6 }), text }),
      fc.record({ kind: fc.constantFrom('paragraph' as const, 'list' as const, 'code' as const, 'record' as const, 'table' as const), text }),
    );
    const config = fc.record({ chunkTokens: fc.integer({ min: 16, max: 120 }), overlapTokens: fc.integer({ min: 0, max: 40 }) });
    fc.assert(
      fc.property(fc.array(block, { maxLength: 12 }), config, (blocks, chunking) => {
        const chunks = chunkDocument(blocks, chunking);
        expectInvariants(blocks, chunks, { ...chunking, overlapTokens: Math.min(chunking.overlapTokens, Math.floor(chunking.chunkTokens / 2)) });
        expectCoverage(blocks, chunks);
      }),
      { numRuns: 150, seed: 42 },
    );
  });
});

describe('embeddingTextFor', () => {
  it('puts the heading path before the text', () => {
    const metadata = { headingPath: ['Billing', 'Refunds'], startOffset: 0, endOffset: 4 };
    expect(embeddingTextFor({ text: 'Body', metadata })).toBe('Billing > Refunds\nBody');
    expect(embeddingTextFor({ text: 'Body', metadata: { ...metadata, headingPath: [] } })).toBe('Body');
  });
});
