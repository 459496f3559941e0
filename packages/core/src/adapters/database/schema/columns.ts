import { timestamp, uuid } from 'drizzle-orm/pg-core';

/** Shared column builders: ids are app-generated UUIDv7, times are timestamptz. */
export const id = () => uuid('id').primaryKey();
export const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
export const createdAt = () => at('created_at').notNull();
export const updatedAt = () => at('updated_at').notNull();
