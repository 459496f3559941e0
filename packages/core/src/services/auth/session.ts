import type { User } from '../../domain/identity.js';
import type { CoreContext } from '../context.js';
import type { Store } from '../../ports/index.js';
import { randomBase62, sha256Hex } from '../shared/secrets.js';

export interface Session {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: User;
}

export const REFRESH_TOKEN_PREFIX = 'atr_rt_';

/** Issues an access token and a new refresh token in `familyId` (a new family per login). */
export const issueSession = async (
  ctx: CoreContext,
  store: Store,
  user: User,
  familyId: string = ctx.ids.next(),
): Promise<Session> => {
  const now = ctx.clock.now();
  const refreshToken = `${REFRESH_TOKEN_PREFIX}${randomBase62(43)}`;
  await store.forTenant(user.tenantId).refreshTokens.create({
    id: ctx.ids.next(),
    userId: user.id,
    familyId,
    tokenHash: await sha256Hex(refreshToken),
    expiresAt: new Date(now.getTime() + ctx.settings.refreshTokenTtlSeconds * 1000),
    createdAt: now,
  });
  const accessToken = await ctx.accessTokens.sign({ userId: user.id, tenantId: user.tenantId });
  return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: ctx.accessTokens.ttlSeconds, user };
};
