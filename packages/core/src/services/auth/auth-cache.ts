import type { UserWithTenant } from '../../domain/identity.js';
import type { CoreContext } from '../context.js';

// Authentication reads a user and their tenant on every request. `ctx.authCache` keeps
// them for a moment (ADR 0011); the use cases that change or remove users and tenants
// drop the entries here, so within this process a change is seen by the next request.

const keyOf = (tenantId: string, userId: string) => `${tenantId}/${userId}`;

/** The user and their tenant, from the authentication cache or the store. */
export const loadUserWithTenant = (ctx: CoreContext, tenantId: string, userId: string): Promise<UserWithTenant | null> =>
  ctx.authCache.getOrLoad(keyOf(tenantId, userId), () => ctx.store.forTenant(tenantId).users.getWithTenant(userId));

/** After a user was changed or removed (call once the change is committed). */
export const forgetUser = (ctx: CoreContext, tenantId: string, userId: string): void => {
  ctx.authCache.delete(keyOf(tenantId, userId));
};

/** After a tenant was removed: tenant removal is rare, so everything goes. */
export const forgetTenant = (ctx: CoreContext): void => {
  ctx.authCache.clear();
  ctx.widgetCache.clear();
};
