import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chunkIntegrity,
  createDocument,
  documentIn,
  openEnvironment,
  postgresTarget,
  redisServerRequirement,
  sleep,
  spawnWorker,
  startWorker,
  waitFor,
  type Environment,
  type WorkerProcess,
} from './helpers.js';

// Real PostgreSQL (DATABASE_URL) and a private redis-server per suite; worker processes
// are spawned exactly as `pnpm --filter @atrium/worker start` runs them. With CI=true a
// missing service fails the run instead of skipping.
const postgres = await postgresTarget();
const redisServer = redisServerRequirement();
const ready = postgres.requirement.ok && redisServer.ok;
const skipReason = [postgres.requirement, redisServer].filter((r) => !r.ok).map((r) => r.reason).join('; ');

/** Short locks so a killed worker's job is taken over within seconds. */
const FAST_RECOVERY = { ATRIUM_WORKER_LOCK_MS: '3000', ATRIUM_WORKER_STALLED_INTERVAL_MS: '1000', ATRIUM_WORKER_RECONCILE_MS: '2000' };

const workerVars = (env: Environment, extra: Record<string, string> = {}) => ({
  DATABASE_URL: env.databaseUrl,
  REDIS_URL: env.redis.url,
  ...FAST_RECOVERY,
  ...extra,
});

