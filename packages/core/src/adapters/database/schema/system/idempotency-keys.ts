import { index, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from '../columns.js';
import { tenants } from '../identity/tenants.js';

/**
 * The first response to each `Idempotency-Key` a tenant sent, for 24 hours, so that a retry
 * is answered with it instead of acting twice. `status` is null while the first request runs.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    /** SHA-256 of the request (method, path, body): the same key with another request is refused. */
    fingerprint: text('fingerprint').notNull(),
    status: integer('status'),
    contentType: text('content_type'),
    body: text('body'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ name: 'idempotency_keys_pk', columns: [t.tenantId, t.key] }), index('idempotency_keys_created_idx').on(t.tenantId, t.createdAt)],
);
