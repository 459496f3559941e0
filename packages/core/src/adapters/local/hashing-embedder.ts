/**
 * The local embedding model: deterministic feature hashing, offline, no weights to
 * download. It is lexical (it matches words, their stems and their spelling, not
 * meaning), but it is the default most people try first, so it is tuned as a product:
 * see bench/fixtures/retrieval and the quality test that guards it.
 *
 * A text becomes three groups of features (text-features.ts): stemmed words, stemmed
 * word pairs, and character 3–5-grams of each word. Each feature gets a sublinear weight
 * (1 + ln tf) and is hashed to one of `dimensions` slots with a hashed sign (signed
 * hashing makes collisions cancel on average instead of piling up). Each group is
 * L2-normalised on its own, so a long word's many n-grams do not drown its one word
 * feature, then the groups are mixed by fixed weights and the result normalised again:
 * cosine similarity is then a weighted blend of per-group similarities.
 *
 * Any change to the analysis, the hash or the weights changes every vector: it must come
 * with a new model id (local-hash-v2), never silently under v1.
 */
import { AtriumError } from '../../domain/errors.js';
import type { EmbeddingModel } from '../../ports/models.js';
import { featureCounts } from './text-features.js';

export const LOCAL_HASH_MODEL = 'local-hash-v1';
export const LOCAL_HASH_DEFAULT_DIMENSIONS = 384;
export const LOCAL_HASH_DIMENSIONS_RANGE = { min: 32, max: 4096 } as const;

/** What a version of the model is made of; fixed per model id. */
export interface HashingConfig {
  /** Mixing weights of the three feature groups. */
  unigrams: number;
  bigrams: number;
  charGrams: number;
  /** Character n-gram sizes. */
  charGramSizes: readonly number[];
}

/**
 * Tuned on bench/fixtures/retrieval, averaging over hash seeds so that the luck of
 * collisions does not pass for a better weighting. Stemmed words carry most of the
 * signal; character n-grams add typo and morphology tolerance (+0.015 nDCG@10 at 384
 * dimensions, more at 768); word pairs help phrases but add collision noise, so they get
 * little weight. The weights are per group: a group's many features share its weight.
 */
export const HASHING_V1: HashingConfig = { unigrams: 1, bigrams: 0.15, charGrams: 0.7, charGramSizes: [3, 4, 5] };

// Seeds keep the groups' hash functions independent, so a word and an n-gram that
// happen to be the same string ("tax" and "<ta") do not land on the same slot together.
const SEEDS = { unigrams: 0x9e3779b1, bigrams: 0x85ebca77, charGrams: 0xc2b2ae3d } as const;

/** 32-bit FNV-1a over UTF-16 code units, finished with murmur3's avalanche so low bits are well mixed. */
const hash32 = (text: string, seed: number): number => {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

const addGroup = (out: Float64Array, counts: Map<string, number>, seed: number, weight: number): void => {
  if (counts.size === 0 || weight === 0) return;
  const group = new Float64Array(out.length);
  for (const [feature, tf] of counts) {
    const h = hash32(feature, seed);
    // The sign comes from bits the slot index (low bits, via modulo) barely uses.
    const sign = (h >>> 31) ^ ((h >>> 15) & 1) ? -1 : 1;
    group[h % out.length]! += sign * (1 + Math.log(tf));
  }
  let norm = 0;
  for (const v of group) norm += v * v;
  if (norm === 0) return;
  const scale = weight / Math.sqrt(norm);
  for (let i = 0; i < out.length; i++) out[i]! += group[i]! * scale;
};

/** The embedding of one text; all zeros when the text has no words (no NaN). */
export const hashingVector = (
  text: string,
  dimensions: number,
  config: HashingConfig = HASHING_V1,
): number[] => {
  const features = featureCounts(text, config.charGramSizes);
  const out = new Float64Array(dimensions);
  addGroup(out, features.unigrams, SEEDS.unigrams, config.unigrams);
  addGroup(out, features.bigrams, SEEDS.bigrams, config.bigrams);
  addGroup(out, features.charGrams, SEEDS.charGrams, config.charGrams);
  let norm = 0;
  for (const v of out) norm += v * v;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Array.from(out, (v) => v * scale);
};

export interface HashingEmbedderOptions {
  /** Vector size; more slots mean fewer collisions and better ranking, at storage cost. */
  dimensions?: number;
}

const YIELD_EVERY = 32;

export const hashingModelId = (dimensions: number): string =>
  dimensions === LOCAL_HASH_DEFAULT_DIMENSIONS ? LOCAL_HASH_MODEL : `${LOCAL_HASH_MODEL}-${dimensions}`;

export const hashingEmbedder = ({ dimensions = LOCAL_HASH_DEFAULT_DIMENSIONS }: HashingEmbedderOptions = {}): EmbeddingModel => {
  const { min, max } = LOCAL_HASH_DIMENSIONS_RANGE;
  if (!Number.isInteger(dimensions) || dimensions < min || dimensions > max) {
    throw new AtriumError(
      'invalid',
      'invalid_embedding_dimensions',
      `The local embedder's dimensions must be an integer from ${min} to ${max}, got ${dimensions}`,
    );
  }
  return {
    specificationVersion: 'v1',
    modelId: hashingModelId(dimensions),
    dimensions,
    maxBatchSize: 256,
    embed: async (texts, options) => {
      const vectors: number[][] = [];
      for (const [i, text] of texts.entries()) {
        // A batch takes a few ms per text: let other work (HTTP requests, in the embedded
        // mode's shared process) run in between, and notice cancellation.
        if (i > 0 && i % YIELD_EVERY === 0) await new Promise((resolve) => setTimeout(resolve, 0));
        options?.signal?.throwIfAborted();
        vectors.push(hashingVector(text, dimensions));
      }
      return vectors;
    },
  };
};
