import { AtriumError } from '../domain/errors.js';
import type { Collection, SearchHit, SearchMode } from '../domain/knowledge.js';
import type { EmbeddingModel, EmbeddingModels, RankedChunk, TenantRepositories } from '../ports/index.js';
import { feedbackVector } from './feedback.js';
import { scoreFusion } from './fusion.js';

export interface RetrieveInput {
  collections: Collection[];
  query: string;
  topK: number;
  mode: SearchMode;
}

/**
 * The collection's pinned model, if it is configured with the dimension the collection
 * was created with (changing ATRIUM_EMBEDDING_DIMENSIONS later would otherwise mix
 * vectors of different sizes).
 */
export const usableModel = (embeddings: EmbeddingModels, collection: Collection): EmbeddingModel => {
  const model = embeddings.get(collection.embeddingModel);
  if (!model)
    throw new AtriumError(
      'unavailable',
      'embedding_model_unavailable',
      `The embedding model ${collection.embeddingModel} of collection ${collection.name} is not configured`,
    );
  if (model.dimensions !== collection.embeddingDimensions)
    throw new AtriumError(
      'unavailable',
      'embedding_dimension_mismatch',
      `Collection ${collection.name} holds ${collection.embeddingDimensions}-dimensional vectors but ${model.modelId} is configured for ${model.dimensions}`,
    );
  return model;
};

// BM25 offers more candidates than asked for, so fusion has room to reorder (100, as
// measured in ADR 0026).
const candidatesFor = (topK: number) => Math.min(200, Math.max(topK * 4, 100));

/**
 * Hybrid search's close neighbours beyond the keyword candidates. On NFCorpus dev, 20 scored
 * as well as 40 or 100, and 0 (keywords alone choosing the candidates) a little worse.
 */
export const HYBRID_NEAREST_NEIGHBOURS = 20;

/**
 * Hybrid search's weight of the vector list in score fusion. With the question's own
 * vector, 0.1 scored best (ADR 0026); with the feedback vector, which carries more of its
 * own, 0.4 (ADR 0040). Both chosen on NFCorpus dev with the local hashing embedder.
 */
export const HYBRID_VECTOR_WEIGHT = 0.4;

/**
 * Pseudo-relevance feedback (feedback.ts, ADR 0040): the vector half searches with the
 * question's vector moved towards its best 5 keyword hits, 4 times as far as the question
 * itself. Chosen on NFCorpus dev (3–7 hits and weights 3–6 scored within 0.002 of it).
 */
export const HYBRID_FEEDBACK_HITS = 5;
export const HYBRID_FEEDBACK_WEIGHT = 4;

/**
 * Searches a set of collections. Collections are grouped by embedding model, since a
 * query vector only compares with vectors of its own model; keyword search spans all.
 */
export const retrieve = async (
  repos: TenantRepositories,
  embeddings: EmbeddingModels,
  input: RetrieveInput,
): Promise<SearchHit[]> => {
  const { collections, query, topK, mode } = input;
  if (collections.length === 0 || query.trim() === '') return [];
  const candidates = mode === 'hybrid' ? candidatesFor(topK) : topK;

  // Ranked lists carry ids and scores only; the text is read for the hits that are kept.
  const byModel = new Map<string, Collection[]>();
  for (const c of collections) byModel.set(c.embeddingModel, [...(byModel.get(c.embeddingModel) ?? []), c]);
  /** Per embedding model, its collections and the query's vector (a vector compares only with its own model's). */
  const eachModel = <T>(run: (group: { collectionIds: string[]; dimensions: number; embedding: number[] }) => Promise<T>) =>
    Promise.all(
      [...byModel.values()].map(async (group) => {
        const model = usableModel(embeddings, group[0]!);
        const [embedding] = await model.embed([query]);
        return run({ collectionIds: group.map((c) => c.id), dimensions: model.dimensions, embedding: embedding! });
      }),
    );
  // One model (the usual case) needs no merging; several are merged by cosine score.
  const merged = (lists: RankedChunk[][], limit: number) =>
    lists.length === 1 ? lists[0]! : lists.flat().sort((a, b) => b.score - a.score).slice(0, limit);

  const keywordRanking = (vectorsOfBest = 0) =>
    repos.chunks.rankKeyword({
      collectionIds: collections.map((c) => c.id),
      query,
      limit: candidates,
      vectorsOfBest,
      // One language (the usual case) is analysed once, in a statement of its own (ADR 0037).
      languages: [...new Set(collections.map((c) => c.language))],
    });

  if (mode === 'keyword') return repos.chunks.hits(await keywordRanking());
  if (mode === 'vector') {
    const lists = await eachModel((group) => repos.chunks.rankVector({ ...group, limit: topK }));
    return repos.chunks.hits(merged(lists, topK));
  }

  // Hybrid: the vector half asks with the question moved towards the best keyword hits
  // (ADR 0040). Every keyword candidate gets its exact cosine to that vector, and the index
  // adds a few close neighbours that no keyword matched (ADR 0026).
  const keywordList = keywordRanking(HYBRID_FEEDBACK_HITS);
  const vectorLists = eachModel(async (group) => {
    const keyword = await keywordList;
    // The best hits' vectors come with them; those of other models' collections do not count.
    const mine = new Set(group.collectionIds);
    const best = keyword.slice(0, HYBRID_FEEDBACK_HITS).filter((k) => k.stored && mine.has(k.stored.collectionId));
    const feedback = { ...group, embedding: feedbackVector(group.embedding, best, HYBRID_FEEDBACK_WEIGHT) };
    const [nearest, scored] = await Promise.all([
      repos.chunks.rankVector({ ...feedback, limit: HYBRID_NEAREST_NEIGHBOURS, quick: true }),
      repos.chunks.similarity({ ...feedback, chunkIds: keyword.map((k) => k.chunkId) }),
    ]);
    return [...new Map([...scored, ...nearest].map((r) => [r.chunkId, r])).values()];
  });
  const [keyword, lists] = await Promise.all([keywordList, vectorLists]);
  // Fusion divides by the list's best score, so the per-model lists need no merging order.
  return repos.chunks.hits(scoreFusion(lists.flat(), keyword, topK, HYBRID_VECTOR_WEIGHT));
};
