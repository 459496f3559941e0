import { conflict, notFound } from '../../domain/errors.js';
import { normalizeEmail, type Tenant, type User } from '../../domain/identity.js';
import type { Page, PageRequest } from '../../domain/pagination.js';
import { forgetTenant } from '../auth/auth-cache.js';
import type { CoreContext } from '../context.js';
import { randomBase62 } from '../shared/secrets.js';
import { assertValid, checkEmail, checkName, checkPassword } from '../shared/validation.js';

// Tenant administration is for operators (sysadmin key, CLI), not for tenant users,
// so these use cases take no actor: the transport decides who may call them.

export interface CreateTenantInput {
  name: string;
  adminEmail: string;
  adminPassword: string;
  adminName?: string;
}

/** Creates a tenant and its first owner, together or not at all. */
export const createTenant = async (
  ctx: CoreContext,
  input: CreateTenantInput,
): Promise<{ tenant: Tenant; admin: User }> => {
  assertValid([
    checkName(input.name),
    checkEmail(input.adminEmail, 'adminEmail'),
    checkPassword(input.adminPassword, 'adminPassword'),
  ]);
  const email = normalizeEmail(input.adminEmail);
  const passwordHash = await ctx.hasher.hash(input.adminPassword);
  return ctx.store.transaction(async (tx) => {
    if (await tx.system.findUserByEmail(email)) throw conflict('email_taken', 'A user with this email already exists');
    const now = ctx.clock.now();
    const tenant = await tx.system.createTenant({ id: ctx.ids.next(), name: input.name.trim(), createdAt: now });
    const admin = await tx.forTenant(tenant.id).users.create({
      id: ctx.ids.next(),
      email,
      name: input.adminName?.trim() || email.split('@')[0] || 'Owner',
      role: 'owner',
      passwordHash,
      now,
    });
    return { tenant, admin };
  });
};

export const listTenants = (ctx: CoreContext, page: PageRequest): Promise<Page<Tenant>> =>
  ctx.store.system.listTenants(page);

/** Removes the tenant and, by cascade, everything it owns. */
export const deleteTenant = async (ctx: CoreContext, tenantId: string): Promise<void> => {
  if (!(await ctx.store.system.deleteTenant(tenantId))) throw notFound('Tenant');
  // Its users' access tokens stop working with the next request.
  forgetTenant(ctx);
};

export interface BootstrapInput {
  adminEmail?: string | undefined;
  adminPassword?: string | undefined;
  tenantName?: string;
}

export type BootstrapResult =
  | { created: false }
  | { created: true; tenant: Tenant; admin: User; generatedPassword: string | null };

export const DEFAULT_ADMIN_EMAIL = 'admin@atrium.local';

/** On first start (no tenant yet) creates a tenant and its owner; later starts do nothing. */
export const bootstrap = async (ctx: CoreContext, input: BootstrapInput): Promise<BootstrapResult> => {
  if ((await ctx.store.system.countTenants()) > 0) return { created: false };
  const generatedPassword = input.adminPassword ? null : randomBase62(20);
  try {
    const { tenant, admin } = await createTenant(ctx, {
      name: input.tenantName ?? 'Default',
      adminEmail: input.adminEmail ?? DEFAULT_ADMIN_EMAIL,
      adminPassword: input.adminPassword ?? (generatedPassword as string),
    });
    return { created: true, tenant, admin, generatedPassword };
  } catch (error) {
    // Another replica starting at the same moment won the race: that is fine.
    if ((await ctx.store.system.countTenants()) > 0) return { created: false };
    throw error;
  }
};
