import { invalid, notFound } from '../../domain/errors.js';
import type { Actor } from '../../domain/identity.js';
import type { Job } from '../../domain/jobs.js';
import {
  CHUNK_TOKENS_RANGE,
  DEFAULT_CHUNKING,
  isTextSearchLanguage,
  TEXT_SEARCH_LANGUAGES,
  type ChunkingSettings,
  type Collection,
  type DocumentCounts,
  type TextSearchLanguage,
} from '../../domain/knowledge.js';
import type { SpaceAction } from '../../domain/policy.js';
import type { Page, PageRequest } from '../../domain/pagination.js';
import type { TenantRepositories } from '../../ports/index.js';
import type { CoreContext } from '../context.js';
import { recordJob, toQueued } from '../jobs/jobs.js';
import { requireInSpace, requireSpace } from '../shared/access.js';
import { assertValid, checkName } from '../shared/validation.js';

export interface CollectionView extends Collection {
  documentCounts: DocumentCounts;
}

/** Loads a collection and checks the actor may do `action` in its space. */
export const requireCollection = async (
  repos: TenantRepositories,
  actor: Actor,
  collectionId: string,
  action: SpaceAction,
): Promise<Collection> => requireInSpace(repos, actor, await repos.collections.get(collectionId), 'Collection', action);

const checkChunking = (chunking: Partial<ChunkingSettings> | undefined) => {
  if (!chunking) return null;
  const { chunkTokens = DEFAULT_CHUNKING.chunkTokens, overlapTokens = DEFAULT_CHUNKING.overlapTokens } = chunking;
  if (chunkTokens < CHUNK_TOKENS_RANGE.min || chunkTokens > CHUNK_TOKENS_RANGE.max)
    return {
      path: 'chunking.chunkTokens',
      message: `Must be between ${CHUNK_TOKENS_RANGE.min} and ${CHUNK_TOKENS_RANGE.max}`,
    };
  if (overlapTokens < 0 || overlapTokens >= chunkTokens / 2)
    return { path: 'chunking.overlapTokens', message: 'Must be at least 0 and less than half of chunkTokens' };
  return null;
};

const checkLanguage = (language: string | undefined) =>
  language === undefined || isTextSearchLanguage(language)
    ? null
    : { path: 'language', message: `Must be a text-search configuration: ${TEXT_SEARCH_LANGUAGES.join(', ')}` };

export interface CreateCollectionInput {
  name: string;
  description?: string | null;
  embeddingModel?: string;
  chunking?: Partial<ChunkingSettings>;
  /** A text-search configuration (TEXT_SEARCH_LANGUAGES); default: the settings' defaultLanguage. */
  language?: string;
}

export const createCollection = async (
  ctx: CoreContext,
  actor: Actor,
  spaceId: string,
  input: CreateCollectionInput,
): Promise<CollectionView> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  await requireSpace(repos, actor, spaceId, 'knowledge.write');
  assertValid([checkName(input.name), checkChunking(input.chunking), checkLanguage(input.language)]);
  const modelId = input.embeddingModel ?? ctx.embeddings.defaultModelId;
  const model = ctx.embeddings.get(modelId);
  if (!model) {
    const known = ctx.embeddings.list().map((m) => m.modelId);
    throw invalid([{ path: 'embeddingModel', message: `Unknown embedding model; configured: ${known.join(', ')}` }]);
  }
  await ctx.store.system.ensureVectorIndex(model.dimensions);
  const now = ctx.clock.now();
  const collection = await repos.collections.create({
    id: ctx.ids.next(),
    spaceId,
    name: input.name.trim(),
    description: input.description ?? null,
    embeddingModel: model.modelId,
    embeddingDimensions: model.dimensions,
    chunking: { ...DEFAULT_CHUNKING, ...input.chunking },
    language: (input.language as TextSearchLanguage | undefined) ?? ctx.settings.defaultLanguage,
    createdAt: now,
    updatedAt: now,
  });
  return { ...collection, documentCounts: { queued: 0, processing: 0, ready: 0, failed: 0, total: 0 } };
};

export const listCollections = async (
  ctx: CoreContext,
  actor: Actor,
  spaceId: string,
  page: PageRequest,
): Promise<Page<CollectionView>> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  await requireSpace(repos, actor, spaceId, 'knowledge.read');
  const listed = await repos.collections.list(spaceId, page);
  // API.md: collections report documentCounts by status, in listings too (one query a page).
  const counts = await repos.collections.countDocumentsOf(listed.data.map((c) => c.id));
  return { data: listed.data.map((c) => ({ ...c, documentCounts: counts.get(c.id)! })), nextCursor: listed.nextCursor };
};

export const getCollection = async (ctx: CoreContext, actor: Actor, collectionId: string): Promise<CollectionView> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const collection = await requireCollection(repos, actor, collectionId, 'knowledge.read');
  return { ...collection, documentCounts: await repos.collections.countDocuments(collectionId) };
};

export interface UpdateCollectionInput {
  name?: string;
  description?: string | null;
  chunking?: Partial<ChunkingSettings>;
  /** A text-search configuration; a different one than the collection's re-indexes it. */
  language?: string;
}

export interface UpdatedCollection extends CollectionView {
  /** The `reindex_collection` job the change started (a new language), else null. */
  job: Job | null;
}

/**
 * Updates a collection. A new language is stored with a `reindex_collection` job in one
 * transaction, and the job is queued once that commits: the chunks are re-indexed in the
 * background while search goes on (ADR 0037).
 */
export const updateCollection = async (
  ctx: CoreContext,
  actor: Actor,
  collectionId: string,
  input: UpdateCollectionInput,
): Promise<UpdatedCollection> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const collection = await requireCollection(repos, actor, collectionId, 'knowledge.write');
  assertValid([
    checkName(input.name),
    checkChunking(input.chunking && { ...collection.chunking, ...input.chunking }),
    checkLanguage(input.language),
  ]);
  const language = input.language as TextSearchLanguage | undefined;
  const reindex = language !== undefined && language !== collection.language;
  const { updated, job } = await ctx.store.transaction(async (tx) => {
    const updated = await tx.forTenant(actor.tenantId).collections.update(collectionId, {
      ...(input.name !== undefined && { name: input.name.trim() }),
      ...(input.description !== undefined && { description: input.description }),
      // New chunking applies to documents ingested from now on.
      ...(input.chunking && { chunking: { ...collection.chunking, ...input.chunking } }),
      ...(reindex && { language }),
      now: ctx.clock.now(),
    });
    const job =
      updated && reindex
        ? await recordJob(ctx, tx, actor.tenantId, collection.spaceId, 'reindex_collection', { collectionId })
        : null;
    return { updated, job };
  });
  if (!updated) throw notFound('Collection');
  // Recorded with the change: if the queue is down now, recovery at the next start queues it.
  if (job) await ctx.queue.enqueue(toQueued(job)).catch(() => {});
  return { ...updated, documentCounts: await repos.collections.countDocuments(collectionId), job };
};

export const deleteCollection = async (ctx: CoreContext, actor: Actor, collectionId: string): Promise<void> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  await requireCollection(repos, actor, collectionId, 'knowledge.write');
  await repos.collections.delete(collectionId);
};
