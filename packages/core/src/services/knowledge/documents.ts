import { AtriumError, conflict, invalid, notFound } from '../../domain/errors.js';
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
  | { kind: 'file'; bytes: Uint8Array; filename?: string | undefined; title?: string | undefined; declaredType?: string | undefined }
  /** A page or file on the web, fetched by the ingest job; its title defaults to the page's. */
  | { kind: 'url'; url: string; title?: string | undefined };

export interface CreatedDocument {
  document: KnowledgeDocument;
  job: Job | null;
  /** True when identical content was already in the collection: nothing new was queued. */
  duplicate: boolean;
}

const MAX_TITLE = 300;

/** A title as stored: trimmed, at most 300 characters. */
export const clampTitle = (raw: string, fallback = 'Untitled document'): string => raw.trim().slice(0, MAX_TITLE) || fallback;

/** What a new document is, before it is stored: its row's content fields and, unless fetched later, its bytes. */
type NewDocument = Pick<KnowledgeDocument, 'title' | 'sourceType' | 'source' | 'format' | 'byteSize' | 'contentHash'> & {
  bytes: Uint8Array | null;
};

const asDuplicate = async (repos: TenantRepositories, document: KnowledgeDocument): Promise<CreatedDocument> => ({
  document,
  job: await repos.jobs.latestForDocument(document.id),
  duplicate: true,
});

/** Bytes sent by the client (a file, or JSON text): checked for size and type here, from the bytes. */
const uploaded = async (ctx: CoreContext, input: Exclude<CreateDocumentInput, { kind: 'url' }>): Promise<NewDocument> => {
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
  return {
    title: clampTitle(input.kind === 'text' ? input.title : (input.title ?? input.filename ?? '')),
    sourceType: input.kind,
    source: input.kind === 'file' ? (input.filename ?? null) : null,
    format,
    byteSize: bytes.byteLength,
    contentHash: await documentContentHash(bytes),
    bytes,
  };
};

/**
 * A URL: checked (scheme, every address of its host; ADR 0038) before anything is stored,
 * so a refused URL is a 422 now rather than a failed document later. Nothing is fetched
 * yet: the ingest job does that. One document per URL in a collection, as one per
 * content: its hash is the URL's.
 */
const linked = async (ctx: CoreContext, input: Extract<CreateDocumentInput, { kind: 'url' }>): Promise<NewDocument> => {
  const checked = await ctx.web.check(input.url);
  if (!checked.ok)
    throw new AtriumError('invalid', 'url_refused', `The URL cannot be fetched: ${checked.message}`, {
      errors: [{ path: 'url', message: `${checked.reason}: ${checked.message}` }],
    });
  return {
    // The URL until the page's own title is known (ingest-document.ts).
    title: clampTitle(input.title ?? '', checked.url.slice(0, MAX_TITLE)),
    sourceType: 'url',
    source: checked.url,
    format: null,
    byteSize: 0,
    contentHash: await documentContentHash(new TextEncoder().encode(`url ${checked.url}`)),
    bytes: null,
  };
};

/**
 * Accepts a document for ingestion: checks it (the bytes' size and type, or the URL),
 * stores it and a queued job in one transaction, then hands the job to the queue.
 * Identical content (or the same URL) already in the collection is not ingested twice,
 * even when uploads race: a unique index on (collection, content hash) decides, and the
 * loser gets the winner's document and job.
 */
export const createDocument = async (
  ctx: CoreContext,
  actor: Actor,
  collectionId: string,
  input: CreateDocumentInput,
): Promise<CreatedDocument> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const collection = await requireCollection(repos, actor, collectionId, 'knowledge.write');
  const { bytes, ...fields } = input.kind === 'url' ? await linked(ctx, input) : await uploaded(ctx, input);

  // A failed document does not count: the same content may be tried again (a new document).
  const existing = await repos.documents.findByContentHash(collectionId, fields.contentHash);
  if (existing && existing.status !== 'failed') return asDuplicate(repos, existing);

  const now = ctx.clock.now();
  const created = await ctx.store.transaction(async (tx) => {
    const scoped = tx.forTenant(actor.tenantId);
    const document = await scoped.documents.createUnlessDuplicate({
      ...fields,
      id: ctx.ids.next(),
      spaceId: collection.spaceId,
      collectionId,
      status: 'queued',
      error: null,
      chunkCount: 0,
      tokenCount: 0,
      createdAt: now,
      updatedAt: now,
    });
    // Another upload of the same bytes won the race: nothing was written here.
    if (!document) return null;
    if (bytes) await scoped.documents.putBlob(document.id, bytes);
    const job = await recordJob(ctx, tx, actor.tenantId, collection.spaceId, 'ingest_document', { documentId: document.id });
    return { document, job };
  });
  if (!created) {
    // The winner has committed (the unique index made this upload wait for it).
    const winner = await repos.documents.findByContentHash(collectionId, fields.contentHash);
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

/**
 * Ingests a failed document again, from its stored bytes (or, for a `{url}` document, the
 * page fetched anew), through a new `ingest_document` job. Anything but a failed document
 * is a 409. ADR 0025: a document may leave `failed` only while no other document of the
 * collection holds its content; otherwise the 409 names that document.
 */
export const retryDocument = async (ctx: CoreContext, actor: Actor, documentId: string): Promise<CreatedDocument> => {
  const { document } = await requireDocument(ctx, actor, documentId, true);
  if (document.sourceType === 'crawl')
    throw conflict('document_not_retryable', "A website's pages are read again by crawling the website (POST /api/v1/websites/{id}/crawl)");
  const now = ctx.clock.now();
  const retried = await ctx.store.transaction(async (tx) => {
    const scoped = tx.forTenant(actor.tenantId);
    // The row lock makes two retries at once queue one job: the second sees `queued`.
    const current = await scoped.documents.lock(documentId);
    if (!current) throw notFound('Document');
    if (current.status !== 'failed') throw conflict('document_not_failed', `Only a failed document can be retried; this one is ${current.status}`);
    const holder = await scoped.documents.findByContentHash(current.collectionId, current.contentHash);
    if (holder && holder.id !== current.id && holder.status !== 'failed')
      throw conflict('document_duplicate', `The collection holds this content already, as document ${holder.id}`);
    const queued = await scoped.documents.setProgress(documentId, { status: 'queued', error: null, now });
    const job = await recordJob(ctx, tx, actor.tenantId, current.spaceId, 'ingest_document', { documentId });
    return { document: queued!, job };
  });
  await ctx.queue.enqueue(toQueued(retried.job)).catch(() => {});
  return { ...retried, duplicate: false };
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
