/**
 * Model ports. Plain, versioned interfaces (like the AI SDK's provider specs): adapters
 * implement them, core's retrieval and chat code only ever sees these.
 */
export interface EmbeddingModel {
  readonly specificationVersion: 'v1';
  /** The model id stored on collections, e.g. `local-hash-v1` or `text-embedding-3-small`. */
  readonly modelId: string;
  readonly dimensions: number;
  /** The largest number of texts one `embed` call accepts. */
  readonly maxBatchSize: number;
  /** One L2-normalised vector per text, in order. */
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
}

/** Which embedding models this installation can use, and which one new collections get. */
export interface EmbeddingModels {
  readonly defaultModelId: string;
  get(modelId: string): EmbeddingModel | null;
  list(): EmbeddingModel[];
}
