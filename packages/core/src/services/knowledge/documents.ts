import { AtriumError, invalid, notFound } from '../../domain/errors.js';
import type { Actor } from '../../domain/identity.js';
import type { Job } from '../../domain/jobs.js';
import type { Chunk, DocumentStatus, KnowledgeDocument } from '../../domain/knowledge.js';
import type { Page, PageRequest } from '../../domain/pagination.js';
import type { TenantRepositories } from '../../ports/index.js';
import type { CoreContext } from '../context.js';
import { recordJob, toQueued } from '../jobs/jobs.js';
import { describeBytes } from '../shared/public-error.js';
import { sha256Hex } from '../shared/secrets.js';
import { requireCollection } from './collections.js';

/** A document's `contentHash`: what "the same content" means for uploads (ADR 0025). */
export const documentContentHash = (bytes: Uint8Array): Promise<string> => sha256Hex(bytes);

export type CreateDocumentInput =
  | { kind: 'text'; title: string; text: string }
  | { kind: 'file'; bytes: Uint8Array; filename?: string | undefined; title?: string | undefined; declaredType?: string | undefined };

export interface CreatedDocument {
  document: KnowledgeDocument;
  job: Job | null;
  /** True when identical content was already in the collection: nothing new was queued. */
  duplicate: boolean;
}

const MAX_TITLE = 300;

const titleFor = (input: CreateDocumentInput): string => {
  const raw =
    input.kind === 'text'
      ? input.title
      : (input.title ?? input.filename ?? 'Untitled document');
  return raw.trim().slice(0, MAX_TITLE) || 'Untitled document';
};

const asDuplicate = async (repos: TenantRepositories, document: KnowledgeDocument): Promise<CreatedDocument> => ({
  document,
  job: await repos.jobs.latestForDocument(document.id),
  duplicate: true,
});

/**
 * Accepts a document for ingestion: checks size and type (from the bytes), stores the
 * bytes and a queued job in one transaction, then hands the job to the queue.
 * Identical content already in the collection is not ingested twice, even when uploads
 * race: a unique index on (collection, content hash) decides, and the loser gets the
 * winner's document and job.
 */
export const createDocument = async (
  ctx: CoreContext,
  actor: Actor,
  collectionId: string,
  input: CreateDocumentInput,
): Promise<CreatedDocument> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const collection = await requireCollection(repos, actor, collectionId, 'knowledge.write');
  if (input.kind === 'text' && input.text.trim() === '') throw invalid([{ path: 'text', message: 'Must not be empty' }]);
  const bytes = input.kind === 'text' ? new TextEncoder().encode(input.text) : input.bytes;
  if (bytes.byteLength === 0) throw invalid([{ path: 'file', message: 'The file is empty' }]);
  if (bytes.byteLength > ctx.settings.maxUploadBytes)
    throw new AtriumError(
      'too_large',
      'file_too_large',
      `The document is larger than the ${describeBytes(ctx.settings.maxUploadBytes)} limit`,
    );

  const format = await ctx.extractor.detect(
    input.kind === 'text'
      ? { bytes, declaredType: 'text/plain', knownText: true }
      : { bytes, declaredType: input.declaredType, filename: input.filename },
  );
  if (!format)
    throw new AtriumError(
      'unsupported',
      'unsupported_media_type',
      'Unsupported file type: upload PDF, DOCX, HTML, Markdown, CSV or plain text',
    );

  const contentHash = await documentContentHash(bytes);
  // A failed document does not count: the same content may be tried again (a new document).
  const existing = await repos.documents.findByContentHash(collectionId, contentHash);
  if (existing && existing.status !== 'failed') return asDuplicate(repos, existing);

  const now = ctx.clock.now();
  const created = await ctx.store.transaction(async (tx) => {
    const scoped = tx.forTenant(actor.tenantId);
    const document = await scoped.documents.createUnlessDuplicate({
      id: ctx.ids.next(),
      spaceId: collection.spaceId,
      collectionId,
      title: titleFor(input),
      sourceType: input.kind === 'text' ? 'text' : 'file',
      source: input.kind === 'file' ? (input.filename ?? null) : null,
      format,
      byteSize: bytes.byteLength,
      contentHash,
      status: 'queued',
      error: null,
      chunkCount: 0,
      tokenCount: 0,
      createdAt: now,
      updatedAt: now,
    });
    // Another upload of the same bytes won the race: nothing was written here.
    if (!document) return null;
    await scoped.documents.putBlob(document.id, bytes);
    const job = await recordJob(ctx, tx, actor.tenantId, collection.spaceId, 'ingest_document', { documentId: document.id });
    return { document, job };
  });
  if (!created) {
    // The winner has committed (the unique index made this upload wait for it).
    const winner = await repos.documents.findByContentHash(collectionId, contentHash);
    if (!winner || winner.status === 'failed') throw new AtriumError('conflict', 'document_conflict', 'The document was deleted while it was being uploaded again; retry');
    return asDuplicate(repos, winner);
  }
  const { document, job } = created;
  // After commit: a queue that is down leaves the job queued in the table, and it is
  // picked up again when the queue recovers unfinished jobs.
  await ctx.queue.enqueue(toQueued(job)).catch(() => {});
  return { document, job, duplicate: false };
};

export const listDocuments = async (
  ctx: CoreContext,
  actor: Actor,
  collectionId: string,
  page: PageRequest,
  filter: { status?: DocumentStatus },
): Promise<Page<KnowledgeDocument>> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  await requireCollection(repos, actor, collectionId, 'knowledge.read');
  return repos.documents.list(collectionId, page, filter);
};

const requireDocument = async (ctx: CoreContext, actor: Actor, documentId: string, write: boolean) => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const document = await repos.documents.get(documentId);
  if (!document) throw notFound('Document');
  try {
    await requireCollection(repos, actor, document.collectionId, write ? 'knowledge.write' : 'knowledge.read');
  } catch (error) {
    if (error instanceof AtriumError && error.kind === 'not_found') throw notFound('Document');
    throw error;
  }
  return { repos, document };
};

export const getDocument = async (ctx: CoreContext, actor: Actor, documentId: string): Promise<KnowledgeDocument> =>
  (await requireDocument(ctx, actor, documentId, false)).document;

export const deleteDocument = async (ctx: CoreContext, actor: Actor, documentId: string): Promise<void> => {
  const { repos } = await requireDocument(ctx, actor, documentId, true);
  await repos.documents.delete(documentId);
};

export const listChunks = async (
  ctx: CoreContext,
  actor: Actor,
  documentId: string,
  page: PageRequest,
): Promise<Page<Chunk>> => {
  const { repos } = await requireDocument(ctx, actor, documentId, false);
  return repos.chunks.list(documentId, page);
};
