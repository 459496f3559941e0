/** `@atrium/core/local`: providers that need no network and no API key. */
export {
  hashingEmbedder,
  hashingModelId,
  LOCAL_HASH_MODEL,
  LOCAL_HASH_DEFAULT_DIMENSIONS,
  LOCAL_HASH_DIMENSIONS_RANGE,
  type HashingEmbedderOptions,
} from './hashing-embedder.js';
export { localEmbeddingModels } from './registry.js';
export {
  extractiveAnswerer,
  extractiveAnswer,
  localChatModels,
  LOCAL_EXTRACTIVE_MODEL,
  type ExtractiveAnswererOptions,
} from './extractive-answerer.js';
