import type { SearchHit } from '../domain/knowledge.js';

/**
 * Reciprocal rank fusion (Cormack et al., 2009): each list contributes 1 / (k + rank)
 * for every hit it holds. Scores from different retrievers are not comparable, ranks
 * are, which is why RRF needs no tuning beyond k (60 is the customary value).
 */
export const reciprocalRankFusion = (lists: SearchHit[][], limit: number, k = 60): SearchHit[] => {
  const fused = new Map<string, { hit: SearchHit; score: number }>();
  for (const list of lists) {
    list.forEach((hit, rank) => {
      const entry = fused.get(hit.chunkId) ?? { hit, score: 0 };
      entry.score += 1 / (k + rank + 1);
      fused.set(hit.chunkId, entry);
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.hit.chunkId.localeCompare(b.hit.chunkId))
    .slice(0, limit)
    .map(({ hit, score }) => ({ ...hit, score }));
};
