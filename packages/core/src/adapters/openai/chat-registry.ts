import type { ChatModel, ChatModels } from '../../ports/chat.js';
import { openAIChatModel, type OpenAIChatModelOptions } from './chat-model.js';

const MAX_CACHED_MODELS = 100;

export interface OpenAIChatModelsOptions extends Omit<OpenAIChatModelOptions, 'model'> {
  /** The model assistants get when they name none, e.g. `gpt-4o-mini` or `llama3.1:8b`. */
  defaultModel: string;
}

/**
 * The completion models of one OpenAI-compatible provider. Any id is accepted (the
 * provider decides which exist, and says so with a `model_unavailable` error when asked);
 * each gets the same connection settings, and `contextWindow`, when set, for all of them,
 * since it describes what the server serves (Ollama's `num_ctx` applies to every model).
 * `list()` returns the configured default only: any other id is whatever an assistant
 * named, unverified, and listing it would present a typo as a configured model.
 */
export const openAIChatModels = ({ defaultModel, ...options }: OpenAIChatModelsOptions): ChatModels => {
  const models = new Map<string, ChatModel>();
  const fallback = openAIChatModel({ ...options, model: defaultModel });
  models.set(fallback.modelId, fallback);
  return {
    defaultModelId: fallback.modelId,
    get: (modelId) => {
      const id = modelId.trim();
      if (!id) return null;
      const known = models.get(id);
      if (known) return known;
      const model = openAIChatModel({ ...options, model: id });
      // Ids may come from requests (the OpenAI-compatible endpoint names its model):
      // remember a bounded number of them.
      if (models.size < MAX_CACHED_MODELS) models.set(id, model);
      return model;
    },
    list: () => [fallback],
  };
};
