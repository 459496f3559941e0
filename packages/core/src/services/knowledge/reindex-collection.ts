import type { JobRunContext, QueuedJob } from '../../ports/index.js';
import type { CoreContext } from '../context.js';

/** Chunks re-indexed per statement (and transaction): short locks, steady progress. */
export const REINDEX_BATCH = 500;

/**
 * The `reindex_collection` job: after a collection's language changed, every chunk not
 * yet in the new language gets its full-text vector computed again, and with it its BM25
 * postings and the collection's statistics (the triggers of migrations 0008 and 0013, in
 * each batch's transaction). The target is whatever language the collection has when a
 * batch runs, so a job delivered twice, or the job of an earlier change, only finishes
 * the work. Searches meanwhile see some chunks in each language: they are not wrong, only
 * not yet as good (ADR 0037).
 */
export const reindexCollection = async (ctx: CoreContext, job: QueuedJob, run: JobRunContext): Promise<void> => {
  const repos = ctx.store.forTenant(job.tenantId);
  const collectionId = String(job.payload.collectionId);
  const total = await repos.chunks.countNotInLanguage(collectionId);
  let done = 0;
  for (;;) {
    run.signal.throwIfAborted();
    const n = await repos.chunks.reindexBatch(collectionId, REINDEX_BATCH);
    if (n === 0) break;
    done += n;
    if (total > 0) await run.progress(Math.min(0.99, done / total));
  }
  // Housekeeping for keyword search (PGlite: the postings' visibility map and statistics).
  await ctx.store.system.chunksStored().catch(() => {});
};
