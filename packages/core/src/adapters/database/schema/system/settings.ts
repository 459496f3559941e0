import { pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt } from '../columns.js';

/** Installation-wide values generated once, e.g. the JWT signing secret. */
export const systemSettings = pgTable('system_settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: createdAt(),
});
