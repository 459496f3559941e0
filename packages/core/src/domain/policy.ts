import type { TenantRole } from './identity.js';
import type { SpaceRole } from './spaces.js';

/**
 * RBAC as data. Tenant role × space role × action → allowed, decided by two tables
 * and one rule: tenant owners and admins act as admins of every space in their tenant.
 * Everything that asks "may this actor do X" goes through `can`; nothing else decides.
 */
export const TENANT_ACTIONS = [
  'tenant.read',
  'users.read',
  'users.manage',
  'spaces.create',
  'spaces.readAll',
  'apiKeys.manageOwn',
  'apiKeys.manageAll',
  'usage.read',
] as const;
export type TenantAction = (typeof TENANT_ACTIONS)[number];

export const SPACE_ACTIONS = [
  'space.read',
  'space.update',
  'space.delete',
  'members.read',
  'members.manage',
  'knowledge.read',
  'knowledge.write',
  'assistants.use',
  'assistants.readDrafts',
  'assistants.write',
  'assistants.publish',
  'conversations.readAll',
  'conversations.deleteAll',
] as const;
export type SpaceAction = (typeof SPACE_ACTIONS)[number];

export type Action = TenantAction | SpaceAction;

const TENANT_PERMISSIONS: Record<TenantAction, readonly TenantRole[]> = {
  'tenant.read': ['owner', 'admin', 'member'],
  'users.read': ['owner', 'admin'],
  'users.manage': ['owner', 'admin'],
  'spaces.create': ['owner', 'admin', 'member'],
  'spaces.readAll': ['owner', 'admin'],
  'apiKeys.manageOwn': ['owner', 'admin', 'member'],
  'apiKeys.manageAll': ['owner', 'admin'],
  'usage.read': ['owner', 'admin'],
};

const SPACE_PERMISSIONS: Record<SpaceAction, readonly SpaceRole[]> = {
  'space.read': ['admin', 'editor', 'viewer'],
  'space.update': ['admin'],
  'space.delete': ['admin'],
  'members.read': ['admin', 'editor', 'viewer'],
  'members.manage': ['admin'],
  'knowledge.read': ['admin', 'editor', 'viewer'],
  'knowledge.write': ['admin', 'editor'],
  'assistants.use': ['admin', 'editor', 'viewer'],
  'assistants.readDrafts': ['admin', 'editor'],
  'assistants.write': ['admin', 'editor'],
  'assistants.publish': ['admin', 'editor'],
  // API.md: space admins and editors review everyone's conversations; only admins delete other people's.
  'conversations.readAll': ['admin', 'editor'],
  'conversations.deleteAll': ['admin'],
};

const isSpaceAction = (action: Action): action is SpaceAction => action in SPACE_PERMISSIONS;

/** The role that counts inside a space: tenant owners/admins administer every space. */
export const effectiveSpaceRole = (tenantRole: TenantRole, membership: SpaceRole | null): SpaceRole | null =>
  tenantRole === 'owner' || tenantRole === 'admin' ? 'admin' : membership;

export interface Subject {
  tenantRole: TenantRole;
  /** The caller's membership role in the space the action targets; null when not a member. */
  spaceRole?: SpaceRole | null;
}

export const can = (subject: Subject, action: Action): boolean => {
  if (isSpaceAction(action)) {
    const role = effectiveSpaceRole(subject.tenantRole, subject.spaceRole ?? null);
    return role !== null && SPACE_PERMISSIONS[action].includes(role);
  }
  return TENANT_PERMISSIONS[action].includes(subject.tenantRole);
};

/** Who may grant a tenant role: only owners make or unmake owners. */
export const canAssignTenantRole = (granter: TenantRole, target: TenantRole): boolean =>
  granter === 'owner' || (granter === 'admin' && target !== 'owner');
