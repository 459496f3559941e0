import {
  DEFAULT_RETRIEVAL,
  INSTRUCTIONS_MAX_LENGTH,
  MAX_TOKENS_RANGE,
  RETRIEVAL_TOP_K_RANGE,
  TEMPERATURE_RANGE,
  type Assistant,
  type RetrievalSettings,
} from '../../domain/assistants.js';
import { forbidden, notFound, type FieldError } from '../../domain/errors.js';
import type { Actor } from '../../domain/identity.js';
import { SEARCH_MODES } from '../../domain/knowledge.js';
import type { Page, PageRequest } from '../../domain/pagination.js';
import { can } from '../../domain/policy.js';
import type { TenantRepositories } from '../../ports/index.js';
import type { CoreContext } from '../context.js';
import { requireSpace } from '../shared/access.js';
import { assertValid, checkName } from '../shared/validation.js';
import { requireAssistant } from './access.js';

export interface AssistantInput {
  name?: string;
  description?: string | null;
  instructions?: string;
  model?: string | null;
  temperature?: number | null;
  maxTokens?: number | null;
  collectionIds?: string[];
  websiteIds?: string[];
  retrieval?: Partial<RetrievalSettings>;
  published?: boolean;
}

export const DEFAULT_INSTRUCTIONS =
  'You are a helpful assistant. Answer from the sources provided; if they do not contain the answer, say so.';

const inRange = (value: number | null | undefined, range: { min: number; max: number }, path: string, integer = false): FieldError | null => {
  if (value === undefined || value === null) return null;
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < range.min || value > range.max)
    return { path, message: `Must be ${integer ? 'an integer ' : ''}between ${range.min} and ${range.max}` };
  return null;
};

const checkRetrieval = (r: Partial<RetrievalSettings> | undefined): (FieldError | null)[] => {
  if (!r) return [];
  return [
    inRange(r.topK, RETRIEVAL_TOP_K_RANGE, 'retrieval.topK', true),
    r.mode !== undefined && !SEARCH_MODES.includes(r.mode)
      ? { path: 'retrieval.mode', message: `Must be one of ${SEARCH_MODES.join(', ')}` }
      : null,
    inRange(r.minScore, { min: 0, max: 100 }, 'retrieval.minScore'),
  ];
};

const checkInput = (ctx: CoreContext, input: AssistantInput): void => {
  const known = ctx.chatModels.list().map((m) => m.modelId);
  assertValid([
    checkName(input.name),
    input.description && input.description.length > 2000 ? { path: 'description', message: 'Must be at most 2000 characters' } : null,
    input.instructions !== undefined && input.instructions.length > INSTRUCTIONS_MAX_LENGTH
      ? { path: 'instructions', message: `Must be at most ${INSTRUCTIONS_MAX_LENGTH} characters` }
      : null,
    input.model !== undefined && input.model !== null && !ctx.chatModels.get(input.model)
      ? { path: 'model', message: `Unknown completion model; configured: ${known.join(', ')}` }
      : null,
    inRange(input.temperature, TEMPERATURE_RANGE, 'temperature'),
    inRange(input.maxTokens, MAX_TOKENS_RANGE, 'maxTokens', true),
    input.collectionIds && input.collectionIds.length > 100
      ? { path: 'collectionIds', message: 'At most 100 collections' }
      : null,
    input.websiteIds && input.websiteIds.length > 100 ? { path: 'websiteIds', message: 'At most 100 websites' } : null,
    ...checkRetrieval(input.retrieval),
  ]);
};

/**
 * Every linked collection or website must exist in the assistant's own space. A website's
 * pages are its collection's documents: linking it makes the assistant search that collection.
 */
const checkLinked = async (
  repos: TenantRepositories,
  spaceId: string,
  field: 'collectionIds' | 'websiteIds',
  ids: string[] | undefined,
): Promise<string[] | undefined> => {
  if (!ids) return undefined;
  const unique = [...new Set(ids)];
  const found = await (field === 'collectionIds' ? repos.collections : repos.websites).getMany(unique);
  const inSpace = new Set(found.filter((f) => f.spaceId === spaceId).map((f) => f.id));
  const what = field === 'collectionIds' ? 'collection' : 'website';
  assertValid(unique.map((id, i) => (inSpace.has(id) ? null : { path: `${field}.${i}`, message: `No such ${what} in this space` })));
  return unique;
};

