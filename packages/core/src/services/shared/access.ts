import { forbidden, isAtriumError, notFound } from '../../domain/errors.js';
import type { Actor } from '../../domain/identity.js';
import { can, effectiveSpaceRole, type SpaceAction, type TenantAction } from '../../domain/policy.js';
import type { Space, SpaceRole } from '../../domain/spaces.js';
import type { TenantRepositories } from '../../ports/index.js';

/** Throws 403 unless the actor's tenant role allows `action`. */
export const requireTenant = (actor: Actor, action: TenantAction): void => {
  if (!can({ tenantRole: actor.tenantRole }, action)) throw forbidden();
};

export interface SpaceAccess {
  space: Space;
  role: SpaceRole;
}

/**
 * Loads a space for an action. A space the actor cannot see at all (not a member, not
 * a tenant admin) is reported as absent, so ids do not leak; a visible space whose
 * role is too weak for `action` is a 403.
 */
export const requireSpace = async (
  repos: TenantRepositories,
  actor: Actor,
  spaceId: string,
  action: SpaceAction,
): Promise<SpaceAccess> => {
  const space = await repos.spaces.get(spaceId);
  if (!space) throw notFound('Space');
  const membership = await repos.memberships.get(spaceId, actor.userId);
  const role = effectiveSpaceRole(actor.tenantRole, membership?.role ?? null);
  if (!role) throw notFound('Space');
  if (!can({ tenantRole: actor.tenantRole, spaceRole: membership?.role ?? null }, action)) throw forbidden();
  return { space, role };
};

/**
 * Checks the actor may do `action` in the space of a resource just loaded (null: absent).
 * A resource in a space the actor cannot see is absent too: a 404 naming the resource.
 */
export const requireInSpace = async <T extends { spaceId: string }>(
  repos: TenantRepositories,
  actor: Actor,
  resource: T | null,
  what: string,
  action: SpaceAction,
): Promise<T> => {
  if (!resource) throw notFound(what);
  try {
    await requireSpace(repos, actor, resource.spaceId, action);
  } catch (error) {
    if (isAtriumError(error) && error.kind === 'not_found') throw notFound(what);
    throw error;
  }
  return resource;
};
