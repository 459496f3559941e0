/**
 * Fusion variants scored offline on candidate lists fetched once per query (vector and
 * keyword, through the repositories, POOL each): RRF with several k, depths and weights,
 * and score fusion (a convex combination of normalised scores). Used to choose hybrid
 * search's fusion on real data (NFCorpus dev), checked on the other splits.
 */
import type { SearchHit } from '@atrium/core';
import { feedbackVector, reciprocalRankFusion } from '@atrium/core';
import { gradedNdcgAt } from './beir.js';

export const POOL = 100;

export interface Pools {
  vector: SearchHit[];
  keyword: SearchHit[];
  /** The keyword candidates with their exact cosine similarity to the question. */
  keywordCosine: SearchHit[];
  /** The question's vector, and every chunk's stored vector (one map, shared by all queries). */
  question: number[];
  chunks: Map<string, { documentId: string; embedding: number[] }>;
}

const dot = (a: readonly number[], b: readonly number[]) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
};

/**
 * The vector list as hybrid search builds it with feedback (ADR 0040, core's
 * `feedbackVector`): the question moved towards its `hits` best keyword hits (weighted by
 * BM25 score, or equally), then the exact cosine of every keyword candidate plus the 20
 * nearest neighbours (exact here) of that vector.
 */
const feedbackList = (p: Pools, hits: number, weight: number, byScore: boolean): SearchHit[] => {
  const best = p.keyword.slice(0, hits).map((h) => ({ ...h, score: byScore ? h.score : 1, stored: { collectionId: '', embedding: p.chunks.get(h.chunkId)!.embedding } }));
  const q = feedbackVector(p.question, best, weight);
  const scored = new Map(p.keyword.map((h) => [h.chunkId, { ...h, score: dot(q, p.chunks.get(h.chunkId)!.embedding) }]));
  const nearest = [...p.chunks].map(([chunkId, c]) => ({ chunkId, documentId: c.documentId, score: dot(q, c.embedding) }));
  for (const n of nearest.sort((a, b) => b.score - a.score).slice(0, 20)) if (!scored.has(n.chunkId)) scored.set(n.chunkId, n as SearchHit);
  return [...scored.values()];
};

/** The vector list as the keyword candidates' exact cosines plus the `depth` nearest neighbours. */
const denseVector = (p: Pools, depth: number): SearchHit[] => {
  const merged = new Map(p.keywordCosine.map((h) => [h.chunkId, h]));
  for (const h of p.vector.slice(0, depth)) merged.set(h.chunkId, h);
  return [...merged.values()];
};

/** Weighted reciprocal rank fusion over chunk ids (weights per list). */
export const weightedRrf = (lists: SearchHit[][], weights: number[], k: number): SearchHit[] => {
  const fused = new Map<string, { hit: SearchHit; score: number }>();
  lists.forEach((list, l) =>
    list.forEach((hit, rank) => {
      const entry = fused.get(hit.chunkId) ?? { hit, score: 0 };
      entry.score += weights[l]! / (k + rank + 1);
      fused.set(hit.chunkId, entry);
    }),
  );
  return [...fused.values()].sort((a, b) => b.score - a.score || a.hit.chunkId.localeCompare(b.hit.chunkId)).map((e) => e.hit);
};

/** alpha × normalised vector score + (1 − alpha) × normalised keyword score; absent = 0. */
export const scoreFusion = (vector: SearchHit[], keyword: SearchHit[], alpha: number, normalise: 'minmax' | 'max'): SearchHit[] => {
  const norm = (list: SearchHit[]) => {
    const scores = list.map((h) => h.score);
    const hi = Math.max(...scores);
    const lo = normalise === 'minmax' ? Math.min(...scores) : 0;
    return new Map(list.map((h) => [h.chunkId, hi > lo ? (h.score - lo) / (hi - lo) : 1]));
  };
  const v = norm(vector);
  const kw = norm(keyword);
  const hits = new Map([...keyword, ...vector].map((h) => [h.chunkId, h]));
  return [...hits.values()]
    .map((hit) => ({ hit, s: alpha * (v.get(hit.chunkId) ?? 0) + (1 - alpha) * (kw.get(hit.chunkId) ?? 0) }))
    .sort((a, b) => b.s - a.s || a.hit.chunkId.localeCompare(b.hit.chunkId))
    .map(({ hit }) => hit);
};

export const fusionVariants = (): { name: string; fuse: (p: Pools) => SearchHit[] }[] => {
  const variants: { name: string; fuse: (p: Pools) => SearchHit[] }[] = [
    { name: 'keyword alone', fuse: (p) => p.keyword },
    { name: 'vector alone', fuse: (p) => p.vector },
  ];
  for (const depth of [20, 40, 80])
    for (const k of [10, 30, 60])
      variants.push({ name: `RRF k ${k}, depth ${depth}`, fuse: (p) => reciprocalRankFusion([p.vector.slice(0, depth), p.keyword.slice(0, depth)], POOL, k) });
  for (const w of [1.5, 2, 3, 4])
    for (const k of [10, 60])
      variants.push({ name: `RRF k ${k}, depth 80, keyword × ${w}`, fuse: (p) => weightedRrf([p.vector.slice(0, 80), p.keyword.slice(0, 80)], [1, w], k) });
  for (const normalise of ['minmax', 'max'] as const)
    for (const alpha of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
      variants.push({ name: `score fusion (${normalise}), ${alpha} × vector, depth ${POOL}`, fuse: (p) => scoreFusion(p.vector, p.keyword, alpha, normalise) });
  for (const depth of [0, 10, 20, 40, 100])
    for (const alpha of [0.1, 0.2, 0.3])
      variants.push({
        name: `score fusion (max), ${alpha} × exact cosine of keyword candidates + ${depth} nearest`,
        fuse: (p) => scoreFusion(denseVector(p, depth), p.keyword, alpha, 'max'),
      });
  for (const [hits, weight, alpha, byScore] of [
    [5, 2, 0.3, false],
    [5, 4, 0.4, false],
    [10, 4, 0.4, false],
    [3, 4, 0.4, true],
    [5, 4, 0.3, true],
    [5, 4, 0.4, true],
    [5, 6, 0.4, true],
    [7, 4, 0.4, true],
  ] as const)
    variants.push({
      name: `feedback: ${hits} best keyword hits${byScore ? ' by BM25 score' : ''}, ${weight} × their centroid; score fusion (max), ${alpha} × vector`,
      fuse: (p) => scoreFusion(feedbackList(p, hits, weight, byScore), p.keyword, alpha, 'max'),
    });
  return variants;
};

/** Documents ranked by best chunk, the query's own id left out, top 10. */
export const rankedDocuments = (hits: SearchHit[], idOf: Map<string, string>, queryId: string) =>
  [...new Set(hits.map((h) => idOf.get(h.documentId) ?? h.documentId))].filter((id) => id !== queryId).slice(0, 10);

export const scoreVariants = (
  pools: Pools[],
  queries: { id: string }[],
  qrels: Map<string, Map<string, number>>,
  idOf: Map<string, string>,
): { name: string; ndcg: number }[] =>
  fusionVariants().map((v) => {
    const values = pools.map((p, i) => gradedNdcgAt(10, rankedDocuments(v.fuse(p), idOf, queries[i]!.id), qrels.get(queries[i]!.id)!));
    return { name: v.name, ndcg: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length) };
  });
