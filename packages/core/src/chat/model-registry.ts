import type { ChatModel, ChatModels } from '../ports/chat.js';

/**
 * Several providers' completion models in one registry: the first registry that knows
 * an id answers for it. Put registries that know exact ids (local) before those that
 * accept any id (an OpenAI-compatible provider), so `local-extractive-v1` stays local.
 */
export const combineChatModels = (defaultModelId: string, ...registries: ChatModels[]): ChatModels => {
  const get = (modelId: string): ChatModel | null => {
    for (const registry of registries) {
      const model = registry.get(modelId);
      if (model) return model;
    }
    return null;
  };
  if (!get(defaultModelId)) throw new Error(`Default chat model ${defaultModelId} is not in any registry`);
  return {
    defaultModelId,
    get,
    list: () => {
      const seen = new Map<string, ChatModel>();
      for (const registry of registries) for (const m of registry.list()) if (!seen.has(m.modelId)) seen.set(m.modelId, m);
      return [...seen.values()];
    },
  };
};
