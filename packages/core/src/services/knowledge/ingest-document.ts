import { AtriumError, notFound } from '../../domain/errors.js';
import type { Collection, DocumentFormat, KnowledgeDocument } from '../../domain/knowledge.js';
import type { ExtractedBlock, ExtractedDocument, ExtractionInput, JobRunContext, NewChunk, QueuedJob } from '../../ports/index.js';
import { chunkDocument, embeddingTextFor } from '../../retrieval/chunking.js';
import { usableModel } from '../../retrieval/search.js';
import type { CoreContext } from '../context.js';
import { isPermanent } from '../jobs/jobs.js';
import { publicErrorMessage } from '../shared/public-error.js';
import { clampTitle } from './documents.js';
import { fetchLinkedDocument } from './linked-documents.js';

// The format was detected from the bytes at upload; telling the extractor keeps text
// formats (CSV vs plain text) from being guessed differently the second time.
const DECLARED_TYPE: Record<DocumentFormat, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  html: 'text/html',
  markdown: 'text/markdown',
  text: 'text/plain',
  csv: 'text/csv',
};

/** What the extractor reads: the stored upload, or for a `{url}` document the page, fetched now. */
const contentOf = async (ctx: CoreContext, document: KnowledgeDocument, signal: AbortSignal): Promise<ExtractionInput & { bytes: Uint8Array }> => {
  if (document.sourceType === 'url') return fetchLinkedDocument(ctx.web, document.source ?? '', signal);
  const bytes = await ctx.store.forTenant(document.tenantId).documents.getBlob(document.id);
  if (!bytes) throw notFound('Document content');
  return {
    bytes,
    declaredType: document.format ? DECLARED_TYPE[document.format] : undefined,
    filename: document.source ?? undefined,
    knownText: document.sourceType === 'text',
  };
};

/** A fetched document's size, and its page's title unless the editor gave one (the title is still the URL). */
const pageFields = (document: KnowledgeDocument, extracted: ExtractedDocument, bytes: Uint8Array) => ({
  byteSize: bytes.byteLength,
  ...(document.title === clampTitle(document.source ?? '') && extracted.title?.trim() && { title: clampTitle(extracted.title) }),
});

/**
 * Extracted blocks → chunks along their structure → embeddings in batches: what every
 * document becomes before it is stored, whatever brought it (upload, URL, crawl).
 * `onProgress` hears the share of chunks embedded so far.
 */
export const chunkAndEmbed = async (
  ctx: CoreContext,
  collection: Collection,
  blocks: ExtractedBlock[],
  signal: AbortSignal,
  onProgress?: (done: number) => Promise<void>,
): Promise<NewChunk[]> => {
  const model = usableModel(ctx.embeddings, collection);
  // PostgreSQL text cannot hold U+0000; a stray NUL in an otherwise fine text file
  // must not fail the whole document.
  const clean = blocks.map((b) => ({ ...b, text: b.text.replaceAll('\u0000', '') }));
  const drafts = chunkDocument(clean, collection.chunking);
  if (drafts.length === 0) throw new AtriumError('invalid', 'empty_document', 'No text could be found in this document');

  const embeddings: number[][] = [];
  const batch = Math.max(1, Math.min(ctx.settings.embeddingBatchSize, model.maxBatchSize));
  for (let i = 0; i < drafts.length; i += batch) {
    signal.throwIfAborted();
    const texts = drafts.slice(i, i + batch).map(embeddingTextFor);
    embeddings.push(...(await model.embed(texts, { signal })));
    await onProgress?.(Math.min(i + batch, drafts.length) / drafts.length);
  }
  return drafts.map((d, i) => ({ ...d, id: ctx.ids.next(), embedding: embeddings[i]! }));
};

/** A document's counts once its chunks are stored. */
export const chunkTotals = (chunks: readonly NewChunk[]) => ({
  chunkCount: chunks.length,
  tokenCount: chunks.reduce((sum, c) => sum + c.tokenCount, 0),
});

/**
 * The `ingest_document` job: (fetch →) extract → chunk → embed → store. Chunks are replaced in
 * one transaction with the document's status, so a worker killed at any point leaves
 * either the old chunks or the new ones, never duplicates.
 */
export const ingestDocument = async (ctx: CoreContext, job: QueuedJob, run: JobRunContext): Promise<void> => {
  const repos = ctx.store.forTenant(job.tenantId);
  const documentId = String(job.payload.documentId);
  try {
    const document = await repos.documents.get(documentId);
    if (!document) return; // deleted while queued: nothing to do
    const collection = await repos.collections.get(document.collectionId);
    if (!collection) return;
    const model = usableModel(ctx.embeddings, collection);

    await repos.documents.setProgress(documentId, { status: 'processing', error: null, now: ctx.clock.now() });
    const content = await contentOf(ctx, document, run.signal);

    const extracted = await ctx.extractor.extract(content);
    await run.progress(0.2);

    const chunks = await chunkAndEmbed(ctx, collection, extracted.blocks, run.signal, (done) => run.progress(0.2 + 0.7 * done));

    await ctx.store.transaction(async (tx) => {
      const scoped = tx.forTenant(job.tenantId);
      // The row lock serialises two deliveries of one job; a document deleted while we
      // worked has nothing left to store into.
      if (!(await scoped.documents.lock(documentId))) return;
      await scoped.chunks.replaceForDocument(
        documentId,
        collection.id,
        model.dimensions,
        chunks,
      );
      await scoped.documents.setProgress(documentId, {
        status: 'ready',
        error: null,
        format: extracted.format,
        ...(document.sourceType === 'url' && pageFields(document, extracted, content.bytes)),
        ...chunkTotals(chunks),
        now: ctx.clock.now(),
      });
    });
  } catch (error) {
    if (run.finalAttempt || isPermanent(error)) {
      await repos.documents.setProgress(documentId, {
        status: 'failed',
        error: publicErrorMessage(error),
        now: ctx.clock.now(),
      });
    }
    throw error;
  }
  // Housekeeping for keyword search after the chunks are committed; the document is ready
  // whatever happens here.
  await ctx.store.system.chunksStored().catch(() => {});
};
