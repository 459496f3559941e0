/**
 * Ranking metrics for retrieval benchmarks, with binary relevance. Pure functions:
 * `ranked` is a list of ids best first (duplicates after the first occurrence are
 * ignored), `relevant` the ids that answer the query. With no relevant ids every
 * metric is 0, so such a query can only drag a mean down, never inflate it.
 */

const firstOccurrences = (ranked: readonly string[], k: number): string[] => [...new Set(ranked)].slice(0, Math.max(0, k));

/** Normalised discounted cumulative gain over the top `k`: 1 when every relevant id leads the list. */
export const ndcgAt = (k: number, ranked: readonly string[], relevant: Iterable<string>): number => {
  const wanted = new Set(relevant);
  if (wanted.size === 0) return 0;
  const dcg = firstOccurrences(ranked, k).reduce((sum, id, i) => (wanted.has(id) ? sum + 1 / Math.log2(i + 2) : sum), 0);
  let ideal = 0;
  for (let i = 0; i < Math.min(k, wanted.size); i++) ideal += 1 / Math.log2(i + 2);
  return ideal === 0 ? 0 : dcg / ideal;
};

/** The share of relevant ids found in the top `k`. */
export const recallAt = (k: number, ranked: readonly string[], relevant: Iterable<string>): number => {
  const wanted = new Set(relevant);
  if (wanted.size === 0) return 0;
  return firstOccurrences(ranked, k).filter((id) => wanted.has(id)).length / wanted.size;
};

/** 1 / rank of the first relevant id within the top `k`, 0 when none is there (mean it for MRR). */
export const reciprocalRankAt = (k: number, ranked: readonly string[], relevant: Iterable<string>): number => {
  const wanted = new Set(relevant);
  const index = firstOccurrences(ranked, k).findIndex((id) => wanted.has(id));
  return index < 0 ? 0 : 1 / (index + 1);
};

/** The arithmetic mean, 0 for no values. */
export const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
