import { conflict, notFound } from '../../domain/errors.js';
import type { Actor } from '../../domain/identity.js';
import type { Page, PageRequest } from '../../domain/pagination.js';
import type { Membership, SpaceRole } from '../../domain/spaces.js';
import type { TenantRepositories } from '../../ports/index.js';
import type { CoreContext } from '../context.js';
import { requireSpace } from '../shared/access.js';

export const listMembers = async (
  ctx: CoreContext,
  actor: Actor,
  spaceId: string,
  page: PageRequest,
): Promise<Page<Membership>> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  await requireSpace(repos, actor, spaceId, 'members.read');
  return repos.memberships.list(spaceId, page);
};

export const addMember = async (
  ctx: CoreContext,
  actor: Actor,
  spaceId: string,
  input: { userId: string; role: SpaceRole },
): Promise<Membership> => {
  return ctx.store.transaction(async (tx) => {
    const repos = tx.forTenant(actor.tenantId);
    await requireSpace(repos, actor, spaceId, 'members.manage');
    if (!(await repos.users.get(input.userId))) throw notFound('User');
    if (await repos.memberships.get(spaceId, input.userId))
      throw conflict('already_member', 'This user is already a member of the space');
    const now = ctx.clock.now();
    return repos.memberships.add({ spaceId, userId: input.userId, role: input.role, createdAt: now, updatedAt: now });
  });
};

// A space keeps at least one member admin, so it never depends on tenant admins alone.
const assertNotLastAdmin = async (repos: TenantRepositories, membership: Membership): Promise<void> => {
  if (membership.role === 'admin' && (await repos.memberships.countByRole(membership.spaceId, 'admin')) <= 1)
    throw conflict('last_space_admin', 'A space must keep at least one admin');
};

export const updateMember = async (
  ctx: CoreContext,
  actor: Actor,
  spaceId: string,
  userId: string,
  input: { role: SpaceRole },
): Promise<Membership> => {
  return ctx.store.transaction(async (tx) => {
    const repos = tx.forTenant(actor.tenantId);
    await requireSpace(repos, actor, spaceId, 'members.manage');
    const membership = await repos.memberships.get(spaceId, userId);
    if (!membership) throw notFound('Member');
    if (input.role !== 'admin') await assertNotLastAdmin(repos, membership);
    const updated = await repos.memberships.update(spaceId, userId, input.role, ctx.clock.now());
    if (!updated) throw notFound('Member');
    return updated;
  });
};

export const removeMember = async (ctx: CoreContext, actor: Actor, spaceId: string, userId: string): Promise<void> => {
  await ctx.store.transaction(async (tx) => {
    const repos = tx.forTenant(actor.tenantId);
    await requireSpace(repos, actor, spaceId, 'members.manage');
    const membership = await repos.memberships.get(spaceId, userId);
    if (!membership) throw notFound('Member');
    await assertNotLastAdmin(repos, membership);
    await repos.memberships.remove(spaceId, userId);
  });
};
