import type { SearchHit } from '../domain/knowledge.js';
import type { RankedChunk } from '../ports/index.js';

/**
 * Reciprocal rank fusion (Cormack et al., 2009): each list contributes weight / (k + rank)
 * for every hit it holds. Scores from different retrievers are not comparable, ranks are,
 * which is why RRF needs no calibration; the weights say how much each list is trusted
 * (all 1 by default, the classic form).
 */
export const reciprocalRankFusion = (lists: SearchHit[][], limit: number, k = 60, weights: number[] = []): SearchHit[] => {
  const fused = new Map<string, { hit: SearchHit; score: number }>();
  lists.forEach((list, l) => {
    const weight = weights[l] ?? 1;
    list.forEach((hit, rank) => {
      const entry = fused.get(hit.chunkId) ?? { hit, score: 0 };
      entry.score += weight / (k + rank + 1);
      fused.set(hit.chunkId, entry);
    });
  });
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.hit.chunkId.localeCompare(b.hit.chunkId))
    .slice(0, limit)
    .map(({ hit, score }) => ({ ...hit, score }));
};

/**
 * Score fusion: each list's scores divided by that list's best score, then
 * `vectorWeight` × vector + (1 − vectorWeight) × keyword; a hit missing from a list scores
 * 0 there. Unlike RRF it keeps how far apart BM25 scores are, so one decisive keyword
 * match is not levelled with the tenth-best vector neighbour (ADR 0026).
 */
export const scoreFusion = <Hit extends RankedChunk>(vector: readonly Hit[], keyword: readonly Hit[], limit: number, vectorWeight: number): Hit[] => {
  const normalised = (list: readonly Hit[]) => {
    const best = Math.max(0, ...list.map((h) => h.score));
    return new Map(list.map((h) => [h.chunkId, best > 0 ? h.score / best : 0]));
  };
  const v = normalised(vector);
  const k = normalised(keyword);
  const hits = new Map([...keyword, ...vector].map((h) => [h.chunkId, h]));
  return [...hits.values()]
    .map((hit) => ({ hit, score: vectorWeight * (v.get(hit.chunkId) ?? 0) + (1 - vectorWeight) * (k.get(hit.chunkId) ?? 0) }))
    .sort((a, b) => b.score - a.score || a.hit.chunkId.localeCompare(b.hit.chunkId))
    .slice(0, limit)
    .map(({ hit, score }) => ({ ...hit, score }));
};
