import type { JobQueue, JobScheduler, ScheduledJob } from '../../ports/index.js';

interface Entry {
  everyMs: number;
  job: ScheduledJob;
  timer: ReturnType<typeof setInterval>;
}

/**
 * The embedded-mode scheduler: a timer per schedule that puts the job on `queue` now and
 * every interval after. Nothing is kept: schedules live in the database and are restored
 * at start (`core.jobs.restoreSchedules()`). Timers do not keep the process alive.
 */
export const inProcessScheduler = (queue: Pick<JobQueue, 'enqueue'>): JobScheduler & { close(): void; readonly keys: string[] } => {
  const entries = new Map<string, Entry>();
  let tick = 0;
  const fire = (key: string, job: ScheduledJob) =>
    void queue.enqueue({ ...job, id: `${key}:${Date.now()}:${++tick}` }).catch(() => {});
  return {
    get keys() {
      return [...entries.keys()];
    },
    async upsert(key, everyMs, job) {
      const existing = entries.get(key);
      if (existing && existing.everyMs === everyMs && JSON.stringify(existing.job) === JSON.stringify(job)) return;
      if (existing) clearInterval(existing.timer);
      const timer = setInterval(() => fire(key, job), everyMs);
      timer.unref?.();
      entries.set(key, { everyMs, job, timer });
      fire(key, job);
    },
    async remove(key) {
      const existing = entries.get(key);
      if (existing) clearInterval(existing.timer);
      entries.delete(key);
    },
    close() {
      for (const entry of entries.values()) clearInterval(entry.timer);
      entries.clear();
    },
  };
};
