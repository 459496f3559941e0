import type { Actor } from '../../domain/identity.js';
import type { SearchHit, SearchMode } from '../../domain/knowledge.js';
import { retrieve } from '../../retrieval/search.js';
import type { CoreContext } from '../context.js';
import { requireCollection } from './collections.js';

export interface SearchInput {
  query: string;
  topK?: number;
  mode?: SearchMode;
}

export const MAX_TOP_K = 50;

export const searchCollection = async (
  ctx: CoreContext,
  actor: Actor,
  collectionId: string,
  input: SearchInput,
): Promise<SearchHit[]> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const collection = await requireCollection(repos, actor, collectionId, 'knowledge.read');
  return retrieve(repos, ctx.embeddings, {
    collections: [collection],
    query: input.query,
    topK: Math.min(Math.max(input.topK ?? 5, 1), MAX_TOP_K),
    mode: input.mode ?? 'hybrid',
  });
};
