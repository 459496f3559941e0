import { describe, expect, it } from 'vitest';
import type { Collection, SearchHit } from '../domain/knowledge.js';
import type { EmbeddingModel, EmbeddingModels, KeywordQuery, RankedChunk, SimilarityQuery, TenantRepositories, VectorQuery } from '../ports/index.js';
import { HYBRID_NEAREST_NEIGHBOURS, retrieve } from './search.js';

const model: EmbeddingModel = { specificationVersion: 'v1', modelId: 'm', dimensions: 2, maxBatchSize: 8, embed: async (texts) => texts.map(() => [1, 0]) };
const embeddings: EmbeddingModels = { defaultModelId: 'm', get: (id) => (id === 'm' ? model : null), list: () => [model] };
const collection = { id: 'c1', embeddingModel: 'm', embeddingDimensions: 2, language: 'english', name: 'C' } as Collection;

/**
 * Chunks with a BM25 score (keyword) and a cosine (every chunk has one); the index returns
 * the `nearest` closest by cosine, as an approximate index would.
 */
const fakeRepos = (chunks: Record<string, { bm25?: number; cosine: number }>) => {
  const calls: { vector: VectorQuery[]; similarity: SimilarityQuery[]; keyword: KeywordQuery[] } = { vector: [], similarity: [], keyword: [] };
  const byScore = (list: RankedChunk[]) => list.sort((a, b) => b.score - a.score);
  const repos = {
    chunks: {
      rankKeyword: async (query: KeywordQuery) => {
        calls.keyword.push(query);
        const matched = Object.entries(chunks).flatMap(([chunkId, c]) => (c.bm25 ? [{ chunkId, score: c.bm25 }] : []));
        return byScore(matched).slice(0, query.limit);
      },
      rankVector: async (query: VectorQuery) => {
        calls.vector.push(query);
        return byScore(Object.entries(chunks).map(([chunkId, c]) => ({ chunkId, score: c.cosine }))).slice(0, query.limit);
      },
      similarity: async (query: SimilarityQuery) => {
        calls.similarity.push(query);
        return query.chunkIds.map((chunkId) => ({ chunkId, score: chunks[chunkId]!.cosine }));
      },
      hits: async (ranked: readonly RankedChunk[]) => ranked.map(({ chunkId, score }) => ({ chunkId, score }) as SearchHit),
    },
  } as unknown as TenantRepositories;
  return { repos, calls };
};

describe('retrieve, hybrid', () => {
  it('scores every keyword candidate by its exact cosine, even one far from the nearest neighbours', async () => {
    // "tie-a" and "tie-b" match the keywords equally; only their cosines tell them apart, and
    // both are far below the neighbours the index returns.
    const neighbours = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`n${i}`, { cosine: 0.9 - i * 0.001 }]));
    const { repos, calls } = fakeRepos({ ...neighbours, 'tie-a': { bm25: 5, cosine: 0.1 }, 'tie-b': { bm25: 5, cosine: 0.3 } });
    const hits = await retrieve(repos, embeddings, { collections: [collection], query: 'q', topK: 3, mode: 'hybrid' });
    expect(hits.slice(0, 2).map((h) => h.chunkId)).toEqual(['tie-b', 'tie-a']);
    expect(calls.similarity).toEqual([{ collectionIds: ['c1'], dimensions: 2, embedding: [1, 0], chunkIds: ['tie-a', 'tie-b'] }]);
    // The index is asked for a few neighbours, quickly: the keyword candidates are scored exactly.
    expect(calls.vector).toEqual([{ collectionIds: ['c1'], dimensions: 2, embedding: [1, 0], limit: HYBRID_NEAREST_NEIGHBOURS, quick: true }]);
    // A close neighbour no keyword matched still takes part.
    expect(hits[2]!.chunkId).toBe('n0');
  });

  it('vector mode asks the index for its full recall, topK neighbours', async () => {
    const { repos, calls } = fakeRepos({ a: { cosine: 0.5 }, b: { cosine: 0.7 } });
    const hits = await retrieve(repos, embeddings, { collections: [collection], query: 'q', topK: 1, mode: 'vector' });
    expect(hits.map((h) => h.chunkId)).toEqual(['b']);
    expect(calls.vector[0]).not.toHaveProperty('quick');
    expect(calls.similarity).toEqual([]);
  });
});
