import { bullmqQueue } from '@atrium/core/bullmq';
import { localEmbeddingModels } from '@atrium/core/local';
import { ConfigError, createAtrium, loadConfig, type AtriumInstance } from '@atrium/core/node';
import pino, { type Logger } from 'pino';
import { loadWorkerSettings, WorkerSettingsError, type WorkerSettings } from './settings.js';
import { slowEmbeddingModels } from './test-slowdown.js';

export interface RunWorkerOptions {
  /** Defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Defaults to JSON logs on stdout at `ATRIUM_LOG_LEVEL`. */
  logger?: Logger;
  /** Stop gracefully on SIGTERM/SIGINT, then exit (default true). */
  handleSignals?: boolean;
  /** How the process ends (default `process.exit`); configuration errors exit 1. */
  exit?: (code: number) => void;
}

export interface RunningWorker {
  atrium: AtriumInstance;
  settings: WorkerSettings;
  logger: Logger;
  /** Re-enqueues unfinished jobs from the jobs table now (also runs on a timer). */
  reconcile(): Promise<void>;
  /** Stops taking jobs, waits for running ones (up to the shutdown limit), closes connections. */
  stop(): Promise<void>;
}

const REDACT = ['password', '*.password', 'secret', '*.secret', 'key', '*.key', 'apiKey', '*.apiKey', 'url', '*.url'];

/** Thrown (after reporting) when the worker cannot start; `runWorker` has already called `exit(1)`. */
export class WorkerStartError extends Error {
  override readonly name = 'WorkerStartError';
}

/**
 * The `@atrium/worker` process: composes a core over PostgreSQL and BullMQ and runs its job
 * handlers. Thin on purpose: everything it runs lives in `@atrium/core`.
 *
 * - Unfinished jobs are re-enqueued from the jobs table at start and every
 *   `ATRIUM_WORKER_RECONCILE_MS`, so jobs survive Redis losing its data (re-adding is
 *   idempotent: BullMQ job ids are the table's ids).
 * - SIGTERM/SIGINT stop taking jobs and wait up to `ATRIUM_WORKER_SHUTDOWN_MS` for running
 *   ones; jobs still running then are abandoned and taken over by another worker once
 *   their lock lapses. A second signal exits at once.
 */
export const runWorker = async (options: RunWorkerOptions = {}): Promise<RunningWorker> => {
  const env = options.env ?? process.env;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const fail = (message: string): never => {
    process.stderr.write(`${message}\n`);
    exit(1);
    throw new WorkerStartError(message);
  };

  let config: ReturnType<typeof loadConfig>;
  let settings: WorkerSettings;
  try {
    config = loadConfig(env);
    settings = loadWorkerSettings(env);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof WorkerSettingsError) return fail(error.message);
    throw error;
  }
  const missing = [!config.databaseUrl && 'DATABASE_URL (PostgreSQL)', !config.redisUrl && 'REDIS_URL (Redis)'].filter(Boolean);
  if (missing.length > 0)
    return fail(
      `The worker needs ${missing.join(' and ')}: set ${missing.length > 1 ? 'them' : 'it'} to the same values as the server's (embedded mode runs jobs inside \`atrium start\` and needs no worker)`,
    );

  const logger =
    options.logger ??
    pino({ level: config.logLevel, base: { service: 'atrium-worker' }, redact: { paths: REDACT, censor: '[redacted]' } });

  // Signals are handled from here on: one arriving while the worker starts stops it as
  // soon as it has started (jobs may already run by then).
  let stopRequested: NodeJS.Signals | null = null;
  let onStopRequest: ((signal: NodeJS.Signals) => void) | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopRequested) {
      logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    stopRequested = signal;
    logger.info({ signal }, 'shutdown requested');
    onStopRequest?.(signal);
  };
  if (options.handleSignals ?? true) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  const queue = bullmqQueue({
    redisUrl: config.redisUrl!,
    concurrency: settings.concurrency,
    lockDurationMs: settings.lockMs,
    stalledIntervalMs: settings.stalledIntervalMs,
    logger: logger.child({ component: 'queue' }),
  });
  if (settings.testEmbedDelayMs > 0)
    logger.warn({ delayMs: settings.testEmbedDelayMs }, 'ATRIUM_TEST_EMBED_DELAY_MS is set: embeddings are slowed down and only local models are available (tests only)');

  let atrium: AtriumInstance;
  try {
    // runJobs: the queue starts consuming, and unfinished jobs are re-enqueued once.
    atrium = await createAtrium({
      databaseUrl: config.databaseUrl,
      redisUrl: config.redisUrl,
      queue,
      runJobs: true,
      jwtSecret: config.jwtSecret,
      models: { ...config.models },
      crawler: config.crawler,
      ...(settings.testEmbedDelayMs > 0 && { embeddings: slowEmbeddingModels(localEmbeddingModels(), settings.testEmbedDelayMs) }),
    });
  } catch (error) {
    await queue.close(0).catch(() => {});
    logger.error({ err: error instanceof Error ? error.message : String(error) }, 'worker failed to start');
    return fail(`Error: the worker could not start: ${error instanceof Error ? error.message : String(error)}`);
  }

  let reconciling: Promise<void> | null = null;
  const reconcile = (): Promise<void> =>
    (reconciling ??= (async () => {
      try {
        const unfinished = await atrium.core.jobs.recoverUnfinished();
        logger.debug({ unfinished }, 'reconciled unfinished jobs with the queue');
      } catch (error) {
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'reconciliation failed; will try again');
      } finally {
        reconciling = null;
      }
    })());
  const timer = setInterval(() => void reconcile(), settings.reconcileMs);

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(timer);
      logger.info({ graceMs: settings.shutdownMs }, 'worker stopping');
      // A pass in flight ends at its first failure once connections close; bounded anyway.
      if (reconciling) await Promise.race([reconciling, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      // Bounded even if a connection hangs: the queue abandons jobs after the grace period.
      let deadline: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        atrium.close(settings.shutdownMs),
        new Promise<void>((resolve) => {
          deadline = setTimeout(() => {
            logger.warn('shutdown took too long; stopping anyway');
            resolve();
          }, settings.shutdownMs + 10_000);
        }),
      ]).finally(() => clearTimeout(deadline));
      logger.info('worker stopped');
    })());

  onStopRequest = () => {
    stop().then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, 'shutdown failed');
        exit(1);
      },
    );
  };

  logger.info(
    { concurrency: settings.concurrency, reconcileMs: settings.reconcileMs, shutdownMs: settings.shutdownMs, driver: atrium.database.driver },
    'worker started',
  );
  if (stopRequested) onStopRequest(stopRequested);
  return { atrium, settings, logger, reconcile, stop };
};
