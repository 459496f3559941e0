import type { JobHandlers, JobQueue, QueuedJob } from '../../ports/index.js';

export interface InProcessQueueOptions {
  /** Jobs run at the same time (each may use a worker thread for extraction). */
  concurrency?: number;
  maxAttempts?: number;
  /** First retry delay; doubles per attempt, with jitter. */
  backoffMs?: number;
}

interface Pending {
  job: QueuedJob;
  attempt: number;
}

/**
 * The embedded-mode queue: runs the same job handlers as the BullMQ worker, inside
 * this process, with bounded concurrency and retries with exponential backoff. It
 * keeps nothing itself: the jobs table is the record, and unfinished jobs are
 * re-enqueued from it after a restart (`recoverUnfinishedJobs`).
 */
export const inProcessQueue = (options: InProcessQueueOptions = {}): JobQueue => {
  const concurrency = options.concurrency ?? 2;
  const maxAttempts = options.maxAttempts ?? 3;
  const backoffMs = options.backoffMs ?? 1000;
  const pending: Pending[] = [];
  const known = new Set<string>(); // queued, waiting for a retry, or running
  const running = new Set<Promise<void>>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const abort = new AbortController();
  let handlers: JobHandlers | null = null;
  let closed = false;

  const pump = () => {
    while (handlers && !closed && running.size < concurrency && pending.length > 0) {
      const next = pending.shift()!;
      const task = execute(handlers, next).finally(() => {
        running.delete(task);
        pump();
      });
      running.add(task);
    }
  };

  const execute = async (h: JobHandlers, { job, attempt }: Pending): Promise<void> => {
    const finalAttempt = attempt >= maxAttempts;
    try {
      await h[job.kind](job, { attempt, finalAttempt, signal: abort.signal, progress: async () => {} });
      known.delete(job.id);
    } catch {
      if (finalAttempt || closed) {
        known.delete(job.id);
        return;
      }
      const delay = backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
      const timer = setTimeout(() => {
        timers.delete(timer);
        pending.push({ job, attempt: attempt + 1 });
        pump();
      }, delay);
      timer.unref?.();
      timers.add(timer);
    }
  };

  return {
    kind: 'in-process',
    async enqueue(job) {
      if (closed || known.has(job.id)) return; // one run per job id at a time
      known.add(job.id);
      pending.push({ job, attempt: 1 });
      pump();
    },
    async process(h) {
      handlers = h;
      pump();
    },
    async ping() {},
    async close(graceMs = 10_000) {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      const drained = Promise.allSettled([...running]);
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref?.());
      await Promise.race([drained, timeout]);
      // Whatever still runs is told to stop; its job stays 'running' in the table and
      // is recovered on the next start.
      abort.abort();
    },
  };
};
