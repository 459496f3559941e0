import { AtriumError, invalid } from '../../domain/errors.js';
import { IDEMPOTENCY_TTL_MS, MAX_IDEMPOTENCY_KEY_LENGTH, type StoredResponse } from '../../domain/idempotency.js';
import type { CoreContext } from '../context.js';
import { sha256Hex } from '../shared/secrets.js';

/**
 * Whose key it is: the tenant's key space, and the caller in it (a user's id for users and
 * their API keys, `visitor:<id>` for a widget visitor), so that another caller reusing a
 * key is refused, never answered with someone else's response.
 */
export interface IdempotencyOwner {
  tenantId: string;
  caller: string;
}

/** The owner of a user's (or their API key's) keys. */
export const actorOwner = (actor: { tenantId: string; userId: string }): IdempotencyOwner => ({ tenantId: actor.tenantId, caller: actor.userId });

/** The owner of a widget visitor's keys. */
export const visitorOwner = (claims: { tenantId: string; visitorId: string }): IdempotencyOwner => ({ tenantId: claims.tenantId, caller: `visitor:${claims.visitorId}` });

/** The request an `Idempotency-Key` came with. */
export interface IdempotentRequest {
  key: string;
  method: string;
  path: string;
  body: Uint8Array;
}

/** Run the request now (then `finishIdempotent`), or answer with the first response. */
export type IdempotentStart = { kind: 'proceed' } | { kind: 'replay'; response: StoredResponse };

// Visible ASCII: keys travel in a header and are compared byte for byte.
const KEY = /^[\x21-\x7e]+$/;

/**
 * Before a request that carries an `Idempotency-Key`: claims the key for it, or finds the
 * first request's response to answer with. The key belongs to the tenant for 24 hours;
 * reused for another request (another body, path or caller) it is a 422, and while the
 * first request still runs a retry gets a 409 with `Retry-After`.
 */
export const startIdempotent = async (ctx: CoreContext, owner: IdempotencyOwner, request: IdempotentRequest): Promise<IdempotentStart> => {
  const { key } = request;
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !KEY.test(key))
    throw invalid([{ path: 'Idempotency-Key', message: `Must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters` }]);
  const head = new TextEncoder().encode(`${owner.caller}\n${request.method}\n${request.path}\n`);
  const fingerprint = await sha256Hex(new Uint8Array([...head, ...request.body]));
  const now = ctx.clock.now();
  const held = await ctx.store
    .forTenant(owner.tenantId)
    .idempotencyKeys.claim(key, fingerprint, now, new Date(now.getTime() - IDEMPOTENCY_TTL_MS));
  if (!held) return { kind: 'proceed' };
  if (held.fingerprint !== fingerprint)
    throw new AtriumError('invalid', 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request');
  if (!held.response)
    throw new AtriumError('conflict', 'idempotency_key_in_use', 'A request with this Idempotency-Key is still being processed; retry shortly', {
      retryAfterSeconds: 1,
    });
  return { kind: 'replay', response: held.response };
};

/** After the claimed request: keeps its response for retries, or (null) frees the key so that a retry runs it again. */
export const finishIdempotent = async (ctx: CoreContext, owner: IdempotencyOwner, key: string, response: StoredResponse | null): Promise<void> => {
  const keys = ctx.store.forTenant(owner.tenantId).idempotencyKeys;
  await (response ? keys.complete(key, response) : keys.release(key));
};
