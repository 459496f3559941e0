import type { EmbeddingModel, EmbeddingModels } from '../../ports/models.js';
import {
  hashingEmbedder,
  LOCAL_HASH_DEFAULT_DIMENSIONS,
  LOCAL_HASH_DIMENSIONS_RANGE,
  LOCAL_HASH_MODEL,
  type HashingEmbedderOptions,
} from './hashing-embedder.js';

const ID = new RegExp(`^${LOCAL_HASH_MODEL}(?:-(\\d+))?$`);

/**
 * The models available with no provider configured: the hashing embedder at the given
 * size (384 unless `dimensions` says otherwise) for new collections and, on request, at
 * any other size a collection was created with (`local-hash-v1-768`), so collections
 * stay searchable when the configured size changes.
 */
export const localEmbeddingModels = (options: HashingEmbedderOptions = {}): EmbeddingModels => {
  const models = new Map<string, EmbeddingModel>();
  const fallback = hashingEmbedder(options);
  models.set(fallback.modelId, fallback);
  return {
    defaultModelId: fallback.modelId,
    get: (modelId) => {
      const known = models.get(modelId);
      if (known) return known;
      const match = ID.exec(modelId);
      if (!match) return null;
      const dimensions = match[1] === undefined ? LOCAL_HASH_DEFAULT_DIMENSIONS : Number(match[1]);
      if (dimensions < LOCAL_HASH_DIMENSIONS_RANGE.min || dimensions > LOCAL_HASH_DIMENSIONS_RANGE.max) return null;
      const model = hashingEmbedder({ dimensions });
      // Only the canonical id: `local-hash-v1-384` is spelled `local-hash-v1`.
      if (model.modelId !== modelId) return null;
      models.set(modelId, model);
      return model;
    },
    list: () => [...models.values()],
  };
};
