/** `@atrium/core/openai`: models served by any OpenAI-compatible API. */
export {
  openAIEmbeddingModel,
  KNOWN_EMBEDDING_DIMENSIONS,
  type OpenAIEmbeddingModelOptions,
} from './embedding-model.js';
export { openAIEmbeddingModels, type OpenAIEmbeddingModelsOptions } from './registry.js';
export { openAIChatModel, type OpenAIChatModelOptions } from './chat-model.js';
export { openAIChatModels, type OpenAIChatModelsOptions } from './chat-registry.js';
