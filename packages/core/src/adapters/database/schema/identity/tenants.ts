import { pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id } from '../columns.js';

export const tenants = pgTable('tenants', {
  id: id(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});
