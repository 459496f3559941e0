import type { JobKind } from '../domain/jobs.js';

export interface QueuedJob {
  /** Also the job's id in the jobs table; deterministic per work item so retries dedupe. */
  id: string;
  tenantId: string;
  kind: JobKind;
  payload: Record<string, unknown>;
}

export interface JobRunContext {
  /** 1-based. */
  attempt: number;
  /** No retry follows if this attempt fails. */
  finalAttempt: boolean;
  signal: AbortSignal;
  /** Reports progress 0..1 (persisted for GET /jobs/{id}). */
  progress(value: number): Promise<void>;
}

export type JobHandler = (job: QueuedJob, ctx: JobRunContext) => Promise<void>;
export type JobHandlers = Record<JobKind, JobHandler>;

/**
 * Transport for background work. The in-process adapter runs handlers itself; the
 * BullMQ adapter only enqueues, and `@atrium/worker` processes run the handlers.
 */
export interface JobQueue {
  readonly kind: 'in-process' | 'bullmq';
  enqueue(job: QueuedJob): Promise<void>;
  /** Starts consuming with these handlers (in-process queue; workers for BullMQ). */
  process(handlers: JobHandlers): Promise<void>;
  /** True when the queue's backend answers (readiness). */
  ping(): Promise<void>;
  /** Stops taking work and waits (up to `graceMs`) for running jobs. */
  close(graceMs?: number): Promise<void>;
}

/** A job a schedule enqueues each time it fires (a fresh id each time). */
export interface ScheduledJob {
  tenantId: string;
  kind: JobKind;
  payload: Record<string, unknown>;
}

/**
 * Repeating work: BullMQ job schedulers in connected mode (kept in Redis, fired once for
 * all workers), timers in embedded mode. Schedules are restored from the database when a
 * process that runs jobs starts, so either survives restarts.
 */
export interface JobScheduler {
  /**
   * Fires `job` now and then every `everyMs`; replaces the schedule under `key` (an
   * identical one is left alone). Handlers of scheduled jobs decide whether a tick has work.
   */
  upsert(key: string, everyMs: number, job: ScheduledJob): Promise<void>;
  /** Removes the schedule under `key` (nothing when there is none). */
  remove(key: string): Promise<void>;
}
