import type { ApiKey, RefreshTokenRecord, Tenant, TenantRole, User, UserWithSecret, UserWithTenant } from '../domain/identity.js';
import type { Page, PageRequest } from '../domain/pagination.js';
import type { IdempotencyRecord, StoredResponse } from '../domain/idempotency.js';
import type { Membership, Space, SpaceRole } from '../domain/spaces.js';
import type { AssistantRepositories } from './assistant-store.js';
import type { KnowledgeRepositories, KnowledgeSystemRepository } from './knowledge-store.js';
import type { PublicWidget, WidgetRepository } from './widget-store.js';
import type { WebsiteRepositories, WebsiteSystemRepository } from './website-store.js';

/**
 * Persistence port. Tenant data is reached only through `forTenant(tenantId)`, whose
 * repositories scope every query to that tenant: a use case cannot forget the filter.
 * `system` holds the few lookups that must cross tenants (login by email, API key by
 * hash, refresh token by hash) and the tenants themselves.
 */
export interface Store {
  readonly system: SystemRepository;
  forTenant(tenantId: string): TenantRepositories;
  /** Runs `fn` in one database transaction; everything inside commits or nothing does. */
  transaction<T>(fn: (store: Store) => Promise<T>): Promise<T>;
}

export interface SystemRepository extends KnowledgeSystemRepository, WebsiteSystemRepository {
  countTenants(): Promise<number>;
  listTenants(page: PageRequest): Promise<Page<Tenant>>;
  createTenant(tenant: Tenant): Promise<Tenant>;
  getTenant(id: string): Promise<Tenant | null>;
  deleteTenant(id: string): Promise<boolean>;
  findUserByEmail(email: string): Promise<UserWithSecret | null>;
  findApiKeyByHash(hash: string): Promise<ApiKey | null>;
  findRefreshTokenByHash(hash: string): Promise<RefreshTokenRecord | null>;
  getSetting(key: string): Promise<string | null>;
  /** The widget a public key names, with its assistant's name and published flag. */
  findWidgetByPublicKey(publicKey: string): Promise<PublicWidget | null>;
  /** Whether some enabled widget's allowlist holds one of `entries` (a preflight's origin, see `originCandidates`). */
  anyWidgetAllows(entries: string[]): Promise<boolean>;
  /** Stores the value unless one exists; returns whichever value is stored afterwards. */
  setSettingIfAbsent(key: string, value: string): Promise<string>;
}

export interface NewUser {
  id: string;
  email: string;
  name: string;
  role: TenantRole;
  passwordHash: string;
  now: Date;
}

export interface UserPatch {
  name?: string;
  email?: string;
  role?: TenantRole;
  passwordHash?: string;
  now: Date;
}

export interface NewApiKey extends Omit<ApiKey, 'tenantId' | 'lastUsedAt' | 'revokedAt'> {
  keyHash: string;
}

export interface NewRefreshToken extends Omit<RefreshTokenRecord, 'tenantId' | 'rotatedAt' | 'revokedAt'> {}

export interface TenantRepositories extends KnowledgeRepositories, AssistantRepositories, WebsiteRepositories {
  readonly tenantId: string;
  tenant(): Promise<Tenant | null>;
  users: {
    list(page: PageRequest): Promise<Page<User>>;
    get(id: string): Promise<User | null>;
    /** The user and this tenant in one query (authentication's lookup). */
    getWithTenant(id: string): Promise<UserWithTenant | null>;
    create(user: NewUser): Promise<User>;
    update(id: string, patch: UserPatch): Promise<User | null>;
    delete(id: string): Promise<boolean>;
    countByRole(role: TenantRole): Promise<number>;
  };
  apiKeys: {
    list(page: PageRequest, filter: { userId?: string }): Promise<Page<ApiKey>>;
    get(id: string): Promise<ApiKey | null>;
    create(key: NewApiKey): Promise<ApiKey>;
    revoke(id: string, at: Date): Promise<boolean>;
    /** Revokes every live key scoped to the assistant. */
    revokeForAssistant(assistantId: string, at: Date): Promise<void>;
    touch(id: string, at: Date): Promise<void>;
  };
  refreshTokens: {
    create(token: NewRefreshToken): Promise<void>;
    /** Marks the token rotated if it is still live; false when someone got there first. */
    markRotated(id: string, at: Date): Promise<boolean>;
    revokeFamily(familyId: string, at: Date): Promise<void>;
    revokeAllForUser(userId: string, at: Date): Promise<void>;
  };
  spaces: {
    /** All spaces, or only those where `memberUserId` has a membership. */
    list(page: PageRequest, filter: { memberUserId?: string }): Promise<Page<Space>>;
    get(id: string): Promise<Space | null>;
    create(space: Omit<Space, 'tenantId'>): Promise<Space>;
    update(id: string, patch: { name?: string; description?: string | null; now: Date }): Promise<Space | null>;
    delete(id: string): Promise<boolean>;
  };
  /** Assistants' chat widgets. */
  widgets: WidgetRepository;
  idempotencyKeys: {
    /**
     * Claims `key` for a request with `fingerprint` (null: claimed) unless a record made at
     * or after `since` holds it (that record). An older record is replaced, and older
     * records of the tenant are dropped on the way.
     */
    claim(key: string, fingerprint: string, now: Date, since: Date): Promise<IdempotencyRecord | null>;
    /** Keeps the response of the request that claimed `key`. */
    complete(key: string, response: StoredResponse): Promise<void>;
    /** Frees `key`, so that a retry runs the request again. */
    release(key: string): Promise<void>;
  };
  memberships: {
    list(spaceId: string, page: PageRequest): Promise<Page<Membership>>;
    get(spaceId: string, userId: string): Promise<Membership | null>;
    add(membership: Membership): Promise<Membership>;
    update(spaceId: string, userId: string, role: SpaceRole, now: Date): Promise<Membership | null>;
    remove(spaceId: string, userId: string): Promise<boolean>;
    countByRole(spaceId: string, role: SpaceRole): Promise<number>;
  };
}
