import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, real, text, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, id, updatedAt } from '../columns.js';
import { tenants } from '../identity/tenants.js';
import { spaces } from '../spaces/spaces.js';

/** Background work, readable in both modes (BullMQ holds the queue; this table holds the truth). */
export const jobs = pgTable(
  'jobs',
  {
    id: id(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    spaceId: uuid('space_id').references(() => spaces.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    status: text('status').notNull(),
    progress: real('progress').notNull().default(0),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
  },
  (t) => [
    index('jobs_unfinished_idx').on(t.status, t.createdAt).where(sql`${t.status} in ('queued', 'running')`),
    check('jobs_status_check', sql`${t.status} in ('queued', 'running', 'completed', 'failed')`),
  ],
);
