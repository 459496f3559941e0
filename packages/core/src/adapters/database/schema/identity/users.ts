import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from '../columns.js';
import { tenants } from './tenants.js';

export const users = pgTable(
  'users',
  {
    id: id(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    // Globally unique: login takes only an email, so it must name one user.
    email: text('email').notNull().unique('users_email_unique'),
    name: text('name').notNull(),
    role: text('role').notNull(),
    passwordHash: text('password_hash').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('users_tenant_idx').on(t.tenantId, t.id),
    check('users_role_check', sql`${t.role} in ('owner', 'admin', 'member')`),
  ],
);
