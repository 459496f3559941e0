import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../domain/knowledge.js';
import { reciprocalRankFusion, scoreFusion } from './fusion.js';

const hits = (...ids: string[]): SearchHit[] => ids.map((chunkId) => ({ chunkId }) as SearchHit);

describe('reciprocalRankFusion', () => {
  it('ranks a hit both lists hold above hits only one list holds', () => {
    const fused = reciprocalRankFusion([hits('a', 'b'), hits('c', 'b')], 3);
    expect(fused.map((h) => h.chunkId)).toEqual(['b', 'a', 'c']);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 62);
  });

  it('a heavier list wins where the lists disagree', () => {
    const even = reciprocalRankFusion([hits('v'), hits('k')], 2);
    expect(even.map((h) => h.chunkId)).toEqual(['k', 'v']); // a tie, broken by id
    const keywordHeavy = reciprocalRankFusion([hits('v', 'x'), hits('x', 'k')], 3, 60, [1, 3]);
    expect(keywordHeavy.map((h) => h.chunkId)).toEqual(['x', 'k', 'v']);
    expect(keywordHeavy[1]!.score).toBeCloseTo(3 / 62);
  });
});

describe('scoreFusion', () => {
  const scored = (...pairs: [string, number][]): SearchHit[] => pairs.map(([chunkId, score]) => ({ chunkId, score }) as SearchHit);

  it('keeps how far apart keyword scores are: a decisive keyword match beats a weak match both lists hold', () => {
    const vector = scored(['a', 0.9], ['b', 0.8]);
    const keyword = scored(['b', 10], ['a', 1]);
    const fused = scoreFusion(vector, keyword, 2, 0.1);
    expect(fused.map((h) => h.chunkId)).toEqual(['b', 'a']);
    expect(fused[0]!.score).toBeCloseTo(0.1 * (0.8 / 0.9) + 0.9 * 1);
  });

  it('a hit in one list only scores 0 in the other; the weight decides between the lists', () => {
    const vector = scored(['v', 1]);
    const keyword = scored(['k', 5]);
    expect(scoreFusion(vector, keyword, 2, 0.1).map((h) => h.chunkId)).toEqual(['k', 'v']);
    expect(scoreFusion(vector, keyword, 2, 0.9).map((h) => h.chunkId)).toEqual(['v', 'k']);
  });
});
