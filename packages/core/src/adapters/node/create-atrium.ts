import { createCore, type AtriumCore } from '../../core.js';
import { combineEmbeddingModels } from '../../retrieval/embedding-registry.js';
import { combineChatModels } from '../../chat/model-registry.js';
import { DEFAULT_SETTINGS, type CoreSettings } from '../../services/context.js';
import { randomBase62 } from '../../services/shared/secrets.js';
import { alignVectorIndexes, createDatabaseStore, graphPrecisionFor, openDatabase, type Database, type SearchTuning } from '../database/index.js';
import type { UserWithTenant } from '../../domain/identity.js';
import type {
  Cache,
  ChatModels,
  Clock,
  DocumentExtractor,
  EmbeddingModels,
  IdGenerator,
  JobQueue,
  JobScheduler,
  LoginThrottle,
  PublicWidget,
  WidgetRateLimiter,
  PasswordHasher,
  WebFetcher,
} from '../../ports/index.js';
import type { IsolatedExtractor } from '../extraction/index.js';
import type { SafeWebFetcher, SafeWebFetcherOptions } from '../web/index.js';
import { inProcessQueue, inProcessScheduler } from '../memory-queue/index.js';
import { bcryptHasher } from './bcrypt-hasher.js';
import { uuidV7Ids, systemClock } from './ids.js';
import { joseAccessTokens } from './jose-access-tokens.js';
import { loginThrottle } from './login-throttle.js';
import { redisLimiters } from './redis-limiters.js';
import { widgetRateLimiter } from './widget-rate-limiter.js';
import { joseVisitorTokens } from './jose-visitor-tokens.js';
import { memoryCache } from './memory-cache.js';

/** How often a process that runs jobs writes every website's schedule again (see restoreSchedules). */
const SCHEDULE_RESYNC_MS = 10 * 60 * 1000;

export interface ModelOptions {
  openaiApiKey?: string | undefined;
  openaiBaseUrl?: string | undefined;
  embeddingModel?: string | undefined;
  embeddingDimensions?: number | undefined;
  /** The completion model assistants use by default when a provider is configured (ATRIUM_CHAT_MODEL). */
  chatModel?: string | undefined;
}

export interface CreateAtriumOptions {
  /** PostgreSQL URL (connected mode); unset → PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Embedded data directory (PGlite lives in `<dataDir>/db`), or `memory://`. */
  dataDir?: string | undefined;
  /** Redis URL (connected mode): jobs go to BullMQ; unset → in-process queue. */
  redisUrl?: string | undefined;
  /**
   * Whether this process runs jobs. Defaults to true for the in-process queue and false
   * for BullMQ, where `@atrium/worker` processes do.
   */
  runJobs?: boolean;
  /** Access-token signing secret; unset → generated once and kept in the database. */
  jwtSecret?: string | undefined;
  models?: ModelOptions;
  bcryptCost?: number;
  migrate?: boolean;
  /** Vector search tuning (when to search exactly instead of through HNSW). */
  searchTuning?: SearchTuning;
  settings?: Partial<CoreSettings>;
  clock?: Clock;
  ids?: IdGenerator;
  hasher?: PasswordHasher;
  loginThrottle?: LoginThrottle;
  widgetRateLimiter?: WidgetRateLimiter;
  /** Hears about degraded operation that the instance rides out (Redis down for the login throttle). */
  warn?: (message: string, context: Record<string, unknown>) => void;
  /**
   * Users (with tenants) behind credentials, kept briefly so that authentication of repeat
   * callers reads no database; defaults to 2 s and at most 10,000 entries in process memory
   * (ADR 0011). `memoryCache({ ttlMs: 0, maxEntries: 0 })` turns it off.
   */
  authCache?: Cache<UserWithTenant>;
  embeddings?: EmbeddingModels;
  chatModels?: ChatModels;
  extractor?: DocumentExtractor;
  /**
   * How `{url}` documents and the crawler reach the web. Unset: the safe web fetcher
   * (`@atrium/core/web`) with `crawler`'s options.
   */
  web?: WebFetcher;
  /** The safe web fetcher's options: ATRIUM_CRAWLER_ALLOW_HOSTS, ATRIUM_CRAWLER_USER_AGENT, limits. */
  crawler?: SafeWebFetcherOptions;
  queue?: JobQueue;
  /** Repeating jobs; default: the queue's own (BullMQ job schedulers), else in-process timers. */
  scheduler?: JobScheduler;
}

