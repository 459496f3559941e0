import type { UserWithTenant } from '../domain/identity.js';
import { DEFAULT_LANGUAGE, type TextSearchLanguage } from '../domain/knowledge.js';
import type { PublicWidget } from '../ports/index.js';
import type {
  AccessTokenSigner,
  Cache,
  ChatModels,
  Clock,
  DocumentExtractor,
  EmbeddingModels,
  IdGenerator,
  JobQueue,
  JobScheduler,
  LoginThrottle,
  PasswordHasher,
  Store,
  VisitorTokenSigner,
  WebFetcher,
  WidgetRateLimiter,
} from '../ports/index.js';

/** Everything a use case may touch. Use cases are plain functions `(ctx, ...input)`. */
export interface CoreContext {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  hasher: PasswordHasher;
  accessTokens: AccessTokenSigner;
  /** Widget visitors' session tokens, and host sites' identity tokens. */
  visitorTokens: VisitorTokenSigner;
  /**
   * Users (with their tenants) that credentials resolved to, kept for a moment so that
   * authenticating repeat callers reads no database (ADR 0011).
   */
  authCache: Cache<UserWithTenant>;
  /**
   * Widgets by public key, kept for a moment: a busy site's page views all ask for the same
   * widget. Use cases that change a widget or its assistant clear it, so within this process
   * a change is seen by the next request (other replicas see it within the cache's lifetime).
   */
  widgetCache: Cache<PublicWidget>;
  loginThrottle: LoginThrottle;
  widgetRateLimiter: WidgetRateLimiter;
  embeddings: EmbeddingModels;
  /** Completion models assistants answer with; the default is ATRIUM_CHAT_MODEL or the local answerer. */
  chatModels: ChatModels;
  extractor: DocumentExtractor;
  /** The one way to the public web (`{url}` documents, the crawler): SSRF checks, robots.txt, politeness, limits. */
  web: WebFetcher;
  queue: JobQueue;
  /** Repeating jobs (websites' scheduled recrawls). */
  scheduler: JobScheduler;
  settings: CoreSettings;
}

export interface CoreSettings {
  refreshTokenTtlSeconds: number;
  /** Largest accepted upload (ATRIUM_MAX_UPLOAD_MB). */
  maxUploadBytes: number;
  /** Texts sent to the embedding model per call. */
  embeddingBatchSize: number;
  /** Overrides every chat model's context window, in tokens (ATRIUM_CHAT_CONTEXT_TOKENS). */
  chatContextTokens?: number | undefined;
  /**
   * The most tokens (prompt and answer, summed over its answers) one conversation of an
   * anonymous widget visitor may use; past it the visitor starts a new conversation. A
   * bound on what one anonymous visitor can make a single conversation cost.
   */
  anonymousConversationTokens: number;
  /** The text-search configuration of new collections that name none (ATRIUM_DEFAULT_LANGUAGE). */
  defaultLanguage: TextSearchLanguage;
  /** Pages one crawl fetches and processes at the same time (the fetcher still limits each host). */
  crawlConcurrency: number;
  /** How often a running crawl records its progress and looks for a cancel request, in ms. */
  crawlCheckIntervalMs: number;
}

export const DEFAULT_SETTINGS: CoreSettings = {
  refreshTokenTtlSeconds: 30 * 24 * 60 * 60,
  maxUploadBytes: 50 * 1024 * 1024,
  embeddingBatchSize: 64,
  anonymousConversationTokens: 50_000,
  defaultLanguage: DEFAULT_LANGUAGE,
  crawlConcurrency: 4,
  crawlCheckIntervalMs: 1_000,
};
