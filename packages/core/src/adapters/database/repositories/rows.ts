import type { ApiKey, TenantRole, User } from '../../../domain/identity.js';
import type { Membership, SpaceRole } from '../../../domain/spaces.js';
import type { apiKeys, spaceMemberships, users } from '../schema/index.js';

// Row → domain mappers: drop secrets, narrow text columns to their checked enums.

export const toUser = (row: typeof users.$inferSelect): User => ({
  id: row.id,
  tenantId: row.tenantId,
  email: row.email,
  name: row.name,
  role: row.role as TenantRole,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

export const toApiKey = (row: typeof apiKeys.$inferSelect): ApiKey => ({
  id: row.id,
  tenantId: row.tenantId,
  userId: row.userId,
  assistantId: row.assistantId,
  name: row.name,
  prefix: row.prefix,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
  lastUsedAt: row.lastUsedAt,
  revokedAt: row.revokedAt,
});

export const toMembership = (row: typeof spaceMemberships.$inferSelect): Membership => ({
  spaceId: row.spaceId,
  userId: row.userId,
  role: row.role as SpaceRole,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});
