import { describe, expect, it } from 'vitest';
import type { Collection, SearchHit } from '../domain/knowledge.js';
import type { EmbeddingModel, EmbeddingModels, KeywordQuery, RankedChunk, SimilarityQuery, TenantRepositories, VectorQuery } from '../ports/index.js';
import { HYBRID_FEEDBACK_HITS, HYBRID_FEEDBACK_WEIGHT, HYBRID_NEAREST_NEIGHBOURS, retrieve } from './search.js';

const model: EmbeddingModel = { specificationVersion: 'v1', modelId: 'm', dimensions: 2, maxBatchSize: 8, embed: async (texts) => texts.map(() => [1, 0]) };
const embeddings: EmbeddingModels = { defaultModelId: 'm', get: (id) => (id === 'm' ? model : null), list: () => [model] };
const collection = { id: 'c1', embeddingModel: 'm', embeddingDimensions: 2, language: 'english', name: 'C' } as Collection;

/**
 * Chunks with a BM25 score (keyword) and a cosine (every chunk has one); the index returns
 * the `nearest` closest by cosine, as an approximate index would.
 */
const fakeRepos = (chunks: Record<string, { bm25?: number; cosine: number; vector?: number[]; collectionId?: string }>) => {
  const calls: { vector: VectorQuery[]; similarity: SimilarityQuery[]; keyword: KeywordQuery[] } = { vector: [], similarity: [], keyword: [] };
  const byScore = (list: RankedChunk[]) => list.sort((a, b) => b.score - a.score);
  const repos = {
    chunks: {
      rankKeyword: async (query: KeywordQuery) => {
        calls.keyword.push(query);
        const matched = Object.entries(chunks).flatMap(([chunkId, c]) => (c.bm25 ? [{ chunkId, score: c.bm25 }] : []));
        // The best `vectorsOfBest` carry their stored vectors, as the database's statement does.
        return byScore(matched)
          .slice(0, query.limit)
          .map((hit, rank) => {
            const { vector, collectionId = 'c1' } = chunks[hit.chunkId]!;
            return rank < (query.vectorsOfBest ?? 0) && vector ? { ...hit, stored: { collectionId, embedding: vector } } : hit;
          });
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

  it('searches the vector half with the question moved towards its best keyword hits, by BM25 score', async () => {
    // Seven keyword hits with vectors along the second axis (one pointing the other way), and
    // one of another model's collection, which must not count.
    const keywordHits = Object.fromEntries(
      Array.from({ length: 7 }, (_, i) => [`k${i}`, { bm25: 10 - i, cosine: 0.5, vector: i === 1 ? [0, -1] : [0, 1], collectionId: i === 2 ? 'other' : 'c1' }]),
    );
    const { repos, calls } = fakeRepos(keywordHits);
    await retrieve(repos, embeddings, { collections: [collection], query: 'q', topK: 3, mode: 'hybrid' });
    // The best hits' vectors are asked for with the ranking itself.
    expect(calls.keyword[0]!.vectorsOfBest).toBe(HYBRID_FEEDBACK_HITS);
    expect(HYBRID_FEEDBACK_HITS).toBe(5);
    // Weighted by BM25 score: (10 − 9 + 7 + 6) / (10 + 9 + 7 + 6) along the second axis (k2 is not this model's).
    const expected = [1, (HYBRID_FEEDBACK_WEIGHT * (10 - 9 + 7 + 6)) / (10 + 9 + 7 + 6)];
    for (const query of [calls.vector[0]!, calls.similarity[0]!]) {
      expect(query.embedding[0]).toBe(expected[0]);
      expect(query.embedding[1]).toBeCloseTo(expected[1]!, 12);
    }
  });

  it('keeps the question as it is when no keyword matched', async () => {
    const { repos, calls } = fakeRepos({ a: { cosine: 0.5 }, b: { cosine: 0.7 } });
    const hits = await retrieve(repos, embeddings, { collections: [collection], query: 'q', topK: 2, mode: 'hybrid' });
    expect(hits.map((h) => h.chunkId)).toEqual(['b', 'a']);
    expect(calls.vector[0]!.embedding).toEqual([1, 0]);
  });

  it('vector mode asks the index for its full recall, topK neighbours', async () => {
    const { repos, calls } = fakeRepos({ a: { cosine: 0.5 }, b: { cosine: 0.7 } });
    const hits = await retrieve(repos, embeddings, { collections: [collection], query: 'q', topK: 1, mode: 'vector' });
    expect(hits.map((h) => h.chunkId)).toEqual(['b']);
    expect(calls.vector[0]).not.toHaveProperty('quick');
    expect(calls.similarity).toEqual([]);
  });
});
