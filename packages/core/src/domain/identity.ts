export const TENANT_ROLES = ['owner', 'admin', 'member'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

export interface Tenant {
  id: string;
  name: string;
  createdAt: Date;
}

export interface User {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: TenantRole;
  createdAt: Date;
  updatedAt: Date;
}

/** A user together with their tenant: what authentication loads, and what `getMe` answers. */
export interface UserWithTenant {
  user: User;
  tenant: Tenant;
}

/** A user row together with its password hash; never leaves core's use cases. */
export interface UserWithSecret extends User {
  passwordHash: string;
}

export interface ApiKey {
  id: string;
  tenantId: string;
  userId: string;
  /** When set the key may only talk to this assistant. */
  assistantId: string | null;
  name: string;
  /** The visible start of the key, e.g. `atr_sk_AbC1`, for recognising it in lists. */
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface RefreshTokenRecord {
  id: string;
  tenantId: string;
  userId: string;
  /** All tokens descending from one login share a family; reuse of a rotated token revokes it. */
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
  /** Set when the token was exchanged for a new one. */
  rotatedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

/** Who is calling: resolved from an access token or an API key. */
export interface Actor {
  tenantId: string;
  userId: string;
  tenantRole: TenantRole;
  via: 'access_token' | 'api_key';
  apiKeyId?: string;
  /** API keys scoped to one assistant carry it here. */
  assistantId?: string | null;
  /**
   * The user and tenant as `authenticate` found them (at most the authentication cache's
   * TTL old, ADR 0011), so that `getMe` needs no second lookup. Only `authenticate` sets
   * it, as a non-enumerable property: it stays out of logs, JSON and object spreads, and
   * actors made any other way (tests, jobs, `{ ...actor }`) simply lack it.
   */
  readonly loaded?: UserWithTenant;
}

/** Emails compare case-insensitively; we store them lower-cased and trimmed. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** bcrypt only reads the first 72 bytes; longer passwords are refused rather than silently truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_LENGTH = 8;

export const passwordProblem = (password: string): string | null => {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (new TextEncoder().encode(password).length > PASSWORD_MAX_BYTES)
    return `must be at most ${PASSWORD_MAX_BYTES} bytes (UTF-8)`;
  return null;
};
