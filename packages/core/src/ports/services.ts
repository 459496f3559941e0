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