describe.skipIf(!ready)(`worker reliability${ready ? '' : ` (skipped: ${skipReason})`}`, () => {
  let env: Environment;
  const workers: WorkerProcess[] = [];
  const start = async (name: string, vars: Record<string, string>) => {
    const worker = await startWorker(name, vars);
    workers.push(worker);
    return worker;
  };
  const outputs = () => workers.map((w) => w.output()).join('\n');
  /** The job once it has ended: its row is marked a moment after the document's transaction commits. */
  const jobEnded = (jobId: string) =>
    waitFor(
      async () => {
        const job = await env.core.jobs.get(env.actor, jobId);
        return job.status === 'completed' || job.status === 'failed' ? job : null;
      },
      10_000,
      `job ${jobId} to end`,
      outputs,
    );

  beforeAll(async () => {
    env = await openEnvironment(postgres.target!);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill('SIGKILL')));
  });
  afterAll(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill('SIGKILL')));
    await env?.close();
  });

  it(
    'a worker SIGKILLed mid-ingestion: another worker retries the job, the document ends ready, no duplicate chunks',
    { timeout: 180_000 },
    async () => {
      // Worker A embeds slowly (test-only hook), so it is killed while ingesting.
      const a = await start('A', workerVars(env, { ATRIUM_TEST_EMBED_DELAY_MS: '30000' }));
      const { document, jobId } = await createDocument(env, 'sigkill');

      await waitFor(
        async () => (await env.core.jobs.get(env.actor, jobId)).status === 'running' && (await documentIn(env, document.id, ['processing'])),
        60_000,
        'job running on worker A',
        outputs,
      );
      await a.waitForLog((l) => l.msg === 'job started' && l.jobId === jobId, 10_000, 'job started');
      await sleep(500); // well inside the (slowed-down) embedding step
      const killed = await a.kill('SIGKILL');
      expect(killed.signal).toBe('SIGKILL');
      expect((await env.core.jobs.get(env.actor, jobId)).status).toBe('running'); // nobody finished it

      const b = await start('B', workerVars(env));
      const finished = await waitFor(() => documentIn(env, document.id, ['ready', 'failed']), 90_000, 'document ready', outputs);
      expect(finished.status, finished.error ?? '').toBe('ready');

      const integrity = await chunkIntegrity(env, document.id);
      expect(integrity.chunkCount).toBeGreaterThan(5);
      expect(integrity).toEqual({
        status: 'ready',
        chunkCount: integrity.chunkCount,
        found: integrity.chunkCount,
        uniqueIds: integrity.chunkCount,
        ordinalsAreSequence: true,
      });
      const job = await jobEnded(jobId);
      expect(job.status).toBe('completed');
      expect(job.attempts).toBeGreaterThanOrEqual(2);
      expect(job.progress).toBe(1);
      // It was B that ran it, as a second attempt.
      expect(b.logs().some((l) => l.msg === 'job finished' && l.jobId === jobId && Number(l.attempt) >= 2)).toBe(true);
    },
  );

  it(
    'Redis restarted (data lost) while jobs are queued and no worker runs: every document still ends ready',
    { timeout: 180_000 },
    async () => {
      const created = [];
      for (let i = 0; i < 5; i++) created.push(await createDocument(env, `queued-${i}`));
      expect(await env.redis.size()).toBeGreaterThan(0); // the jobs are in Redis...
      await env.redis.restart();
      expect(await env.redis.size()).toBe(0); // ...and now they are not

      await start('C', workerVars(env));
      for (const { document } of created) {
        const done = await waitFor(() => documentIn(env, document.id, ['ready', 'failed']), 90_000, `document ${document.title}`, outputs);
        expect(done.status, done.error ?? '').toBe('ready');
        const integrity = await chunkIntegrity(env, document.id);
        expect(integrity.found).toBe(integrity.chunkCount);
        expect(integrity.ordinalsAreSequence).toBe(true);
      }
      for (const { jobId } of created) expect((await jobEnded(jobId)).status).toBe('completed');
    },
  );

  it(
    'Redis restarted while a worker runs: periodic reconciliation re-enqueues what was lost',
    { timeout: 180_000 },
    async () => {
      const worker = await start('D', workerVars(env, { ATRIUM_WORKER_CONCURRENCY: '1', ATRIUM_TEST_EMBED_DELAY_MS: '1500' }));
      const created = [];
      for (let i = 0; i < 4; i++) created.push(await createDocument(env, `running-${i}`));
      await worker.waitForLog((l) => l.msg === 'job started', 30_000, 'first job started');
      await env.redis.restart(); // the waiting jobs (and the active one's lock) are gone

      for (const { document } of created) {
        const done = await waitFor(() => documentIn(env, document.id, ['ready', 'failed']), 120_000, `document ${document.title}`, outputs);
        expect(done.status, done.error ?? '').toBe('ready');
        const integrity = await chunkIntegrity(env, document.id);
        expect(integrity.found).toBe(integrity.chunkCount);
        expect(integrity.uniqueIds).toBe(integrity.chunkCount);
        expect(integrity.ordinalsAreSequence).toBe(true);
      }
      expect(worker.child.exitCode).toBeNull(); // the Redis restart did not crash the worker
    },
  );

  it('SIGTERM: the worker finishes its running job, then exits 0', { timeout: 120_000 }, async () => {
    const worker = await start('E', workerVars(env, { ATRIUM_TEST_EMBED_DELAY_MS: '3000', ATRIUM_WORKER_SHUTDOWN_MS: '30000' }));
    const { document, jobId } = await createDocument(env, 'graceful');
    await worker.waitForLog((l) => l.msg === 'job started' && l.jobId === jobId, 30_000, 'job started');
    const exit = await worker.kill('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect((await env.core.documents.get(env.actor, document.id)).status).toBe('ready');
    expect((await env.core.jobs.get(env.actor, jobId)).status).toBe('completed');
  });

  it(
    'SIGTERM with a job that outlasts the shutdown limit: exits 0 in time; another worker completes the job',
    { timeout: 180_000 },
    async () => {
      const slow = await start('F', workerVars(env, { ATRIUM_TEST_EMBED_DELAY_MS: '60000', ATRIUM_WORKER_SHUTDOWN_MS: '1000' }));
      const { document, jobId } = await createDocument(env, 'abandoned');
      await slow.waitForLog((l) => l.msg === 'job started' && l.jobId === jobId, 30_000, 'job started');
      const t0 = Date.now();
      const exit = await slow.kill('SIGTERM');
      expect(exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect((await env.core.documents.get(env.actor, document.id)).status).not.toBe('ready');

      await start('G', workerVars(env));
      const done = await waitFor(() => documentIn(env, document.id, ['ready', 'failed']), 90_000, 'document ready', outputs);
      expect(done.status, done.error ?? '').toBe('ready');
      const integrity = await chunkIntegrity(env, document.id);
      expect(integrity.found).toBe(integrity.chunkCount);
      expect(integrity.ordinalsAreSequence).toBe(true);
      expect((await jobEnded(jobId)).status).toBe('completed');
    },
  );
});

describe('worker configuration', () => {
  it('exits 1 with one clear line when REDIS_URL or DATABASE_URL is missing', { timeout: 60_000 }, async () => {
    const worker = spawnWorker('no-redis', { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' });
    const exit = await worker.exited;
    expect(exit.code).toBe(1);
    const stderr = worker.output().split('--- worker no-redis stderr ---\n')[1]!.trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/REDIS_URL/);
    expect(stderr).not.toMatch(/DATABASE_URL/);

    const neither = spawnWorker('nothing', {});
    expect((await neither.exited).code).toBe(1);
    expect(neither.output()).toMatch(/DATABASE_URL \(PostgreSQL\) and REDIS_URL \(Redis\)/);
  });

  it('rejects a malformed worker setting by name', { timeout: 60_000 }, async () => {
    const worker = spawnWorker('bad-setting', {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      REDIS_URL: 'redis://127.0.0.1:6379',
      ATRIUM_WORKER_CONCURRENCY: 'lots',
    });
    expect((await worker.exited).code).toBe(1);
    expect(worker.output()).toMatch(/ATRIUM_WORKER_CONCURRENCY must be an integer between 1 and 64 \(got "lots"\)/);
  });
});
