import type { VisitorIdentity } from '../domain/conversations.js';
/** Small ports for the world outside: time, ids, password hashing, token signing, throttling. */

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new, unique, roughly time-ordered id (UUIDv7 in the default adapter). */
  next(): string;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

export interface AccessTokenClaims {
  userId: string;
  tenantId: string;
}

export interface AccessTokenSigner {
  /** Lifetime of issued tokens, in seconds. */
  readonly ttlSeconds: number;
  sign(claims: AccessTokenClaims): Promise<string>;
  /** The claims of a valid token, or null for anything forged, expired or malformed. */
  verify(token: string): Promise<AccessTokenClaims | null>;
}

/**
 * Brute-force protection for logins: failures are counted per IP and per IP + account;
 * past the budget the caller is told how long to wait.
 */
export interface LoginThrottle {
  /** Seconds until this IP/account pair may try again, or 0 when it may try now. */
  retryAfter(attempt: LoginAttempt): Promise<number>;
  recordFailure(attempt: LoginAttempt): Promise<void>;
  recordSuccess(attempt: LoginAttempt): Promise<void>;
}

export interface LoginAttempt {
  ip: string;
  email: string;
}

/** Who a host site's backend says its signed-in user is (a verified identity token). */
export type VerifiedIdentity = VisitorIdentity;

/** What a widget visitor's session token says. */
export interface VisitorClaims {
  visitorId: string;
  tenantId: string;
  assistantId: string;
  /** A digest of the widget's public key when the session began: rotating the key ends it. */
  keyId: string;
  identity: VerifiedIdentity | null;
}

/**
 * Short-lived session tokens for widget visitors. Their audience differs from user access
 * tokens', so neither is ever accepted as the other.
 */
export interface VisitorTokenSigner {
  readonly ttlSeconds: number;
  sign(claims: VisitorClaims): Promise<string>;
  /** The claims of a valid token; with `renewal`, also of one that expired within the renewal window. Null otherwise. */
  verify(token: string, options?: { renewal?: boolean }): Promise<VisitorClaims | null>;
  /** A host site's identity token: HS256 with `secret`, a `sub`, and an `exp` at most 24 hours ahead. Null otherwise. */
  verifyIdentity(token: string, secret: string): Promise<VerifiedIdentity | null>;
}

/** Budgets of widget messages, per visitor and per widget, per minute and per day. */
export interface WidgetRateLimiter {
  /** Counts one message. Null when it is within every budget; otherwise how long until it would be. */
  consume(request: { assistantId: string; visitorId: string; perMinute: number; perDay: number }): Promise<{ retryAfterSeconds: number } | null>;
}
