import { jwtVerify, SignJWT } from 'jose';
import type { AccessTokenClaims, AccessTokenSigner } from '../../ports/index.js';

export interface JoseAccessTokensOptions {
  secret: string;
  issuer?: string;
  audience?: string;
  ttlSeconds?: number;
}

// One algorithm, pinned on both sides: a token claiming `none` or RS256 is rejected.
const ALGORITHM = 'HS256';

export const joseAccessTokens = (options: JoseAccessTokensOptions): AccessTokenSigner => {
  const key = new TextEncoder().encode(options.secret);
  const issuer = options.issuer ?? 'atrium';
  const audience = options.audience ?? 'atrium-api';
  const ttlSeconds = options.ttlSeconds ?? 15 * 60;
  return {
    ttlSeconds,
    sign: ({ userId, tenantId }) =>
      new SignJWT({ tid: tenantId })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key),
    async verify(token): Promise<AccessTokenClaims | null> {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: [ALGORITHM], issuer, audience });
        if (typeof payload.sub !== 'string' || typeof payload.tid !== 'string') return null;
        return { userId: payload.sub, tenantId: payload.tid };
      } catch {
        return null;
      }
    },
  };
};
