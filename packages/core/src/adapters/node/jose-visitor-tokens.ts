import { SignJWT } from 'jose/jwt/sign';
import { jwtVerify } from 'jose/jwt/verify';
import type { VerifiedIdentity, VisitorTokenSigner } from '../../ports/index.js';

export interface JoseVisitorTokensOptions {
  secret: string;
  /** Lifetime of a visitor token. Default 1 hour. */
  ttlSeconds?: number;
  /** How long after expiry a token may still renew its session (keeping the visitor). Default 30 days. */
  renewalSeconds?: number;
  /** The current time in ms (tests). */
  now?: () => number;
}

const ALGORITHM = 'HS256';
const ISSUER = 'atrium';
// Not the access tokens' `atrium-api`: a visitor token can never reach the rest of the API.
const AUDIENCE = 'atrium-widget';
const MAX_IDENTITY_LIFETIME_S = 24 * 60 * 60;

const hmacKey = (secret: string) =>
  crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);

const text = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.trim() !== '' && value.length <= max ? value : undefined;

/** Visitor session tokens and host sites' identity tokens, both HS256 JWTs checked by jose. */
export const joseVisitorTokens = (options: JoseVisitorTokensOptions): VisitorTokenSigner => {
  let imported: Promise<CryptoKey> | undefined;
  const key = () => (imported ??= hmacKey(options.secret));
  const ttlSeconds = options.ttlSeconds ?? 60 * 60;
  const renewalSeconds = options.renewalSeconds ?? 30 * 24 * 60 * 60;
  const now = options.now ?? (() => Date.now());
  const currentDate = () => new Date(now());

  return {
    ttlSeconds,
    sign: async ({ visitorId, tenantId, assistantId, keyId, identity }) =>
      new SignJWT({ tid: tenantId, aid: assistantId, kid: keyId, ...(identity && { idn: identity }) })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(visitorId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(Math.floor(now() / 1000))
        .setExpirationTime(Math.floor(now() / 1000) + ttlSeconds)
        .sign(await key()),
    async verify(token, { renewal = false } = {}) {
      try {
        const { payload } = await jwtVerify(token, await key(), {
          algorithms: [ALGORITHM],
          issuer: ISSUER,
          audience: AUDIENCE,
          requiredClaims: ['sub', 'exp'],
          currentDate: currentDate(),
          ...(renewal && { clockTolerance: renewalSeconds }),
        });
        const { sub, tid, aid, kid, idn } = payload as Record<string, unknown>;
        if (typeof sub !== 'string' || typeof tid !== 'string' || typeof aid !== 'string' || typeof kid !== 'string') return null;
        const identity = idn && typeof idn === 'object' ? (idn as VerifiedIdentity) : null;
        return { visitorId: sub, tenantId: tid, assistantId: aid, keyId: kid, identity };
      } catch {
        return null;
      }
    },
    async verifyIdentity(token, secret) {
      try {
        const { payload } = await jwtVerify(token, await hmacKey(secret), {
          algorithms: [ALGORITHM],
          requiredClaims: ['sub', 'exp'],
          currentDate: currentDate(),
        });
        const subject = text(payload.sub, 200);
        // Short-lived by contract: a token meant to last longer than a day is refused.
        if (!subject || payload.exp! - Math.floor(now() / 1000) > MAX_IDENTITY_LIFETIME_S) return null;
        const name = text(payload.name, 200);
        const email = text(payload.email, 320);
        return { subject, ...(name && { name }), ...(email && { email }) };
      } catch {
        return null;
      }
    },
  };
};
