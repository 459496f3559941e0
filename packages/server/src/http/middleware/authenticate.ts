import { forbidden, unauthenticated, type Actor, type AtriumCore } from '@atrium/core';
import type { Context } from 'hono';
import type { AppEnv } from '../env.js';
import { requestHeader } from '../request-header.js';

/** Reads `Authorization: Bearer <token|key>` or `X-API-Key: <key>`. */
export const credentialFrom = (authorization: string | undefined, apiKey: string | undefined): string | null => {
  if (apiKey) return apiKey.trim();
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
};

const admit = (c: Context<AppEnv>, actor: Actor, allowAssistantKeys: boolean): void => {
  if (actor.assistantId && !allowAssistantKeys) throw forbidden('This API key is scoped to one assistant and cannot use this endpoint');
  c.set('actor', actor);
};

/**
 * Resolves the caller into `c.var.actor`, or throws (401, or 403 for an API key scoped to one
 * assistant where `allowAssistantKeys` is false). A caller whose token was verified and whose
 * user is cached is known at once (ADR 0019): then nothing is awaited and the result is
 * `undefined`; everyone else goes through `authenticate`, and the result is its promise.
 */
export const callerIdentifier =
  (core: AtriumCore) =>
  (c: Context<AppEnv>, allowAssistantKeys: boolean): void | Promise<void> => {
    const credential = credentialFrom(requestHeader(c, 'authorization'), requestHeader(c, 'x-api-key'));
    if (!credential) throw unauthenticated('Send an access token or API key as `Authorization: Bearer ...`');
    const known = core.auth.authenticateKnown(credential);
    if (known) return admit(c, known, allowAssistantKeys);
    return core.auth.authenticate(credential).then((actor) => admit(c, actor, allowAssistantKeys));
  };
