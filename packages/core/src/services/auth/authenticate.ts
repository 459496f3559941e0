import { unauthenticated } from '../../domain/errors.js';
import type { Actor } from '../../domain/identity.js';
import { hasValidChecksum, looksLikeApiKey } from '../api-keys/api-key-format.js';
import type { CoreContext } from '../context.js';
import { sha256Hex } from '../shared/secrets.js';

// lastUsedAt is informative; writing it on every request would turn reads into writes.
const TOUCH_INTERVAL_MS = 60_000;

/** Resolves a bearer credential (access token or API key) to the actor it speaks for. */
export const authenticate = async (ctx: CoreContext, credential: string): Promise<Actor> => {
  return looksLikeApiKey(credential) ? authenticateApiKey(ctx, credential) : authenticateAccessToken(ctx, credential);
};

const authenticateAccessToken = async (ctx: CoreContext, token: string): Promise<Actor> => {
  const claims = await ctx.accessTokens.verify(token);
  if (!claims) throw unauthenticated('The access token is invalid or expired', 'invalid_token');
  const user = await ctx.store.forTenant(claims.tenantId).users.get(claims.userId);
  if (!user) throw unauthenticated('The access token is invalid or expired', 'invalid_token');
  return { tenantId: user.tenantId, userId: user.id, tenantRole: user.role, via: 'access_token' };
};

const authenticateApiKey = async (ctx: CoreContext, key: string): Promise<Actor> => {
  const rejected = () => unauthenticated('The API key is invalid, expired or revoked', 'invalid_api_key');
  if (!(await hasValidChecksum(key))) throw rejected();
  const record = await ctx.store.system.findApiKeyByHash(await sha256Hex(key));
  const now = ctx.clock.now();
  if (!record || record.revokedAt || (record.expiresAt && record.expiresAt.getTime() <= now.getTime())) throw rejected();
  const repos = ctx.store.forTenant(record.tenantId);
  const user = await repos.users.get(record.userId);
  if (!user) throw rejected();
  if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
    await repos.apiKeys.touch(record.id, now);
  }
  return {
    tenantId: user.tenantId,
    userId: user.id,
    tenantRole: user.role,
    via: 'api_key',
    apiKeyId: record.id,
    assistantId: record.assistantId,
  };
};
