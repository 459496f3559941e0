import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bullmqQueue, type BullmqQueueOptions } from '../../src/adapters/bullmq/index.js';
import type { JobQueue } from '../../src/ports/index.js';
import { testRedis } from '../../src/test/index.js';
import { eventually, handlersOf, queueContract, queuedJob, sleep } from './contract.js';

// Real Redis (REDIS_URL, else 127.0.0.1:6379). Every queue gets its own key prefix, so
// suites never see each other's jobs on a shared Redis; the keys are deleted afterwards.
const redis = await testRedis();
const redisUrl = redis.url;
const QUEUE_NAME = 'atrium-jobs';
const prefixes = new Set<string>();
const newPrefix = () => {
  const prefix = `atrium-test-${randomBytes(6).toString('hex')}`;
  prefixes.add(prefix);
  return prefix;
};

const deleteKeys = async (only?: string) => {
  if (!redisUrl || prefixes.size === 0) return;
  const client = new Redis(redisUrl);
  try {
    for (const prefix of only ? [only] : prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await client.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
};

describe.skipIf(!redisUrl)(`BullMQ queue (${redis.reason})`, () => {
  afterAll(() => deleteKeys());

  queueContract('BullMQ queue', async ({ concurrency, attempts, backoffMs }) =>
    bullmqQueue({ redisUrl: redisUrl!, prefix: newPrefix(), concurrency, attempts, backoffMs }),
  );

  describe('BullMQ specifics', () => {
    const opened: JobQueue[] = [];
    const inspectors: Queue[] = [];
    const open = (options: Partial<BullmqQueueOptions> & { prefix: string }) => {
      const queue = bullmqQueue({ redisUrl: redisUrl!, backoffMs: 100, ...options });
      opened.push(queue);
      return queue;
    };
    /** A plain BullMQ view of the same queue, to look at what is in Redis. */
    const inspect = (prefix: string) => {
      const q = new Queue(QUEUE_NAME, { connection: { url: redisUrl! }, prefix });
      q.on('error', () => {});
      inspectors.push(q);
      return q;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((q) => q.close(0)));
      await Promise.all(inspectors.splice(0).map((q) => q.close()));
    });

    it('uses the jobs-table id as the BullMQ job id, with attempts and exponential backoff', async () => {
      const prefix = newPrefix();
      const queue = open({ prefix, attempts: 4, backoffMs: 1500 });
      const job = queuedJob({ documentId: 'd1' });
      await queue.enqueue(job);
      const stored = await inspect(prefix).getJob(job.id);
      expect(stored?.id).toBe(job.id);
      expect(stored?.name).toBe('ingest_document');
      expect(stored?.data).toMatchObject(job);
      expect(stored?.opts.attempts).toBe(4);
      expect(stored?.opts.backoff).toMatchObject({ type: 'exponential', delay: 1500 });
      expect(stored?.opts.removeOnComplete).toBeTruthy();
    });

    it('keeps repeating jobs as BullMQ job schedulers: fired at once, identical upserts left alone, removable', async () => {
      const prefix = newPrefix();
      const queue = open({ prefix });
      const job = { tenantId: 'tenant-1', kind: 'recrawl_website' as const, payload: { websiteId: 'w1' } };
      await queue.scheduler.upsert('website:w1', 86_400_000, job);
      const schedulers = await inspect(prefix).getJobSchedulers();
      expect(schedulers).toHaveLength(1);
      expect(schedulers[0]).toMatchObject({ key: 'website:w1', every: 86_400_000 });
      const next = schedulers[0]!.next;
      await queue.scheduler.upsert('website:w1', 86_400_000, job);
      expect((await inspect(prefix).getJobSchedulers())[0]!.next).toBe(next);
      const seen: unknown[] = [];
      await queue.process(handlersOf(async (j) => void seen.push({ kind: j.kind, tenantId: j.tenantId, payload: j.payload })));
      await eventually(() => seen.length === 1, 10_000, 'the first firing');
      expect(seen).toEqual([job]);
      await queue.scheduler.remove('website:w1');
      expect(await inspect(prefix).getJobSchedulers()).toEqual([]);
    });

    it('ignores enqueueing a job that already completed (kept for a while by id)', async () => {
      const prefix = newPrefix();
      const queue = open({ prefix });
      let runs = 0;
      await queue.process(handlersOf(async () => void runs++));
      const job = queuedJob();
      await queue.enqueue(job);
      await eventually(async () => (await inspect(prefix).getJobState(job.id)) === 'completed', 10_000, 'completion');
      await queue.enqueue(job);
      await sleep(500);
      expect(runs).toBe(1);
    });

    it('reports progress to the BullMQ job', async () => {
      const prefix = newPrefix();
      const queue = open({ prefix });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      await queue.process(
        handlersOf(async (_job, ctx) => {
          await ctx.progress(0.25);
          await gate;
          await ctx.progress(7); // clamped
        }),
      );
      const job = queuedJob();
      await queue.enqueue(job);
      const view = inspect(prefix);
      await eventually(async () => (await view.getJob(job.id))?.progress === 0.25, 10_000, 'progress 0.25');
      release();
      await eventually(async () => (await view.getJobState(job.id)) === 'completed', 10_000, 'completion');
      expect((await view.getJob(job.id))?.progress).toBe(1);
    });

    it("recovers a job whose worker stopped mid-run: another worker runs it after the lock lapses", async () => {
      const prefix = newPrefix();
      const timing = { lockDurationMs: 1000, stalledIntervalMs: 300 };
      const first = open({ prefix, ...timing });
      const attemptsSeen: Array<[string, number]> = [];
      let firstStarted = false;
      await first.process(
        handlersOf(async (_job, ctx) => {
          firstStarted = true;
          attemptsSeen.push(['first', ctx.attempt]);
          await new Promise(() => {}); // hangs: this worker will be abandoned
        }),
      );
      const job = queuedJob();
      await first.enqueue(job);
      await eventually(() => firstStarted, 10_000, 'first run');
      // The worker "dies": its grace period is zero and its connections go away.
      await first.close(0);

      const second = open({ prefix, ...timing });
      let secondDone = false;
      await second.process(
        handlersOf(async (_job, ctx) => {
          attemptsSeen.push(['second', ctx.attempt]);
          secondDone = true;
        }),
      );
      // Re-enqueueing (what reconciliation does) does not steal or duplicate the active job.
      await second.enqueue(job);
      await eventually(() => secondDone, 15_000, 'recovery by the second worker');
      await sleep(300);
      expect(attemptsSeen).toEqual([
        ['first', 1],
        ['second', 2],
      ]);
      expect(await inspect(prefix).getJobState(job.id)).toBe('completed');
    });

    it('never runs one job id twice at once in a process, even when Redis lost it and it was re-added meanwhile', async () => {
      const prefix = newPrefix();
      const queue = open({ prefix, concurrency: 2 });
      let active = 0;
      let peak = 0;
      let runs = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      await queue.process(
        handlersOf(async () => {
          active++;
          runs++;
          peak = Math.max(peak, active);
          if (runs === 1) await gate;
          await sleep(100);
          active--;
        }),
      );
      const job = queuedJob();
      await queue.enqueue(job);
      await eventually(() => runs === 1, 10_000, 'first run');
      await deleteKeys(prefix); // Redis "loses its data" while the job runs
      await queue.enqueue(job); // reconciliation puts it back
      await sleep(500); // the second delivery has arrived by now, and waits
      expect(runs).toBe(1);
      release();
      await eventually(() => runs === 2 && active === 0, 10_000, 'second run');
      expect(peak).toBe(1);
    });

    it('gives a job that failed in Redis one more run when it is enqueued again (reconciliation), once', async () => {
      const prefix = newPrefix();
      const queue = open({ prefix, attempts: 1 });
      const runs: Array<{ attempt: number; finalAttempt: boolean }> = [];
      await queue.process(
        handlersOf(async (_job, ctx) => {
          runs.push({ attempt: ctx.attempt, finalAttempt: ctx.finalAttempt });
          throw new Error('database down');
        }),
      );
      const job = queuedJob();
      const view = inspect(prefix);
      await queue.enqueue(job);
      await eventually(async () => (await view.getJobState(job.id)) === 'failed', 10_000, 'failure');
      await queue.enqueue(job);
      await eventually(() => runs.length === 2, 10_000, 'revived run');
      await eventually(async () => (await view.getJobState(job.id)) === 'failed', 10_000, 'second failure');
      await queue.enqueue(job); // revived once already: left alone
      await sleep(500);
      expect(runs).toEqual([
        { attempt: 1, finalAttempt: true },
        { attempt: 2, finalAttempt: true },
      ]);
    });

    it('survives an unreachable Redis: enqueue and ping fail in time, nothing crashes, close is quick', async () => {
      const queue = bullmqQueue({ redisUrl: 'redis://127.0.0.1:1', prefix: newPrefix(), commandTimeoutMs: 500 });
      const t0 = Date.now();
      await expect(queue.enqueue(queuedJob())).rejects.toThrow(/did not answer/);
      await expect(queue.ping()).rejects.toThrow();
      expect(Date.now() - t0).toBeLessThan(3000);
      const t1 = Date.now();
      await queue.close(1000);
      expect(Date.now() - t1).toBeLessThan(4000);
    });
  });
});
