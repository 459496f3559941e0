export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * `recrawl_website` is a schedule's tick: it starts a `crawl_website` run (with its own
 * jobs-table row) and is not recorded itself.
 */
export const JOB_KINDS = ['ingest_document', 'reindex_collection', 'crawl_website', 'recrawl_website'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface Job {
  id: string;
  tenantId: string;
  kind: JobKind;
  status: JobStatus;
  /** 0..1 */
  progress: number;
  error: string | null;
  attempts: number;
  /** What the job works on, e.g. `{ documentId }`. */
  payload: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}
