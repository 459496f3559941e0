import { forbidden, unauthenticated, type AtriumCore } from '@atrium/core';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.js';
import { requestHeader } from '../request-header.js';

/** Reads `Authorization: Bearer <token|key>` or `X-API-Key: <key>`. */
export const credentialFrom = (authorization: string | undefined, apiKey: string | undefined): string | null => {
  if (apiKey) return apiKey.trim();
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
};

export interface AuthenticateOptions {
  /** Allow API keys scoped to one assistant (only the endpoints that talk to assistants). */
  allowAssistantKeys?: boolean;
}

/** Resolves the caller into `c.var.actor`, or answers 401. */
export const authenticate = (core: AtriumCore, options: AuthenticateOptions = {}) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const credential = credentialFrom(requestHeader(c, 'authorization'), requestHeader(c, 'x-api-key'));
    if (!credential) throw unauthenticated('Send an access token or API key as `Authorization: Bearer ...`');
    // A caller whose token was verified and whose user is cached is known without a turn
    // of the event loop (ADR 0019); everyone else goes through `authenticate`.
    const actor = core.auth.authenticateKnown(credential) ?? (await core.auth.authenticate(credential));
    if (actor.assistantId && !options.allowAssistantKeys)
      throw forbidden('This API key is scoped to one assistant and cannot use this endpoint');
    c.set('actor', actor);
    await next();
  });
