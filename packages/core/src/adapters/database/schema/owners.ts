import { uuid } from 'drizzle-orm/pg-core';
import { tenants } from './identity/tenants.js';
import { spaces } from './spaces/spaces.js';

/** The tenant a row belongs to; the row goes with its tenant. */
export const tenantOwner = () =>
  uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' });

/** The space a row belongs to; the row goes with its space. */
export const spaceOwner = () =>
  uuid('space_id')
    .notNull()
    .references(() => spaces.id, { onDelete: 'cascade' });
