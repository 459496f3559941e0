import type { RankedChunk } from '../ports/index.js';

/**
 * Pseudo-relevance feedback (Rocchio, 1971) for hybrid search's vector half: the question's
 * vector moved towards the vectors of the best keyword hits, weighted by their BM25 score.
 *
 *   q' = q + weight × Σ bmᵢ · vᵢ / Σ bmᵢ
 *
 * `best` are the best keyword hits, with their stored vectors (`KeywordQuery.vectorsOfBest`).
 * The best keyword hits are usually on topic, so passages near them are too, even where
 * they share no word with the question ("obesity" asked, "body mass index" written). With
 * the lexical local embedder, the question's own vector mostly repeats what BM25 already
 * knows; its neighbourhood among the hits is what adds to it (ADR 0040, measured on
 * NFCorpus dev). Only the direction matters (cosine), so q' is not normalised.
 */
export const feedbackVector = (question: readonly number[], best: readonly RankedChunk[], weight: number): number[] => {
  const centroid = new Array<number>(question.length).fill(0);
  let total = 0;
  for (const hit of best) {
    const vector = hit.stored?.embedding;
    if (!vector || vector.length !== question.length || hit.score <= 0) continue;
    for (let i = 0; i < vector.length; i++) centroid[i]! += hit.score * vector[i]!;
    total += hit.score;
  }
  if (total === 0) return [...question];
  return question.map((x, i) => x + (weight * centroid[i]!) / total);
};
