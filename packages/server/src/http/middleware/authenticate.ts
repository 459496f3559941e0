import { forbidden, unauthenticated, type AtriumCore } from '@atrium/core';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from '../env.js';

/** Reads `Authorization: Bearer <token|key>` or `X-API-Key: <key>`. */
export const credentialFrom = (authorization: string | undefined, apiKey: string | undefined): string | null => {
  if (apiKey) return apiKey.trim();
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
};

/**
 * Declares, on a route (`createRoute({ middleware: [acceptsAssistantKeys] })`), that API keys
 * scoped to one assistant may call it: the routes for talking to that assistant. Core still
 * checks that the assistant is the key's own and refuses such keys any change.
 */
export const acceptsAssistantKeys: MiddlewareHandler = async function acceptsAssistantKeys(_c, next) {
  await next();
};

const routeAcceptsAssistantKeys = (c: Context): boolean => matchedRoutes(c).some((route) => route.handler === acceptsAssistantKeys);

/**
 * The authenticated API's one authentication: resolves the caller into `c.var.actor`, or
 * refuses with a 401 (no or a bad credential) or a 403 (an assistant-scoped key on a route
 * that does not declare `acceptsAssistantKeys`).
 */
export const authenticate = (core: AtriumCore): MiddlewareHandler<AppEnv> =>
  async function authenticate(c, next) {
    const credential = credentialFrom(c.req.header('authorization'), c.req.header('x-api-key'));
    if (!credential) throw unauthenticated('Send an access token or API key as `Authorization: Bearer ...`');
    const actor = await core.auth.authenticate(credential);
    if (actor.assistantId && !routeAcceptsAssistantKeys(c))
      throw forbidden('This API key is scoped to one assistant and cannot use this endpoint');
    c.set('actor', actor);
    await next();
  };
