import type { EmbeddingModel, EmbeddingModels } from '@atrium/core';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    signal?.throwIfAborted();
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * TEST ONLY (`ATRIUM_TEST_EMBED_DELAY_MS`): the same models, each `embed` call delayed, so
 * reliability tests can kill a worker while it is ingesting a document.
 */
export const slowEmbeddingModels = (models: EmbeddingModels, delayMs: number): EmbeddingModels => {
  const slow = new Map<string, EmbeddingModel>();
  const wrap = (model: EmbeddingModel): EmbeddingModel => {
    let wrapped = slow.get(model.modelId);
    if (!wrapped) {
      wrapped = {
        specificationVersion: model.specificationVersion,
        modelId: model.modelId,
        dimensions: model.dimensions,
        maxBatchSize: model.maxBatchSize,
        async embed(texts, options) {
          await sleep(delayMs, options?.signal);
          return model.embed(texts, options);
        },
      };
      slow.set(model.modelId, wrapped);
    }
    return wrapped;
  };
  return {
    defaultModelId: models.defaultModelId,
    get: (modelId) => {
      const model = models.get(modelId);
      return model ? wrap(model) : null;
    },
    list: () => models.list().map(wrap),
  };
};
