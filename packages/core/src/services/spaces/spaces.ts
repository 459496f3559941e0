import { notFound } from '../../domain/errors.js';
import type { Actor } from '../../domain/identity.js';
import { can } from '../../domain/policy.js';
import type { Page, PageRequest } from '../../domain/pagination.js';
import type { Space, SpaceRole } from '../../domain/spaces.js';
import type { CoreContext } from '../context.js';
import { requireSpace, requireTenant } from '../shared/access.js';
import { assertValid, checkName } from '../shared/validation.js';

export interface SpaceView extends Space {
  /** The caller's effective role in this space. */
  role: SpaceRole;
}

const checkDescription = (description: string | null | undefined) =>
  description && description.length > 2000 ? { path: 'description', message: 'Must be at most 2000 characters' } : null;

/** Creates a space; its creator becomes its admin, in the same transaction. */
export const createSpace = async (
  ctx: CoreContext,
  actor: Actor,
  input: { name: string; description?: string | null },
): Promise<SpaceView> => {
  requireTenant(actor, 'spaces.create');
  assertValid([checkName(input.name), checkDescription(input.description)]);
  const now = ctx.clock.now();
  return ctx.store.transaction(async (tx) => {
    const repos = tx.forTenant(actor.tenantId);
    const space = await repos.spaces.create({
      id: ctx.ids.next(),
      name: input.name.trim(),
      description: input.description ?? null,
      createdAt: now,
      updatedAt: now,
    });
    await repos.memberships.add({ spaceId: space.id, userId: actor.userId, role: 'admin', createdAt: now, updatedAt: now });
    return { ...space, role: 'admin' };
  });
};

/** Tenant admins see every space; members see the spaces they belong to. */
export const listSpaces = async (ctx: CoreContext, actor: Actor, page: PageRequest): Promise<Page<Space>> => {
  const all = can({ tenantRole: actor.tenantRole }, 'spaces.readAll');
  return ctx.store.forTenant(actor.tenantId).spaces.list(page, all ? {} : { memberUserId: actor.userId });
};

export const getSpace = async (ctx: CoreContext, actor: Actor, spaceId: string): Promise<SpaceView> => {
  const { space, role } = await requireSpace(ctx.store.forTenant(actor.tenantId), actor, spaceId, 'space.read');
  return { ...space, role };
};

export const updateSpace = async (
  ctx: CoreContext,
  actor: Actor,
  spaceId: string,
  input: { name?: string; description?: string | null },
): Promise<SpaceView> => {
  assertValid([checkName(input.name), checkDescription(input.description)]);
  const repos = ctx.store.forTenant(actor.tenantId);
  const { role } = await requireSpace(repos, actor, spaceId, 'space.update');
  const updated = await repos.spaces.update(spaceId, {
    ...(input.name !== undefined && { name: input.name.trim() }),
    ...(input.description !== undefined && { description: input.description }),
    now: ctx.clock.now(),
  });
  if (!updated) throw notFound('Space');
  return { ...updated, role };
};

export const deleteSpace = async (ctx: CoreContext, actor: Actor, spaceId: string): Promise<void> => {
  const repos = ctx.store.forTenant(actor.tenantId);
  await requireSpace(repos, actor, spaceId, 'space.delete');
  await repos.spaces.delete(spaceId);
};