export interface AtriumInstance {
  core: AtriumCore;
  database: Database;
  queue: JobQueue;
  /** Database (and queue) reachable. */
  ping(): Promise<void>;
  /** Stops taking jobs, lets running ones finish (up to `graceMs`), closes connections. */
  close(graceMs?: number): Promise<void>;
}

const JWT_SECRET_SETTING = 'jwt_secret';

/** The authentication cache's defaults: how stale another replica's view may be, and its bound. */
export const AUTH_CACHE_DEFAULTS = { ttlMs: 2_000, maxEntries: 10_000 } as const;

/**
 * The key sent to an OpenAI-compatible server configured by its base URL alone: Ollama,
 * vLLM and LM Studio need none, but the client must send something.
 */
const KEYLESS = 'atrium-keyless';

/** Whether an OpenAI-compatible provider is configured: a key, or a base URL (a server that needs no key). */
export const remoteConfigured = (models: ModelOptions): boolean => Boolean(models.openaiApiKey || models.openaiBaseUrl);

/** Local models always; OpenAI-compatible models too (and by default) when a provider is configured. */
const embeddingModelsFor = async (models: ModelOptions = {}): Promise<EmbeddingModels> => {
  const { localEmbeddingModels } = await import('../local/index.js');
  const local = localEmbeddingModels();
  if (!remoteConfigured(models)) return local;
  const { openAIEmbeddingModels } = await import('../openai/index.js');
  const remote = openAIEmbeddingModels({
    apiKey: models.openaiApiKey ?? KEYLESS,
    baseURL: models.openaiBaseUrl,
    defaultModel: models.embeddingModel ?? 'text-embedding-3-small',
    dimensions: models.embeddingDimensions,
  });
  return combineEmbeddingModels(remote.defaultModelId, remote, local);
};

/** The local extractive answerer always; an OpenAI-compatible provider too (and by default) when one is configured. */
const chatModelsFor = async (models: ModelOptions = {}): Promise<ChatModels> => {
  const { localChatModels } = await import('../local/index.js');
  const local = localChatModels();
  if (!remoteConfigured(models)) return local;
  const { openAIChatModels } = await import('../openai/index.js');
  const remote = openAIChatModels({
    apiKey: models.openaiApiKey ?? KEYLESS,
    baseURL: models.openaiBaseUrl,
    defaultModel: models.chatModel ?? 'gpt-4o-mini',
  });
  return combineChatModels(remote.defaultModelId, local, remote);
};

/**
 * Extraction in worker threads with time and memory limits. Its module (file-type, yauzl,
 * csv-parse, …) is loaded with the first upload, not at start-up.
 */
const defaultExtractor = (): DocumentExtractor & { close(): Promise<void> } => {
  let loaded: Promise<IsolatedExtractor> | undefined;
  const extractor = () =>
    (loaded ??= import('../extraction/index.js').then(({ createIsolatedExtractor }) => createIsolatedExtractor()));
  return {
    detect: async (input) => (await extractor()).detect(input),
    extract: async (input) => (await extractor()).extract(input),
    // Its threads are idle and unref'd between jobs; close() ends them at once.
    close: async () => void (await (await loaded)?.close()),
  };
};

/** The safe web fetcher, loaded with the first fetch (undici and its friends are not needed at start-up). */
const defaultWebFetcher = (options: SafeWebFetcherOptions = {}): WebFetcher & { close(): Promise<void> } => {
  let loaded: Promise<SafeWebFetcher> | undefined;
  const fetcher = () => (loaded ??= import('../web/index.js').then(({ safeWebFetcher }) => safeWebFetcher(options)));
  return {
    check: async (url) => (await fetcher()).check(url),
    fetch: async (request) => (await fetcher()).fetch(request),
    close: async () => void (await (await loaded)?.close()),
  };
};

interface RateLimits {
  loginThrottle: LoginThrottle;
  widgetRateLimiter: WidgetRateLimiter;
  close(): Promise<void>;
}

/**
 * Login throttling and widget budgets must be shared by replicas, or an attacker spreads
 * attempts across them: with Redis configured the counters live there (in process memory
 * while it is down); without, in this process.
 */
const rateLimitsFor = async (options: CreateAtriumOptions): Promise<RateLimits> => {
  const shared = options.redisUrl ? await redisLimiters(options.redisUrl, options.warn) : null;
  return {
    loginThrottle: options.loginThrottle ?? loginThrottle(shared ? { createLimiter: shared.create } : {}),
    widgetRateLimiter: options.widgetRateLimiter ?? widgetRateLimiter(shared?.create),
    close: async () => shared?.close(),
  };
};

