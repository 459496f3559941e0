import { SignJWT } from 'jose/jwt/sign';
import { jwtVerify } from 'jose/jwt/verify';
import type { AccessTokenClaims, AccessTokenSigner } from '../../ports/index.js';

export interface JoseAccessTokensOptions {
  secret: string;
  issuer?: string;
  audience?: string;
  ttlSeconds?: number;
  /**
   * How many verified tokens to remember, so that a caller's next request with the same
   * token skips the signature check (0 turns it off). Default 10,000.
   */
  rememberVerified?: number;
  /** The current time in ms (tests). */
  now?: () => number;
}

// One algorithm, pinned on both sides: a token claiming `none` or RS256 is rejected.
const ALGORITHM = 'HS256';

interface Verified {
  claims: AccessTokenClaims;
  /** The token's `exp`, in ms. */
  expiresAtMs: number;
}

/**
 * Access tokens are HS256 JWTs, signed and checked with jose (algorithm pinned, issuer,
 * audience and expiry checked).
 *
 * Checking is a pure function of the token text and the time: so a token that passed is
 * remembered (keyed by its full text) with its claims and expiry, and
 * the same text is accepted again without jose until its `exp`, exactly when jose would
 * accept it (`exp` is re-checked against the clock on every request, the same way jose
 * does). Tokens without `exp` and tokens that failed are never remembered. This takes
 * WebCrypto's HMAC job, the largest cost of an authenticated request, off repeat requests.
 * Whether the user still exists is not part of this: authentication looks that up after.
 */
export const joseAccessTokens = (options: JoseAccessTokensOptions): AccessTokenSigner => {
  // Imported once as an HMAC-SHA-256 CryptoKey: given the raw bytes, jose would import a
  // key on every sign and verify. The key can only ever be used for HS256.
  let imported: Promise<CryptoKey> | undefined;
  const key = () =>
    (imported ??= crypto.subtle.importKey('raw', new TextEncoder().encode(options.secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]));
  const issuer = options.issuer ?? 'atrium';
  const audience = options.audience ?? 'atrium-api';
  const ttlSeconds = options.ttlSeconds ?? 15 * 60;
  // Looked up on every call (not captured), so that a replaced global Date is honoured too.
  const now = options.now ?? (() => Date.now());
  const capacity = options.rememberVerified ?? 10_000;

  // Insertion-ordered: the first entry is the oldest, evicted when full. Keyed by the token
  // itself, not a hash of it (ADR 0018): a SHA-256 per request cost more than everything
  // else authentication does for a known token, and would protect nothing, since whoever
  // can read this map can read the signing secret beside it and mint tokens of their own.
  const verified = new Map<string, Verified>();
  const remember = (id: string, entry: Verified) => {
    if (capacity <= 0) return;
    while (verified.size >= capacity) {
      const oldest = verified.keys().next();
      if (oldest.done) break;
      verified.delete(oldest.value);
    }
    verified.set(id, entry);
  };

  const verifyKnown = (token: string): AccessTokenClaims | null | undefined => {
    const known = capacity > 0 ? verified.get(token) : undefined;
    if (!known) return undefined;
    // jose: expired when exp <= floor(now / 1000), i.e. when now >= exp * 1000.
    if (now() < known.expiresAtMs) return known.claims;
    verified.delete(token);
    return null;
  };

  return {
    ttlSeconds,
    sign: async ({ userId, tenantId }) =>
      new SignJWT({ tid: tenantId })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(await key()),
    async verify(token): Promise<AccessTokenClaims | null> {
      const known = verifyKnown(token);
      if (known !== undefined) return known;
      try {
        const { payload } = await jwtVerify(token, await key(), {
          algorithms: [ALGORITHM],
          issuer,
          audience,
          ...(options.now && { currentDate: new Date(options.now()) }),
        });
        if (typeof payload.sub !== 'string' || typeof payload.tid !== 'string') return null;
        const claims: AccessTokenClaims = Object.freeze({ userId: payload.sub, tenantId: payload.tid });
        if (typeof payload.exp === 'number') remember(token, { claims, expiresAtMs: payload.exp * 1000 });
        return claims;
      } catch {
        return null;
      }
    },
  };
};
