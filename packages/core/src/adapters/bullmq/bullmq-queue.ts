import { Job as BullJob, Queue, UnrecoverableError, Worker, type JobsOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { JobKind } from '../../domain/jobs.js';
import type { JobHandlers, JobQueue, JobScheduler, QueuedJob } from '../../ports/index.js';

/** pino-compatible; the adapter logs job lifecycle and Redis trouble through it. */
export interface QueueLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface BullmqQueueOptions {
  redisUrl: string;
  /** BullMQ queue name. Producers (server) and consumers (workers) must agree. */
  queueName?: string;
  /** BullMQ key prefix (default BullMQ's `bull`); lets installations or tests share one Redis. */
  prefix?: string;
  /** Jobs one worker process runs at the same time. */
  concurrency?: number;
  /** Runs per job before it is given up (a stalled run does not count; see `maxStalledCount`). */
  attempts?: number;
  /** First retry delay; doubles per attempt (with up to 25% jitter below it). */
  backoffMs?: number;
  /**
   * How long a worker's lock on a running job lives without renewal (renewed every half of
   * it). A worker killed mid-job loses the lock after this long and the job is picked up
   * again by another worker's stalled check. BullMQ's default: 30 s.
   */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs (BullMQ's default: 30 s). */
  stalledIntervalMs?: number;
  /** Stalls a job may go through (its worker died) before BullMQ fails it (BullMQ's default: 1). */
  maxStalledCount?: number;
  /** `enqueue` and `ping` give up after this long when Redis does not answer. */
  commandTimeoutMs?: number;
  /** Finished jobs kept in Redis, so a duplicate `enqueue` of a finished id stays a no-op. */
  keepCompleted?: { ageSeconds: number; count: number };
  keepFailed?: { ageSeconds: number; count: number };
  logger?: QueueLogger;
}

/** What is stored in Redis: the queued job, plus how often it was revived after a failure. */
interface StoredJob extends QueuedJob {
  revivals?: number;
}

/**
 * A job BullMQ gave up on (e.g. it stalled more often than allowed, or its final run could
 * not record its outcome because the database was down) while the jobs table still says
 * queued/running is given this many more final runs when the job is enqueued again (which
 * is what reconciliation does), so such a row does not stay unfinished forever. Bounded,
 * so a job that kills its workers cannot crash-loop them.
 */
const MAX_REVIVALS = 1;

const silentLogger: QueueLogger = { debug() {}, info() {}, warn() {}, error() {} };

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
};

/** Resolves true when `promise` settles within `ms`, false otherwise. */
const settlesWithin = (promise: Promise<unknown>, ms: number): Promise<boolean> =>
  withTimeout(
    promise.then(
      () => true,
      () => true,
    ),
    ms,
    'close',
  ).catch(() => false);

const redisOptionsFrom = (url: string, extra: RedisOptions): [string, RedisOptions] => [
  url,
  {
    // Keep reconnecting (capped at 2 s between tries): Redis restarts are survivable.
    retryStrategy: (times) => Math.min(200 * times, 2000),
    ...extra,
  },
];

/** Closes one of our own connections: politely when possible, by force otherwise. */
const closeConnection = async (connection: Redis): Promise<void> => {
  if (connection.status === 'end') return;
  if (connection.status === 'ready') {
    try {
      await withTimeout(connection.quit(), 1000, 'Redis QUIT');
      return;
    } catch {
      // fall through to disconnect
    }
  }
  connection.disconnect();
};

/**
 * The connected-mode queue: jobs go to Redis through BullMQ, and `process()` starts a
 * BullMQ worker (in `@atrium/worker` processes) that runs the same job handlers as the
 * in-process queue.
 *
 * - The BullMQ job id is the jobs-table id, so enqueueing a job twice (reconciliation,
 *   retries of a request) adds it once; an active copy keeps its worker and lock.
 * - Retries: `attempts` runs with exponential backoff. Handlers see `finalAttempt` when
 *   BullMQ will not retry a failure.
 * - A worker that dies mid-job stops renewing its lock; another worker's stalled check
 *   moves the job back to waiting after `lockDurationMs` (+ up to `stalledIntervalMs`).
 * - Redis going away is survived: connections reconnect, errors are logged, never thrown
 *   at the process. Redis losing its data is repaired by re-enqueueing unfinished jobs
 *   from the jobs table (`core.jobs.recoverUnfinished()`, which workers run periodically).
 */
export const bullmqQueue = (options: BullmqQueueOptions): JobQueue & { readonly scheduler: JobScheduler } => {
  const queueName = options.queueName ?? 'atrium-jobs';
  const concurrency = options.concurrency ?? 2;
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 1000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 5000;
  const keepCompleted = options.keepCompleted ?? { ageSeconds: 24 * 3600, count: 10_000 };
  const keepFailed = options.keepFailed ?? { ageSeconds: 7 * 24 * 3600, count: 10_000 };
  const log = options.logger ?? silentLogger;
  const prefix = options.prefix !== undefined ? { prefix: options.prefix } : {};

  const jobOptions: JobsOptions = {
    attempts,
    backoff: { type: 'exponential', delay: backoffMs, jitter: 0.25 },
    removeOnComplete: { age: keepCompleted.ageSeconds, count: keepCompleted.count },
    removeOnFail: { age: keepFailed.ageSeconds, count: keepFailed.count },
  };

  // Our own connections, so that closing never waits on a Redis that is not there.
  // The producer's commands fail after a while when Redis is down (and `enqueue` times out
  // sooner); the worker's connection must retry forever (BullMQ requires it).
  const producer = new Redis(...redisOptionsFrom(options.redisUrl, { maxRetriesPerRequest: 3 }));
  let lastRedisError = '';
  const onRedisError = (error: unknown) => {
    const message = errorText(error);
    // A reconnect loop repeats the same error; say it once per change.
    if (message !== lastRedisError) log.warn({ err: message, queue: queueName }, 'Redis connection error');
    lastRedisError = message;
  };
  const onRedisReady = () => {
    if (lastRedisError) log.info({ queue: queueName }, 'Redis connection ready again');
    lastRedisError = '';
  };
  producer.on('error', onRedisError);
  producer.on('ready', onRedisReady);

  const queue = new Queue<StoredJob, void, JobKind>(queueName, { connection: producer, ...prefix });
  queue.on('error', onRedisError);

  let worker: Worker<StoredJob, void, JobKind> | null = null;
  let workerConnection: Redis | null = null;
  const abort = new AbortController();
  const running = new Set<Promise<unknown>>();
  /** Runs per job id in this process: a second delivery of a running id waits for the first. */
  const inflight = new Map<string, Promise<unknown>>();
  let abandoned = false;
  let closing: Promise<void> | null = null;

  const revive = async (id: string): Promise<void> => {
    const existing = await BullJob.fromId<StoredJob, void, JobKind>(queue, id);
    if (!existing) return;
    const revivals = existing.data.revivals ?? 0;
    if (revivals >= MAX_REVIVALS) {
      log.debug({ jobId: id, reason: existing.failedReason }, 'job failed in the queue and was revived before; leaving it');
      return;
    }
    await existing.updateData({ ...existing.data, revivals: revivals + 1 });
    await existing.retry('failed');
    log.warn({ jobId: id, reason: existing.failedReason }, 'job had failed in the queue but is unfinished; retrying it once more');
  };

  const addOrRevive = async (job: QueuedJob): Promise<void> => {
    const state = await queue.getJobState(job.id);
    if (state === 'failed') return revive(job.id);
    // Waiting, delayed, active or completed: already there (and BullMQ would ignore the add).
    if (state !== 'unknown') return;
    const data: StoredJob = { id: job.id, tenantId: job.tenantId, kind: job.kind, payload: job.payload };
    await queue.add(job.kind, data, { ...jobOptions, jobId: job.id });
  };

  const run = async (handlers: JobHandlers, job: BullJob<StoredJob, void, JobKind>, jobSignal?: AbortSignal) => {
    const data = job.data;
    const handler = handlers[job.name] ?? handlers[data.kind];
    if (!handler) throw new UnrecoverableError(`No handler for job kind "${job.name}"`);
    const maxAttempts = job.opts.attempts ?? 1;
    // attemptsMade counts failed runs only; a run cut short by a dead worker counts in
    // attemptsStarted. Handlers see how many times the job has been started.
    const attempt = Math.max(job.attemptsStarted, job.attemptsMade + 1);
    const finalAttempt = job.attemptsMade + 1 >= maxAttempts;
    const signal = jobSignal ? AbortSignal.any([abort.signal, jobSignal]) : abort.signal;
    const fields = { jobId: job.id, kind: job.name, tenantId: data.tenantId, attempt };
    const started = Date.now();
    log.info(fields, 'job started');
    try {
      await handler(
        { id: data.id, tenantId: data.tenantId, kind: data.kind, payload: data.payload },
        {
          attempt,
          finalAttempt,
          signal,
          progress: async (value) => {
            await job.updateProgress(Math.max(0, Math.min(1, value))).catch(() => {});
          },
        },
      );
      log.info({ ...fields, ms: Date.now() - started }, 'job finished');
    } catch (error) {
      log.warn({ ...fields, ms: Date.now() - started, err: errorText(error), finalAttempt }, finalAttempt ? 'job failed' : 'job failed; will retry');
      throw error;
    }
  };

  /**
   * Repeating jobs are BullMQ job schedulers: kept in Redis and fired once for all workers,
   * each firing a fresh job on this queue. An identical schedule is left as it is, so
   * restoring schedules at every worker start does not move their next firing.
   */
  const scheduler: JobScheduler = {
    async upsert(key, everyMs, job) {
      const data: StoredJob = { id: key, tenantId: job.tenantId, kind: job.kind, payload: job.payload };
      const existing = await withTimeout(queue.getJobScheduler(key as JobKind), commandTimeoutMs, 'Redis (scheduler)');
      if (existing?.every === everyMs && JSON.stringify(existing.template?.data) === JSON.stringify(data)) return;
      await withTimeout(
        queue.upsertJobScheduler(key as JobKind, { every: everyMs }, { name: job.kind, data, opts: { removeOnComplete: jobOptions.removeOnComplete, removeOnFail: jobOptions.removeOnFail } }),
        commandTimeoutMs,
        'Redis (scheduler)',
      );
    },
    async remove(key) {
      await withTimeout(queue.removeJobScheduler(key), commandTimeoutMs, 'Redis (scheduler)');
    },
  };

  return {
    kind: 'bullmq',
    scheduler,

    async enqueue(job) {
      if (closing) return;
      await withTimeout(addOrRevive(job), commandTimeoutMs, 'Redis (enqueue)');
    },

    async process(handlers) {
      if (worker) throw new Error('This queue is already processing jobs');
      if (closing) throw new Error('This queue is closed');
      workerConnection = new Redis(...redisOptionsFrom(options.redisUrl, { maxRetriesPerRequest: null }));
      workerConnection.on('error', onRedisError);
      workerConnection.on('ready', onRedisReady);
      worker = new Worker<StoredJob, void, JobKind>(
        queueName,
        async (job, _token, signal) => {
          // The same id can be delivered again while it runs here: after Redis lost its data
          // (reconciliation re-adds it) or when its lock lapsed. Never run one job twice at
          // once in this process.
          const id = job.id ?? job.data.id;
          for (let other = inflight.get(id); other; other = inflight.get(id)) await other.catch(() => {});
          if (abandoned) await new Promise<never>(() => {}); // shutting down: leave it to another worker
          const task = run(handlers, job, signal);
          inflight.set(id, task);
          running.add(task);
          try {
            await task;
          } finally {
            running.delete(task);
            inflight.delete(id);
            // Abandoned at shutdown: the job's outcome must not reach Redis through a closed
            // connection; its lock expires and another worker runs it again.
            if (abandoned) await new Promise<never>(() => {});
          }
        },
        {
          connection: workerConnection,
          ...prefix,
          concurrency,
          ...(options.lockDurationMs !== undefined && { lockDuration: options.lockDurationMs }),
          ...(options.stalledIntervalMs !== undefined && { stalledInterval: options.stalledIntervalMs }),
          maxStalledCount: options.maxStalledCount ?? 1,
          autorun: false,
        },
      );
      worker.on('error', onRedisError);
      worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled (its worker stopped); it will run again'));
      worker.on('failed', (job, error) => {
        // Failures of our handlers were logged by `run`; these are BullMQ's own verdicts.
        if (job && error instanceof UnrecoverableError) log.error({ jobId: job.id, err: error.message }, 'job given up by the queue');
      });
      void worker.run().catch((error: unknown) => log.error({ err: errorText(error) }, 'BullMQ worker stopped'));
      await worker.waitUntilReady();
    },

    async ping() {
      await withTimeout(producer.ping(), Math.min(commandTimeoutMs, 3000), 'Redis (ping)');
    },

    close(graceMs = 10_000) {
      closing ??= (async () => {
        if (worker && workerConnection) {
          // Stops fetching jobs and waits for the running ones.
          const graceful = worker.close(false);
          graceful.catch(() => {});
          if (!(await settlesWithin(graceful, graceMs))) {
            // Out of time: running handlers are told to stop, their outcomes are ignored, and
            // the connection goes, so their locks lapse and other workers take the jobs over.
            abandoned = true;
            abort.abort(new Error('The worker is shutting down'));
            log.warn({ running: running.size, graceMs }, 'shutdown grace period over; abandoning running jobs');
          }
          await closeConnection(workerConnection);
        }
        await settlesWithin(queue.close(), 2000);
        await closeConnection(producer);
      })();
      return closing;
    },
  };
};
