import type { CoreContext } from '../context.js';
import { sha256Hex } from '../shared/secrets.js';

/** Revokes the refresh token's family (this login's session). Unknown tokens are ignored. */
export const logout = async (ctx: CoreContext, refreshToken: string): Promise<void> => {
  const record = await ctx.store.system.findRefreshTokenByHash(await sha256Hex(refreshToken));
  if (!record) return;
  await ctx.store.forTenant(record.tenantId).refreshTokens.revokeFamily(record.familyId, ctx.clock.now());
};
