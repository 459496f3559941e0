/**
 * The isolated extractor runs parsers in worker threads: a document that hangs or eats
 * memory fails alone, with a clear error, and this (parent) process carries on.
 * Some tests substitute small misbehaving workers (workers/*.worker.ts) for the real one
 * so each failure mode is produced on purpose rather than by luck of timing.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createIsolatedExtractor } from '../../src/adapters/extraction/index.js';
import { extractInWorker } from '../../src/adapters/extraction/isolated-extractor.js';
import { upload, utf8 } from './fixtures.js';

const testWorker = (name: string): URL => new URL(`./workers/${name}.worker.ts`, import.meta.url);
const anyInput = upload('notes.txt');

/** A CSV big enough that reading it takes a while and needs a few hundred MB of heap objects. */
function largeCsv(rows: number): Uint8Array {
  const lines = ['id,name,notes'];
  for (let i = 0; i < rows; i += 1) lines.push(`${i},Person ${i},Notes about person ${i} that take a little space`);
  return utf8(lines.join('\n'));
}

describe('isolated extractor (worker threads)', () => {
  it('extracts real documents in a worker, with the same results as in-process', async () => {
    const extractor = createIsolatedExtractor();
    const pdf = await extractor.extract(upload('two-pages.pdf'));
    expect(pdf.blocks.map((block) => block.page)).toEqual([1, 1, 1, 2, 2]);
    const docx = await extractor.extract(upload('report.docx'));
    expect(docx.blocks).toContainEqual({ kind: 'table', text: '| Item | Cost |\n| Dredging | 120000 |\n| Crane | 450000 |' });
  });

  it('carries AtriumErrors from the worker back with their kind, code and message', async () => {
    const extractor = createIsolatedExtractor();
    await expect(extractor.extract(upload('zip-bomb.docx'))).rejects.toMatchObject({ kind: 'invalid', code: 'zip_bomb' });
    await expect(extractor.extract(upload('truncated.pdf'))).rejects.toMatchObject({ kind: 'invalid', code: 'corrupt_file' });
    await expect(extractor.extract(upload('empty.docx'))).rejects.toMatchObject({ code: 'empty_document' });
    await expect(extractor.extract(upload('image-named.pdf'))).rejects.toMatchObject({
      kind: 'unsupported',
      code: 'unsupported_media_type',
    });
  });

  it('detects in-process, without starting a worker', async () => {
    await expect(createIsolatedExtractor({ timeoutMs: 1 }).detect(upload('report.docx'))).resolves.toBe('docx');
  });

  it('stops a real extraction that exceeds the time limit, and keeps working afterwards', async () => {
    const extractor = createIsolatedExtractor({ timeoutMs: 200 });
    await expect(extractor.extract({ bytes: largeCsv(150_000), filename: 'big.csv' })).rejects.toMatchObject({
      kind: 'invalid',
      code: 'extraction_timeout',
      message: expect.stringContaining('longer than 200 ms'),
    });
    await expect(createIsolatedExtractor().extract(upload('people.csv'))).resolves.toMatchObject({ format: 'csv' });
  });

  it('terminates a worker that never answers (its heartbeat stops)', async () => {
    const heartbeats = new BroadcastChannel('atrium-extraction-test-heartbeat');
    let beats = 0;
    heartbeats.onmessage = () => (beats += 1);
    try {
      await expect(extractInWorker(anyInput, { timeoutMs: 1_500, maxMemoryMb: 256 }, testWorker('never-answers'))).rejects.toMatchObject({
        code: 'extraction_timeout',
      });
      expect(beats).toBeGreaterThan(0); // it was alive and beating until the deadline
      await new Promise((resolve) => setTimeout(resolve, 100)); // let in-flight beats arrive
      const afterTermination = beats;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(beats).toBe(afterTermination);
    } finally {
      heartbeats.close();
    }
  });

  it('terminates a worker stuck in a busy loop', async () => {
    const started = performance.now();
    await expect(extractInWorker(anyInput, { timeoutMs: 1_000, maxMemoryMb: 256 }, testWorker('busy-loop'))).rejects.toMatchObject({
      code: 'extraction_timeout',
    });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('turns a worker running out of heap into extraction_memory, and the test process survives', async () => {
    const error = await extractInWorker(anyInput, { timeoutMs: 30_000, maxMemoryMb: 64 }, testWorker('memory-hog')).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      kind: 'invalid',
      code: 'extraction_memory',
      message: expect.stringContaining('more than 64 MB of memory'),
    });
    expect((error as Error).cause).toMatchObject({ code: 'ERR_WORKER_OUT_OF_MEMORY' });
    expect(process.memoryUsage().heapUsed).toBeLessThan(512 * 1024 * 1024);
  });

  it('reports a worker that exits without answering as extraction_failed', async () => {
    await expect(extractInWorker(anyInput, { timeoutMs: 10_000, maxMemoryMb: 256 }, testWorker('exits-abruptly'))).rejects.toMatchObject({
      kind: 'invalid',
      code: 'extraction_failed',
    });
  });

    it('fails a real document that needs more memory than allowed, while a small one passes under the same limit', async () => {
    const limits = { maxMemoryMb: 32, timeoutMs: 30_000 };
    await expect(createIsolatedExtractor(limits).extract({ bytes: largeCsv(150_000), filename: 'big.csv' })).rejects.toMatchObject({
      code: 'extraction_memory',
    });
    await expect(createIsolatedExtractor(limits).extract(upload('people.csv'))).resolves.toMatchObject({ format: 'csv' });
  });
});
