import { AtriumError, forbidden, invalid, notFound } from '../../domain/errors.js';
import { requireAssistant } from '../assistants/access.js';
import type { Actor, ApiKey } from '../../domain/identity.js';
import { can } from '../../domain/policy.js';
import type { Page, PageRequest } from '../../domain/pagination.js';
import type { CoreContext } from '../context.js';
import { requireTenant } from '../shared/access.js';
import { sha256Hex } from '../shared/secrets.js';
import { assertValid, checkName } from '../shared/validation.js';
import { generateApiKey } from './api-key-format.js';

export interface CreateApiKeyInput {
  name: string;
  assistantId?: string | null;
  expiresAt?: Date | null;
}

/** The stored key plus its secret, which exists only in this return value. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

export const createApiKey = async (ctx: CoreContext, actor: Actor, input: CreateApiKeyInput): Promise<CreatedApiKey> => {
  requireTenant(actor, 'apiKeys.manageOwn');
  // A key cannot mint keys broader than itself: assistant-scoped keys mint none.
  if (actor.assistantId) throw forbidden('An assistant-scoped API key cannot create API keys');
  const now = ctx.clock.now();
  assertValid([checkName(input.name)]);
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime())
    throw invalid([{ path: 'expiresAt', message: 'Must be in the future' }]);
  if (input.assistantId) {
    // Only for an assistant the caller can use: a key never reaches further than its maker.
    await requireAssistant(ctx.store.forTenant(actor.tenantId), actor, input.assistantId, 'use').catch((error: unknown) => {
      if (error instanceof AtriumError && error.kind === 'not_found')
        throw invalid([{ path: 'assistantId', message: 'No such assistant' }]);
      throw error;
    });
  }
  const { key, prefix } = await generateApiKey();
  const created = await ctx.store.forTenant(actor.tenantId).apiKeys.create({
    id: ctx.ids.next(),
    userId: actor.userId,
    assistantId: input.assistantId ?? null,
    name: input.name.trim(),
    prefix,
    keyHash: await sha256Hex(key),
    createdAt: now,
    expiresAt: input.expiresAt ?? null,
  });
  return { ...created, key };
};

/** Users see their own keys; tenant admins see everyone's. */
export const listApiKeys = (ctx: CoreContext, actor: Actor, page: PageRequest): Promise<Page<ApiKey>> => {
  requireTenant(actor, 'apiKeys.manageOwn');
  const all = can({ tenantRole: actor.tenantRole }, 'apiKeys.manageAll');
  return ctx.store.forTenant(actor.tenantId).apiKeys.list(page, all ? {} : { userId: actor.userId });
};

export const revokeApiKey = async (ctx: CoreContext, actor: Actor, keyId: string): Promise<void> => {
  requireTenant(actor, 'apiKeys.manageOwn');
  const repos = ctx.store.forTenant(actor.tenantId);
  const key = await repos.apiKeys.get(keyId);
  const visible = key && (key.userId === actor.userId || can({ tenantRole: actor.tenantRole }, 'apiKeys.manageAll'));
  if (!key || !visible || key.revokedAt) throw notFound('API key');
  await repos.apiKeys.revoke(keyId, ctx.clock.now());
};
