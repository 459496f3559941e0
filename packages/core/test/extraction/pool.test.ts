/**
 * The extraction threads are pooled: starting one per document cost more than parsing
 * most documents. These tests pin down the pool's contract: threads are reused, bounded
 * in number and in documents served, and replaced whenever one fails in a way that is not
 * the document's own fault.
 */
import { describe, expect, it } from 'vitest';
import { createExtractorPool, type ExtractorPool } from '../../src/adapters/extraction/isolated-extractor.js';
import { upload, utf8 } from './fixtures.js';

const limits = { timeoutMs: 30_000, maxMemoryMb: 256 };
const scripted = new URL('./workers/scripted.worker.ts', import.meta.url);
const neverAnswers = new URL('./workers/never-answers.worker.ts', import.meta.url);
const text = (filename: string) => ({ bytes: utf8(filename), filename });

/** Runs `use` with a fresh pool, closed afterwards whatever happens. */
const withPool = async (pool: ExtractorPool, use: (pool: ExtractorPool) => Promise<void>) => {
  try {
    await use(pool);
  } finally {
    await pool.close();
  }
};

describe('extraction thread pool', () => {
  it('extracts one document after another in the same thread', async () => {
    await withPool(createExtractorPool(limits, { size: 1 }), async (pool) => {
      await expect(pool.extract(upload('people.csv'))).resolves.toMatchObject({ format: 'csv' });
      await expect(pool.extract(upload('notes.txt'))).resolves.toMatchObject({ format: 'text' });
      await expect(pool.extract(upload('two-pages.pdf'))).resolves.toMatchObject({ format: 'pdf' });
      expect(pool.started).toBe(1);
    });
  });

  it('keeps a thread after the document’s own failure, and replaces one after maxDocumentsPerWorker', async () => {
    await withPool(createExtractorPool(limits, { size: 1, maxDocumentsPerWorker: 2 }), async (pool) => {
      await expect(pool.extract(upload('zip-bomb.docx'))).rejects.toMatchObject({ code: 'zip_bomb' });
      await expect(pool.extract(upload('people.csv'))).resolves.toMatchObject({ format: 'csv' });
      expect(pool.started).toBe(1);
      await expect(pool.extract(upload('notes.txt'))).resolves.toMatchObject({ format: 'text' });
      expect(pool.started).toBe(2);
    });
  });

  it('replaces a thread that crashed, and answers the next document from a new one', async () => {
    await withPool(createExtractorPool(limits, { size: 1, workerEntry: scripted }), async (pool) => {
      const first = await pool.extract(text('a.txt'));
      await expect(pool.extract(text('crash.txt'))).rejects.toMatchObject({ code: 'extraction_failed' });
      const next = await pool.extract(text('b.txt'));
      expect(next.blocks[0]?.text).toBe('b.txt');
      expect(next.title).not.toBe(first.title); // another thread
      expect(pool.started).toBe(2);
    });
  });

  it('replaces a thread that timed out', async () => {
    await withPool(createExtractorPool({ timeoutMs: 500, maxMemoryMb: 128 }, { size: 1, workerEntry: neverAnswers }), async (pool) => {
      await expect(pool.extract(text('a.txt'))).rejects.toMatchObject({ code: 'extraction_timeout' });
      await expect(pool.extract(text('b.txt'))).rejects.toMatchObject({ code: 'extraction_timeout' });
      expect(pool.started).toBe(2);
    });
  });

  it('runs at most `size` extractions at once; the others wait their turn', async () => {
    await withPool(createExtractorPool(limits, { size: 2, workerEntry: scripted }), async (pool) => {
      const results = await Promise.all(['1', '2', '3', '4', '5'].map((n) => pool.extract(text(`${n}.txt`))));
      expect(results.map((r) => r.blocks[0]?.text)).toEqual(['1.txt', '2.txt', '3.txt', '4.txt', '5.txt']);
      expect(pool.started).toBe(2);
      expect(new Set(results.map((r) => r.title)).size).toBe(2);
    });
  });

  it('fails extractions under way and later ones once closed', async () => {
    const pool = createExtractorPool({ timeoutMs: 30_000, maxMemoryMb: 128 }, { size: 1, workerEntry: neverAnswers });
    // Settled while close() runs, before the assertions look: caught up front.
    const pending = pool.extract(text('a.txt')).catch((error: unknown) => error);
    const queued = pool.extract(text('b.txt')).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await pool.close();
    expect(await pending).toMatchObject({ code: 'extraction_failed' });
    expect(await queued).toMatchObject({ code: 'extraction_failed' });
    await expect(pool.extract(text('c.txt'))).rejects.toMatchObject({ code: 'extraction_failed' });
  });
});
