/**
 * Worker-only settings, read from the environment next to the shared configuration
 * (`loadConfig` from `@atrium/core/node`). They tune this process only; producers (the
 * server) do not read them, so replicas may differ.
 */
export interface WorkerSettings {
  /** Jobs this process runs at the same time. */
  concurrency: number;
  /** How long a shutdown (SIGTERM/SIGINT) waits for running jobs before abandoning them. */
  shutdownMs: number;
  /** How often unfinished jobs in the jobs table are re-enqueued (repairs a Redis that lost data). */
  reconcileMs: number;
  /** Lock on a running job; a killed worker's job is taken over this long after its last renewal. */
  lockMs: number;
  /** How often this worker looks for jobs whose worker died. */
  stalledIntervalMs: number;
  /** TEST ONLY: slows every embedding call down by this long, so tests can kill a worker mid-job. */
  testEmbedDelayMs: number;
}

interface IntegerSetting {
  name: string;
  min: number;
  max: number;
  fallback: number;
}

const SETTINGS: Record<keyof WorkerSettings, IntegerSetting> = {
  concurrency: { name: 'ATRIUM_WORKER_CONCURRENCY', min: 1, max: 64, fallback: 2 },
  shutdownMs: { name: 'ATRIUM_WORKER_SHUTDOWN_MS', min: 0, max: 3_600_000, fallback: 30_000 },
  reconcileMs: { name: 'ATRIUM_WORKER_RECONCILE_MS', min: 1000, max: 86_400_000, fallback: 10_000 },
  lockMs: { name: 'ATRIUM_WORKER_LOCK_MS', min: 1000, max: 3_600_000, fallback: 30_000 },
  stalledIntervalMs: { name: 'ATRIUM_WORKER_STALLED_INTERVAL_MS', min: 500, max: 3_600_000, fallback: 30_000 },
  testEmbedDelayMs: { name: 'ATRIUM_TEST_EMBED_DELAY_MS', min: 0, max: 600_000, fallback: 0 },
};

export class WorkerSettingsError extends Error {
  override readonly name = 'WorkerSettingsError';
}

/** Reads the worker's settings; throws a WorkerSettingsError whose message is one line. */
export const loadWorkerSettings = (env: Record<string, string | undefined> = process.env): WorkerSettings => {
  const read = ({ name, min, max, fallback }: IntegerSetting): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= min && value <= max))
      throw new WorkerSettingsError(`Invalid configuration: ${name} must be an integer between ${min} and ${max} (got "${raw}")`);
    return value;
  };
  return Object.fromEntries(Object.entries(SETTINGS).map(([key, setting]) => [key, read(setting)])) as unknown as WorkerSettings;
};
