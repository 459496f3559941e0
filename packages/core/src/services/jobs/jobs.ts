import { isAtriumError, notFound } from '../../domain/errors.js';
import type { Actor } from '../../domain/identity.js';
import type { Job, JobKind } from '../../domain/jobs.js';
import type { JobHandler, JobRunContext, QueuedJob, Store } from '../../ports/index.js';
import type { CoreContext } from '../context.js';
import { requireSpace } from '../shared/access.js';
import { publicErrorMessage } from '../shared/public-error.js';

export const getJob = async (ctx: CoreContext, actor: Actor, jobId: string): Promise<Job> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const job = await repos.jobs.get(jobId);
  if (!job) throw notFound('Job');
  const spaceId = await repos.jobs.spaceOf(jobId);
  if (spaceId) {
    try {
      await requireSpace(repos, actor, spaceId, 'knowledge.read');
    } catch {
      throw notFound('Job'); // a job in a space you cannot read does not exist for you
    }
  }
  return job;
};

/** Records a job (inside the caller's transaction); enqueue it once that commits. */
export const recordJob = (
  ctx: CoreContext,
  store: Store,
  tenantId: string,
  spaceId: string | null,
  kind: JobKind,
  payload: Record<string, unknown>,
): Promise<Job> =>
  store.forTenant(tenantId).jobs.create({
    id: ctx.ids.next(),
    spaceId,
    kind,
    status: 'queued',
    payload,
    createdAt: ctx.clock.now(),
  });

export const toQueued = (job: Job): QueuedJob => ({ id: job.id, tenantId: job.tenantId, kind: job.kind, payload: job.payload });

/** Errors that retrying cannot fix: bad input, unsupported content, missing things. */
export const isPermanent = (error: unknown): boolean =>
  isAtriumError(error) && ['invalid', 'unsupported', 'not_found', 'too_large', 'forbidden'].includes(error.kind);

/**
 * Wraps job handlers with the bookkeeping both queues share: the jobs table row goes
 * running → completed | failed (or back to queued when a retry follows), with attempts
 * and progress. Queue adapters call the result; they never touch the table themselves.
 */
export const trackedHandlers = <K extends JobKind>(ctx: CoreContext, handlers: Record<K, JobHandler>): Record<K, JobHandler> => {
  const track =
    (handler: JobHandler) =>
    async (job: QueuedJob, run: JobRunContext): Promise<void> => {
      const jobs = ctx.store.forTenant(job.tenantId).jobs;
      const current = await jobs.get(job.id);
      // Gone with its tenant, or delivered again after it finished (queues deliver at
      // least once): nothing to do.
      if (!current || current.status === 'completed') return;
      const started = ctx.clock.now();
      await jobs.update(job.id, { status: 'running', attempts: run.attempt, startedAt: started, error: null, now: started });
      try {
        await handler(job, {
          ...run,
          progress: async (value) => {
            await jobs.update(job.id, { progress: Math.max(0, Math.min(1, value)), now: ctx.clock.now() });
          },
        });
        const now = ctx.clock.now();
        await jobs.update(job.id, { status: 'completed', progress: 1, finishedAt: now, now });
      } catch (error) {
        const now = ctx.clock.now();
        const final = run.finalAttempt || isPermanent(error);
        await jobs.update(job.id, {
          status: final ? 'failed' : 'queued',
          error: publicErrorMessage(error),
          ...(final && { finishedAt: now }),
          now,
        });
        if (!final) throw error; // let the queue schedule the retry
      }
    };
  return Object.fromEntries(Object.entries<JobHandler>(handlers).map(([kind, h]) => [kind, track(h)])) as Record<K, JobHandler>;
};

/** Puts jobs left queued or running by a stopped process back on the queue. */
export const recoverUnfinishedJobs = async (ctx: CoreContext, limit = 1000): Promise<number> => {
  const unfinished = await ctx.store.system.unfinishedJobs(limit);
  for (const job of unfinished) await ctx.queue.enqueue(toQueued(job));
  return unfinished.length;
};
