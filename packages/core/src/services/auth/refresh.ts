import { unauthenticated } from '../../domain/errors.js';
import type { CoreContext } from '../context.js';
import { sha256Hex } from '../shared/secrets.js';
import { issueSession, type Session } from './session.js';

const invalidToken = () => unauthenticated('The refresh token is invalid or expired', 'invalid_refresh_token');

/**
 * Exchanges a refresh token for a new session. Each token works once: the old one is
 * marked rotated, and presenting a rotated token again (a sign it was stolen) revokes
 * its whole family, logging out whoever holds the newer tokens too.
 */
export const refreshSession = async (ctx: CoreContext, refreshToken: string): Promise<Session> => {
  const record = await ctx.store.system.findRefreshTokenByHash(await sha256Hex(refreshToken));
  if (!record) throw invalidToken();
  const now = ctx.clock.now();
  const repos = ctx.store.forTenant(record.tenantId);

  if (record.revokedAt) throw invalidToken();
  if (record.rotatedAt) {
    await repos.refreshTokens.revokeFamily(record.familyId, now);
    throw invalidToken();
  }
  if (record.expiresAt.getTime() <= now.getTime()) throw invalidToken();

  const session = await ctx.store.transaction(async (tx) => {
    const scoped = tx.forTenant(record.tenantId);
    // Two concurrent refreshes with one token: only one wins the rotation.
    if (!(await scoped.refreshTokens.markRotated(record.id, now))) return null;
    const user = await scoped.users.get(record.userId);
    if (!user) throw invalidToken();
    return issueSession(ctx, tx, user, record.familyId);
  });
  if (!session) {
    // The loser treats it as reuse. Revoke outside the transaction: a revocation inside
    // it would be rolled back by the very error that reports it.
    await repos.refreshTokens.revokeFamily(record.familyId, now);
    throw invalidToken();
  }
  return session;
};
