import type { UserWithTenant } from '../domain/identity.js';
import type {
  AccessTokenSigner,
  Cache,
  Clock,
  DocumentExtractor,
  EmbeddingModels,
  IdGenerator,
  JobQueue,
  LoginThrottle,
  PasswordHasher,
  Store,
} from '../ports/index.js';

/** Everything a use case may touch. Use cases are plain functions `(ctx, ...input)`. */
export interface CoreContext {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  hasher: PasswordHasher;
  accessTokens: AccessTokenSigner;
  /**
   * Users (with their tenants) that credentials resolved to, kept for a moment so that
   * authenticating repeat callers reads no database (ADR 0011).
   */
  authCache: Cache<UserWithTenant>;
  loginThrottle: LoginThrottle;
  embeddings: EmbeddingModels;
  extractor: DocumentExtractor;
  queue: JobQueue;
  settings: CoreSettings;
}

export interface CoreSettings {
  refreshTokenTtlSeconds: number;
  /** Largest accepted upload (ATRIUM_MAX_UPLOAD_MB). */
  maxUploadBytes: number;
  /** Texts sent to the embedding model per call. */
  embeddingBatchSize: number;
}

export const DEFAULT_SETTINGS: CoreSettings = {
  refreshTokenTtlSeconds: 30 * 24 * 60 * 60,
  maxUploadBytes: 50 * 1024 * 1024,
  embeddingBatchSize: 64,
};
