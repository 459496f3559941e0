import type { EmbeddingModel, EmbeddingModels } from '../../ports/models.js';
import { KNOWN_EMBEDDING_DIMENSIONS, openAIEmbeddingModel, type OpenAIEmbeddingModelOptions } from './embedding-model.js';

export interface OpenAIEmbeddingModelsOptions extends Omit<OpenAIEmbeddingModelOptions, 'model'> {
  /** The model new collections get, e.g. `text-embedding-3-small`. */
  defaultModel: string;
}

/**
 * The provider's embedding models: the configured default (with the configured
 * dimensions), plus OpenAI's other known models at their native size on request, so
 * collections created before a change of default stay searchable. Callers should still
 * compare `dimensions` with the collection's, since the configured size can change.
 */
export const openAIEmbeddingModels = ({ defaultModel, ...options }: OpenAIEmbeddingModelsOptions): EmbeddingModels => {
  const models = new Map<string, EmbeddingModel>();
  const fallback = openAIEmbeddingModel({ ...options, model: defaultModel });
  models.set(fallback.modelId, fallback);
  return {
    defaultModelId: fallback.modelId,
    get: (modelId) => {
      const known = models.get(modelId);
      if (known) return known;
      if (KNOWN_EMBEDDING_DIMENSIONS[modelId] === undefined) return null;
      const model = openAIEmbeddingModel({ ...options, model: modelId, dimensions: undefined });
      models.set(modelId, model);
      return model;
    },
    list: () => [...models.values()],
  };
};
