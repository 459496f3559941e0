import { describe, expect, it } from 'vitest';
import { mean, ndcgAt, recallAt, reciprocalRankAt } from './metrics.js';

describe('ranking metrics', () => {
  it('nDCG is 1 for a perfect ranking and 0 with no hit', () => {
    expect(ndcgAt(10, ['a', 'b', 'c'], ['a', 'b'])).toBeCloseTo(1, 12);
    expect(ndcgAt(10, ['x', 'y'], ['a'])).toBe(0);
  });

  it('nDCG matches hand-computed values', () => {
    // One relevant at rank 3: DCG = 1/log2(4) = 0.5; IDCG = 1.
    expect(ndcgAt(10, ['x', 'y', 'a'], ['a'])).toBeCloseTo(0.5, 12);
    // Relevant at ranks 2 and 4: DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068 = 1.06161;
    // IDCG = 1 + 1/log2(3) = 1.63093; nDCG = 0.65092.
    expect(ndcgAt(10, ['x', 'a', 'y', 'b'], ['a', 'b'])).toBeCloseTo(0.650921, 5);
    // Cut-off: with k = 3 the hit at rank 4 is not counted: 0.63093 / 1.63093 = 0.386853.
    expect(ndcgAt(3, ['x', 'a', 'y', 'b'], ['a', 'b'])).toBeCloseTo(0.386853, 5);
    // More relevant ids than k: IDCG only counts k positions, so a full top-k is 1.
    expect(ndcgAt(2, ['a', 'b', 'c'], ['a', 'b', 'c'])).toBeCloseTo(1, 12);
  });

  it('recall counts the share of relevant ids in the top k', () => {
    expect(recallAt(10, ['a', 'x', 'b'], ['a', 'b', 'c'])).toBeCloseTo(2 / 3, 12);
    expect(recallAt(1, ['a', 'x', 'b'], ['a', 'b'])).toBe(0.5);
    expect(recallAt(0, ['a'], ['a'])).toBe(0);
  });

  it('ignores repeated ids and treats no relevant ids as 0', () => {
    expect(recallAt(2, ['a', 'a', 'b'], ['a', 'b'])).toBe(1);
    expect(ndcgAt(2, ['a', 'a', 'b'], ['a', 'b'])).toBeCloseTo(1, 12);
    expect(ndcgAt(10, ['a'], [])).toBe(0);
    expect(recallAt(10, ['a'], [])).toBe(0);
  });

  it('reciprocal rank and mean', () => {
    expect(reciprocalRankAt(10, ['x', 'y', 'a'], ['a'])).toBeCloseTo(1 / 3, 12);
    expect(reciprocalRankAt(2, ['x', 'y', 'a'], ['a'])).toBe(0);
    expect(mean([1, 0, 0.5])).toBe(0.5);
    expect(mean([])).toBe(0);
  });
});
