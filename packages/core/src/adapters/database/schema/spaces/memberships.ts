import { sql } from 'drizzle-orm';
import { check, index, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from '../columns.js';
import { tenants } from '../identity/tenants.js';
import { users } from '../identity/users.js';
import { spaces } from './spaces.js';

export const spaceMemberships = pgTable(
  'space_memberships',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ name: 'space_memberships_pk', columns: [t.spaceId, t.userId] }),
    index('space_memberships_user_idx').on(t.tenantId, t.userId),
    check('space_memberships_role_check', sql`${t.role} in ('admin', 'editor', 'viewer')`),
  ],
);
