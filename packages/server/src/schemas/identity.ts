import { z } from '@hono/zod-openapi';
import { TENANT_ROLES, type ApiKey, type CreatedApiKey, type Session, type Tenant, type User } from '@atrium/core';
import { iso, isoOrNull } from './common.js';

export const TenantSchema = z
  .object({ id: z.string(), name: z.string(), createdAt: z.string() })
  .openapi('Tenant');

export const UserSchema = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(TENANT_ROLES),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('User');

export const SessionSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the access token expires' }),
    user: UserSchema,
  })
  .openapi('Session');

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    userId: z.string(),
    assistantId: z.string().nullable(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi('ApiKey');

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: 'The secret key. Shown only in this response; store it now.' }),
}).openapi('CreatedApiKey');

export const tenantJson = (t: Tenant) => ({ id: t.id, name: t.name, createdAt: iso(t.createdAt) });

export const userJson = (u: User) => ({
  id: u.id,
  tenantId: u.tenantId,
  email: u.email,
  name: u.name,
  role: u.role,
  createdAt: iso(u.createdAt),
  updatedAt: iso(u.updatedAt),
});

export const sessionJson = (s: Session) => ({
  accessToken: s.accessToken,
  refreshToken: s.refreshToken,
  tokenType: s.tokenType,
  expiresIn: s.expiresIn,
  user: userJson(s.user),
});

export const apiKeyJson = (k: ApiKey) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  userId: k.userId,
  assistantId: k.assistantId,
  createdAt: iso(k.createdAt),
  expiresAt: isoOrNull(k.expiresAt),
  lastUsedAt: isoOrNull(k.lastUsedAt),
});

export const createdApiKeyJson = (k: CreatedApiKey) => ({ ...apiKeyJson(k), key: k.key });
