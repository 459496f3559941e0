import { unauthenticated } from '../../domain/errors.js';
import type { Actor, UserWithTenant } from '../../domain/identity.js';
import { hasValidChecksum, looksLikeApiKey } from '../api-keys/api-key-format.js';
import type { CoreContext } from '../context.js';
import { sha256Hex } from '../shared/secrets.js';
import { loadUserWithTenant } from './auth-cache.js';

// lastUsedAt is informative; writing it on every request would turn reads into writes.
const TOUCH_INTERVAL_MS = 60_000;

/** Resolves a bearer credential (access token or API key) to the actor it speaks for. */
export const authenticate = async (ctx: CoreContext, credential: string): Promise<Actor> => {
  return looksLikeApiKey(credential) ? authenticateApiKey(ctx, credential) : authenticateAccessToken(ctx, credential);
};

/** The actor, with what was loaded attached out of sight for `getMe` (see `Actor.loaded`). */
const actorOf = (loaded: UserWithTenant, fields: Pick<Actor, 'via' | 'apiKeyId' | 'assistantId'>): Actor => {
  const { user } = loaded;
  const actor: Actor = { tenantId: user.tenantId, userId: user.id, tenantRole: user.role, ...fields };
  Object.defineProperty(actor, 'loaded', { value: loaded, enumerable: false });
  return Object.freeze(actor);
};

// An access token's actor follows from the loaded user alone, so while the authentication
// cache hands out the same entry the same (frozen) actor serves every request: making one,
// with its hidden property, cost more than the rest of authenticating a known token.
const accessTokenActors = new WeakMap<UserWithTenant, Actor>();

const accessTokenActor = (loaded: UserWithTenant): Actor => {
  let actor = accessTokenActors.get(loaded);
  if (!actor) {
    actor = actorOf(loaded, { via: 'access_token' });
    accessTokenActors.set(loaded, actor);
  }
  return actor;
};

const authenticateAccessToken = async (ctx: CoreContext, token: string): Promise<Actor> => {
  const claims = await ctx.accessTokens.verify(token);
  if (!claims) throw unauthenticated('The access token is invalid or expired', 'invalid_token');
  const loaded = await loadUserWithTenant(ctx, claims.tenantId, claims.userId);
  if (!loaded) throw unauthenticated('The access token is invalid or expired', 'invalid_token');
  return accessTokenActor(loaded);
};

const authenticateApiKey = async (ctx: CoreContext, key: string): Promise<Actor> => {
  const rejected = () => unauthenticated('The API key is invalid, expired or revoked', 'invalid_api_key');
  if (!(await hasValidChecksum(key))) throw rejected();
  // The key row is read on every request, never cached: revocation and expiry take effect
  // at once, in every process. Only the user behind the key comes from the cache.
  const record = await ctx.store.system.findApiKeyByHash(await sha256Hex(key));
  const now = ctx.clock.now();
  if (!record || record.revokedAt || (record.expiresAt && record.expiresAt.getTime() <= now.getTime())) throw rejected();
  const loaded = await loadUserWithTenant(ctx, record.tenantId, record.userId);
  if (!loaded) throw rejected();
  if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
    await ctx.store.forTenant(record.tenantId).apiKeys.touch(record.id, now);
  }
  return actorOf(loaded, { via: 'api_key', apiKeyId: record.id, assistantId: record.assistantId });
};
