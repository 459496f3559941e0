import type { EmbeddingModel, EmbeddingModels } from '../ports/index.js';

/**
 * Several providers' models in one registry. Collections pin their model, so a local
 * collection keeps working after an API key is configured, and the other way round.
 */
export const combineEmbeddingModels = (defaultModelId: string, ...registries: EmbeddingModels[]): EmbeddingModels => {
  const models = new Map<string, EmbeddingModel>();
  for (const registry of registries) for (const model of registry.list()) if (!models.has(model.modelId)) models.set(model.modelId, model);
  if (!models.has(defaultModelId)) throw new Error(`Default embedding model ${defaultModelId} is not in any registry`);
  return {
    defaultModelId,
    get: (modelId) => models.get(modelId) ?? null,
    list: () => [...models.values()],
  };
};
