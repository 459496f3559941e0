/**
 * Worker thread for search-latency: embeds synthetic chunks [start, end) of the topic-model
 * corpus with the real local hashing embedder (the text embedded is what ingestion
 * embeds: heading path, then the chunk text) and posts the vectors back as one Float32Array.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { hashingVector } from '../../packages/core/src/adapters/local/hashing-embedder.js';
import { embeddingTextFor } from '../../packages/core/src/retrieval/chunking.js';
import { topicChunk, topicModel } from './corpus.js';

const { start, end, dimensions, perDocument } = workerData as { start: number; end: number; dimensions: number; perDocument: number };
const model = topicModel();
const out = new Float32Array((end - start) * dimensions);
for (let i = start; i < end; i++) {
  const { text, headingPath } = topicChunk(model, i, perDocument);
  out.set(hashingVector(embeddingTextFor({ text, metadata: { headingPath, startOffset: 0, endOffset: 0 } }), dimensions), (i - start) * dimensions);
}
parentPort!.postMessage(out, [out.buffer]);