export const createAssistant = async (
  ctx: CoreContext,
  actor: Actor,
  spaceId: string,
  input: AssistantInput & { name: string },
): Promise<Assistant> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  if (actor.assistantId) throw forbidden('An assistant-scoped API key cannot create assistants');
  const { role } = await requireSpace(repos, actor, spaceId, 'assistants.write');
  checkInput(ctx, input);
  if (input.published && !can({ tenantRole: actor.tenantRole, spaceRole: role }, 'assistants.publish')) throw forbidden();
  const collectionIds = (await checkLinked(repos, spaceId, 'collectionIds', input.collectionIds)) ?? [];
  const websiteIds = (await checkLinked(repos, spaceId, 'websiteIds', input.websiteIds)) ?? [];
  const now = ctx.clock.now();
  return repos.assistants.create({
    id: ctx.ids.next(),
    spaceId,
    name: input.name.trim(),
    description: input.description ?? null,
    instructions: input.instructions ?? DEFAULT_INSTRUCTIONS,
    model: input.model ?? null,
    temperature: input.temperature ?? null,
    maxTokens: input.maxTokens ?? null,
    collectionIds,
    websiteIds,
    retrieval: { ...DEFAULT_RETRIEVAL, ...input.retrieval },
    published: input.published ?? false,
    createdAt: now,
    updatedAt: now,
  });
};

export const listAssistants = async (
  ctx: CoreContext,
  actor: Actor,
  spaceId: string,
  page: PageRequest,
): Promise<Page<Assistant>> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const { role } = await requireSpace(repos, actor, spaceId, 'assistants.use');
  const drafts = can({ tenantRole: actor.tenantRole, spaceRole: role }, 'assistants.readDrafts');
  const result = await repos.assistants.list(spaceId, page, { publishedOnly: !drafts });
  // An assistant-scoped key sees its own assistant only.
  return actor.assistantId ? { ...result, data: result.data.filter((a) => a.id === actor.assistantId) } : result;
};

export const getAssistant = async (ctx: CoreContext, actor: Actor, assistantId: string): Promise<Assistant> =>
  (await requireAssistant(ctx.store.forTenant(actor.tenantId), actor, assistantId, 'use')).assistant;

export const updateAssistant = async (
  ctx: CoreContext,
  actor: Actor,
  assistantId: string,
  input: AssistantInput,
): Promise<Assistant> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  const { assistant, role } = await requireAssistant(repos, actor, assistantId, 'write');
  checkInput(ctx, input);
  if (input.published !== undefined && input.published !== assistant.published && !can({ tenantRole: actor.tenantRole, spaceRole: role }, 'assistants.publish'))
    throw forbidden();
  const collectionIds = await checkLinked(repos, assistant.spaceId, 'collectionIds', input.collectionIds);
  const websiteIds = await checkLinked(repos, assistant.spaceId, 'websiteIds', input.websiteIds);
  const updated = await ctx.store.transaction((tx) =>
    tx.forTenant(actor.tenantId).assistants.update(assistantId, {
      ...(input.name !== undefined && { name: input.name.trim() }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.instructions !== undefined && { instructions: input.instructions }),
      ...(input.model !== undefined && { model: input.model }),
      ...(input.temperature !== undefined && { temperature: input.temperature }),
      ...(input.maxTokens !== undefined && { maxTokens: input.maxTokens }),
      ...(collectionIds && { collectionIds }),
      ...(websiteIds && { websiteIds }),
      ...(input.retrieval && { retrieval: { ...assistant.retrieval, ...input.retrieval } }),
      ...(input.published !== undefined && { published: input.published }),
      now: ctx.clock.now(),
    }),
  );
  if (!updated) throw notFound('Assistant');
  // Its widget shows its name and answers only while it is published.
  ctx.widgetCache.clear();
  return updated;
};

export const deleteAssistant = async (ctx: CoreContext, actor: Actor, assistantId: string): Promise<void> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  await requireAssistant(repos, actor, assistantId, 'write');
  await ctx.store.transaction(async (tx) => {
    const scoped = tx.forTenant(actor.tenantId);
    // Keys scoped to the assistant would otherwise outlive it.
    await scoped.apiKeys.revokeForAssistant(assistantId, ctx.clock.now());
    await scoped.assistants.delete(assistantId);
  });
  ctx.widgetCache.clear();
};
