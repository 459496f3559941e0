import { conflict, forbidden, invalid, notFound } from '../../domain/errors.js';
import { canAssignTenantRole, can } from '../../domain/policy.js';
import { normalizeEmail, type Actor, type TenantRole, type User, type UserWithTenant } from '../../domain/identity.js';
import { forgetUser } from '../auth/auth-cache.js';
import type { Page, PageRequest } from '../../domain/pagination.js';
import type { CoreContext } from '../context.js';
import { requireTenant } from '../shared/access.js';
import { assertValid, checkEmail, checkName, checkPassword } from '../shared/validation.js';

/** The caller and their tenant: as authentication loaded them, else read now. */
export const getMe = async (ctx: CoreContext, actor: Actor): Promise<UserWithTenant> => {
  const loaded = actor.loaded;
  if (loaded && loaded.user.id === actor.userId && loaded.tenant.id === actor.tenantId) return loaded;
  const found = await ctx.store.forTenant(actor.tenantId).users.getWithTenant(actor.userId);
  if (!found) throw notFound('User');
  return found;
};

export const listUsers = (ctx: CoreContext, actor: Actor, page: PageRequest): Promise<Page<User>> => {
  requireTenant(actor, 'users.read');
  return ctx.store.forTenant(actor.tenantId).users.list(page);
};

export const getUser = async (ctx: CoreContext, actor: Actor, userId: string): Promise<User> => {
  requireTenant(actor, 'users.read');
  const user = await ctx.store.forTenant(actor.tenantId).users.get(userId);
  if (!user) throw notFound('User');
  return user;
};

export interface CreateUserInput {
  email: string;
  password: string;
  name: string;
  role: TenantRole;
}

export const createUser = async (ctx: CoreContext, actor: Actor, input: CreateUserInput): Promise<User> => {
  requireTenant(actor, 'users.manage');
  assertValid([checkEmail(input.email), checkPassword(input.password), checkName(input.name)]);
  if (!canAssignTenantRole(actor.tenantRole, input.role)) throw forbidden('Only owners can create owners');
  const email = normalizeEmail(input.email);
  if (await ctx.store.system.findUserByEmail(email)) throw conflict('email_taken', 'A user with this email already exists');
  const now = ctx.clock.now();
  return ctx.store.forTenant(actor.tenantId).users.create({
    id: ctx.ids.next(),
    email,
    name: input.name.trim(),
    role: input.role,
    passwordHash: await ctx.hasher.hash(input.password),
    now,
  });
};

export interface UpdateUserInput {
  email?: string;
  password?: string;
  /** Required when users change their own password, so a stolen session cannot. */
  currentPassword?: string;
  name?: string;
  role?: TenantRole;
}

/** Tenant admins update anyone (owners only by owners); everyone may update their own name, email and password. */
export const updateUser = async (
  ctx: CoreContext,
  actor: Actor,
  userId: string,
  input: UpdateUserInput,
): Promise<User> => {
  assertValid([checkEmail(input.email), checkPassword(input.password), checkName(input.name)]);
  const updated = await ctx.store.transaction(async (tx) => {
    const repos = tx.forTenant(actor.tenantId);
    const target = await repos.users.get(userId);
    if (!target) throw notFound('User');
    const self = target.id === actor.userId;
    const manages = can({ tenantRole: actor.tenantRole }, 'users.manage');
    if (!self && !manages) throw forbidden();
    if (!self && !canAssignTenantRole(actor.tenantRole, target.role)) throw forbidden('Only owners can change owners');
    if (input.role !== undefined && input.role !== target.role) {
      if (!manages || !canAssignTenantRole(actor.tenantRole, input.role)) throw forbidden('You cannot assign this role');
      if (target.role === 'owner' && (await repos.users.countByRole('owner')) <= 1)
        throw conflict('last_owner', 'A tenant must keep at least one owner');
    }
    if (self && input.password !== undefined) {
      const stored = await tx.system.findUserByEmail(target.email);
      const ok = input.currentPassword !== undefined && stored && (await ctx.hasher.verify(input.currentPassword, stored.passwordHash));
      if (!ok) throw invalid([{ path: 'currentPassword', message: 'Give your current password to set a new one' }]);
    }
    const email = input.email === undefined ? undefined : normalizeEmail(input.email);
    if (email !== undefined && email !== target.email && (await tx.system.findUserByEmail(email)))
      throw conflict('email_taken', 'A user with this email already exists');
    const now = ctx.clock.now();
    const updated = await repos.users.update(userId, {
      ...(email !== undefined && { email }),
      ...(input.name !== undefined && { name: input.name.trim() }),
      ...(input.role !== undefined && { role: input.role }),
      ...(input.password !== undefined && { passwordHash: await ctx.hasher.hash(input.password) }),
      now,
    });
    if (!updated) throw notFound('User');
    // A new password ends every existing session of that user.
    if (input.password !== undefined) await repos.refreshTokens.revokeAllForUser(userId, now);
    return updated;
  });
  // Committed: the next request of this user authenticates with the new role.
  forgetUser(ctx, actor.tenantId, userId);
  return updated;
};

export const deleteUser = async (ctx: CoreContext, actor: Actor, userId: string): Promise<void> => {
  requireTenant(actor, 'users.manage');
  await ctx.store.transaction(async (tx) => {
    const repos = tx.forTenant(actor.tenantId);
    const target = await repos.users.get(userId);
    if (!target) throw notFound('User');
    if (!canAssignTenantRole(actor.tenantRole, target.role)) throw forbidden('Only owners can remove owners');
    if (target.role === 'owner' && (await repos.users.countByRole('owner')) <= 1)
      throw conflict('last_owner', 'A tenant must keep at least one owner');
    await repos.users.delete(userId);
  });
  // Committed: the user's access tokens stop working with the next request.
  forgetUser(ctx, actor.tenantId, userId);
};