const queueFor = async (options: CreateAtriumOptions): Promise<JobQueue> => {
  if (options.queue) return options.queue;
  if (!options.redisUrl) return inProcessQueue();
  const { bullmqQueue } = await import('../bullmq/index.js');
  return bullmqQueue({ redisUrl: options.redisUrl });
};

/** Composes a core on Node: the configured database, queue and models, bcrypt, jose, UUIDv7 ids. */
export const createAtrium = async (options: CreateAtriumOptions = {}): Promise<AtriumInstance> => {
  const dataDir = options.dataDir ?? './.atrium';
  const database = await openDatabase({
    url: options.databaseUrl,
    dataDir: dataDir.startsWith('memory://') ? dataDir : `${dataDir.replace(/\/$/, '')}/db`,
  });
  let queue: JobQueue | null = null;
  let limits: RateLimits | null = null;
  try {
    const graphPrecision = graphPrecisionFor(database.driver);
    if (options.migrate ?? true) {
      await database.migrate();
      // Graphs made by a version that chose another precision for this driver (ADR 0016).
      await alignVectorIndexes(database.db, graphPrecision);
    }
    const store = createDatabaseStore(database.db, { graphPrecision, vacuumPostings: true, ...options.searchTuning });
    // Replicas share the database, so a generated secret is stored there, once.
    const secret = options.jwtSecret ?? (await store.system.setSettingIfAbsent(JWT_SECRET_SETTING, randomBase62(64)));
    queue = await queueFor(options);
    limits = await rateLimitsFor(options);
    const ownScheduler = options.scheduler || 'scheduler' in queue ? null : inProcessScheduler(queue);
    const scheduler = options.scheduler ?? ownScheduler ?? (queue as JobQueue & { scheduler: JobScheduler }).scheduler;
    const ownExtractor = options.extractor ? null : defaultExtractor();
    const extractor = options.extractor ?? ownExtractor!;
    const ownWeb = options.web ? null : defaultWebFetcher(options.crawler);
    const core = createCore({
      store,
      clock: options.clock ?? systemClock(),
      ids: options.ids ?? uuidV7Ids(),
      hasher: options.hasher ?? bcryptHasher(options.bcryptCost ?? 12),
      accessTokens: joseAccessTokens({ secret }),
      visitorTokens: joseVisitorTokens({ secret }),
      authCache: options.authCache ?? memoryCache<UserWithTenant>(AUTH_CACHE_DEFAULTS),
      widgetCache: memoryCache<PublicWidget>(AUTH_CACHE_DEFAULTS),
      loginThrottle: limits.loginThrottle,
      widgetRateLimiter: limits.widgetRateLimiter,
      embeddings: options.embeddings ?? (await embeddingModelsFor(options.models)),
      chatModels: options.chatModels ?? (await chatModelsFor(options.models)),
      extractor,
      web: options.web ?? ownWeb!,
      queue,
      scheduler,
      settings: { ...DEFAULT_SETTINGS, ...options.settings },
    });
    let resync: ReturnType<typeof setInterval> | null = null;
    if (options.runJobs ?? queue.kind === 'in-process') {
      await queue.process(core.jobs.handlers());
      await core.jobs.recoverUnfinished();
      await core.jobs.restoreSchedules();
      // A schedule another process could not write (Redis down at that moment) is written
      // here; identical schedules are left as they are, so this moves no firing.
      resync = setInterval(() => void core.jobs.restoreSchedules().catch(() => {}), SCHEDULE_RESYNC_MS);
      resync.unref?.();
    }
    const activeQueue = queue;
    const activeLimits = limits;
    return {
      core,
      database,
      queue: activeQueue,
      async ping() {
        await Promise.all([database.ping(), activeQueue.ping()]);
      },
      async close(graceMs = 10_000) {
        if (resync) clearInterval(resync);
        ownScheduler?.close();
        await activeQueue.close(graceMs);
        await activeLimits.close();
        await ownExtractor?.close();
        await ownWeb?.close();
        await database.close();
      },
    };
  } catch (error) {
    await queue?.close(0).catch(() => {});
    await limits?.close().catch(() => {});
    await database.close().catch(() => {});
    throw error;
  }
};
