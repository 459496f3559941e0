import type { Assistant } from '../../domain/assistants.js';
import type { Actor } from '../../domain/identity.js';
import type { CoreContext } from '../context.js';
import { mayUse } from './access.js';

/** Assistants listed at most by `/v1/models`. */
export const USABLE_ASSISTANTS_LIMIT = 1000;

export interface ModelCatalog {
  completion: { id: string; provider: string; contextWindow: number; default: boolean }[];
  embedding: { id: string; dimensions: number; default: boolean }[];
}

/** The configured completion and embedding models (GET /api/v1/models). */
export const listModels = (ctx: CoreContext): ModelCatalog => ({
  completion: ctx.chatModels.list().map((m) => ({
    id: m.modelId,
    provider: m.provider,
    contextWindow: ctx.settings.chatContextTokens ?? m.contextWindow,
    default: m.modelId === ctx.chatModels.defaultModelId,
  })),
  embedding: ctx.embeddings.list().map((m) => ({
    id: m.modelId,
    dimensions: m.dimensions,
    default: m.modelId === ctx.embeddings.defaultModelId,
  })),
});

/** Every assistant the actor may chat with (the OpenAI-compatible `/v1/models`). */
export const listUsableAssistants = async (ctx: CoreContext, actor: Actor): Promise<Assistant[]> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const allSpaces = actor.tenantRole === 'owner' || actor.tenantRole === 'admin';
  const found = await repos.assistants.listForUser(actor.userId, { allSpaces, limit: USABLE_ASSISTANTS_LIMIT });
  return found.filter(({ assistant, membershipRole }) => mayUse(actor, assistant, membershipRole)).map((f) => f.assistant);
};
