/**
 * A floor under the offline default's retrieval quality, on bench/fixtures/retrieval.
 * Ranking by the local hashing embedder alone (no keyword search, no fusion): if a
 * change to chunking or to the embedder pushes these below the floor, it made the
 * product worse for everyone who has not configured a model. Numbers at the time of
 * writing are in the comments; the floors leave room for harmless movement.
 */
import { describe, expect, it } from 'vitest';
import { hashingEmbedder } from '../src/adapters/local/hashing-embedder.js';
import { DEFAULT_CHUNKING } from '../src/domain/knowledge.js';
import { evaluateEmbedder } from './retrieval-fixtures.js';

describe('retrieval quality of the local embedder', () => {
  it('ranks the answering documents high with the default chunking', async () => {
    const report = await evaluateEmbedder(hashingEmbedder(), DEFAULT_CHUNKING);
    expect(report.ndcg10).toBeGreaterThan(0.8); // 0.855
    expect(report.recall10).toBeGreaterThan(0.9); // 0.938
    expect(report.byKind.typo!.ndcg10).toBeGreaterThan(0.7); // 0.83
    expect(report.byKind.morphology!.ndcg10).toBeGreaterThan(0.8); // 0.91
  });

  it('holds up with small chunks', async () => {
    const report = await evaluateEmbedder(hashingEmbedder(), { chunkTokens: 128, overlapTokens: 20 });
    expect(report.ndcg10).toBeGreaterThan(0.8); // 0.875
    expect(report.recall10).toBeGreaterThan(0.9); // 0.977
  });
});
