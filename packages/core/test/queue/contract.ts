import { afterEach, describe, expect, it } from 'vitest';
import type { JobHandler, JobHandlers, JobQueue, JobRunContext, QueuedJob } from '../../src/ports/index.js';

/**
 * The behaviour both JobQueue adapters share (the in-process queue and BullMQ): the same
 * job handlers must see the same semantics in embedded and connected mode.
 */
export interface QueueFactoryOptions {
  concurrency: number;
  attempts: number;
  backoffMs: number;
}

export type QueueFactory = (options: QueueFactoryOptions) => Promise<JobQueue>;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export const eventually = async (check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await sleep(20);
  }
};

let counter = 0;
export const queuedJob = (payload: Record<string, unknown> = {}): QueuedJob => ({
  // Unique per test run: BullMQ keeps finished jobs by id.
  id: `00000000-0000-7000-8000-${(Date.now() % 1e8).toString(16).padStart(8, '0')}${(++counter).toString(16).padStart(4, '0')}`,
  tenantId: 'tenant-1',
  kind: 'ingest_document',
  payload,
});

export const handlersOf = (handler: JobHandler): JobHandlers => ({
  ingest_document: handler,
  reindex_collection: handler,
  crawl_website: handler,
  recrawl_website: handler,
});

interface Call {
  job: QueuedJob;
  attempt: number;
  finalAttempt: boolean;
  at: number;
}

export const queueContract = (name: string, factory: QueueFactory) => {
  describe(`${name}: JobQueue contract`, () => {
    const opened: JobQueue[] = [];
    const open = async (options: Partial<QueueFactoryOptions> = {}) => {
      const queue = await factory({ concurrency: 2, attempts: 3, backoffMs: 200, ...options });
      opened.push(queue);
      return queue;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((q) => q.close(0)));
    });

    it('runs the handler with the job and its payload', async () => {
      const queue = await open();
      const calls: Call[] = [];
      await queue.process(
        handlersOf(async (job, ctx) => {
          calls.push({ job, attempt: ctx.attempt, finalAttempt: ctx.finalAttempt, at: Date.now() });
        }),
      );
      const job = queuedJob({ documentId: 'doc-1', nested: { n: 1 } });
      await queue.enqueue(job);
      await eventually(() => calls.length === 1, 10_000, 'handler call');
      expect(calls[0]!.job).toEqual(job);
      expect(calls[0]!.attempt).toBe(1);
      expect(calls[0]!.finalAttempt).toBe(false);
      await queue.ping();
    });

    it('runs a job enqueued twice under one id once', async () => {
      const queue = await open();
      const seen: string[] = [];
      const job = queuedJob({ documentId: 'doc-dup' });
      await queue.enqueue(job);
      await queue.enqueue(job);
      await queue.enqueue({ ...job });
      await queue.process(
        handlersOf(async (j) => {
          seen.push(j.id);
          await sleep(100);
        }),
      );
      await queue.enqueue(job); // while it runs
      await eventually(() => seen.length >= 1, 10_000, 'handler call');
      await sleep(600);
      expect(seen).toEqual([job.id]);
    });

    it('retries a failing handler with exponential backoff and flags the final attempt', async () => {
      const backoffMs = 200;
      const queue = await open({ attempts: 3, backoffMs });
      const calls: Call[] = [];
      const failing = queuedJob({ documentId: 'always-fails' });
      const flaky = queuedJob({ documentId: 'fails-once' });
      await queue.process(
        handlersOf(async (job, ctx) => {
          calls.push({ job, attempt: ctx.attempt, finalAttempt: ctx.finalAttempt, at: Date.now() });
          if (job.id === failing.id || ctx.attempt === 1) throw new Error(`boom ${ctx.attempt}`);
        }),
      );
      await queue.enqueue(failing);
      await queue.enqueue(flaky);
      const of = (job: QueuedJob) => calls.filter((c) => c.job.id === job.id);
      await eventually(() => of(failing).length === 3 && of(flaky).length === 2, 15_000, 'retries');
      await sleep(backoffMs * 6); // no fourth run
      expect(of(failing).map((c) => [c.attempt, c.finalAttempt])).toEqual([
        [1, false],
        [2, false],
        [3, true],
      ]);
      expect(of(flaky).map((c) => c.attempt)).toEqual([1, 2]);
      const [first, second, third] = of(failing);
      // Exponential: ~backoff, then ~2 x backoff (either adapter jitters by up to 25%).
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(backoffMs * 0.7);
      expect(third!.at - second!.at).toBeGreaterThanOrEqual(2 * backoffMs * 0.7);
    });

    it('never runs more jobs at once than its concurrency', async () => {
      const queue = await open({ concurrency: 2 });
      let active = 0;
      let peak = 0;
      let done = 0;
      await queue.process(
        handlersOf(async () => {
          active++;
          peak = Math.max(peak, active);
          await sleep(150);
          active--;
          done++;
        }),
      );
      for (let i = 0; i < 6; i++) await queue.enqueue(queuedJob({ i }));
      await eventually(() => done === 6, 15_000, 'all jobs');
      expect(peak).toBe(2);
    });

    it('close waits for a running job within the grace period', async () => {
      const queue = await open();
      let finished = false;
      let started = false;
      let aborted = false;
      await queue.process(
        handlersOf(async (_job, ctx: JobRunContext) => {
          started = true;
          await sleep(400);
          aborted = ctx.signal.aborted;
          finished = true;
        }),
      );
      await queue.enqueue(queuedJob());
      await eventually(() => started, 10_000, 'job start');
      await queue.close(10_000);
      expect(finished).toBe(true);
      expect(aborted).toBe(false);
    });

    it('close gives up after the grace period and aborts the running job', async () => {
      const queue = await open();
      let started = false;
      let abortedAfter: number | null = null;
      await queue.process(
        handlersOf(
          (_job, ctx) =>
            new Promise<void>((_, reject) => {
              started = true;
              const t0 = Date.now();
              ctx.signal.addEventListener('abort', () => {
                abortedAfter = Date.now() - t0;
                reject(new Error('aborted'));
              });
            }),
        ),
      );
      await queue.enqueue(queuedJob());
      await eventually(() => started, 10_000, 'job start');
      const t0 = Date.now();
      await queue.close(300);
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(280);
      expect(took).toBeLessThan(5000);
      expect(abortedAfter).not.toBeNull();
    });
  });
};
