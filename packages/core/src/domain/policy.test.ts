import { describe, expect, it } from 'vitest';
import { TENANT_ROLES } from './identity.js';
import { SPACE_ROLES, type SpaceRole } from './spaces.js';
import { can, canAssignTenantRole, SPACE_ACTIONS, TENANT_ACTIONS, type Action } from './policy.js';

// The expected matrix, written out independently of the implementation's tables.
// Columns: owner, admin, member+space-admin, member+editor, member+viewer, member (no membership).
type Row = [boolean, boolean, boolean, boolean, boolean, boolean];
const Y = true;
const N = false;
const EXPECTED: Record<Action, Row> = {
  'tenant.read': [Y, Y, Y, Y, Y, Y],
  'users.read': [Y, Y, N, N, N, N],
  'users.manage': [Y, Y, N, N, N, N],
  'spaces.create': [Y, Y, Y, Y, Y, Y],
  'spaces.readAll': [Y, Y, N, N, N, N],
  'apiKeys.manageOwn': [Y, Y, Y, Y, Y, Y],
  'apiKeys.manageAll': [Y, Y, N, N, N, N],
  'usage.read': [Y, Y, N, N, N, N],
  'space.read': [Y, Y, Y, Y, Y, N],
  'space.update': [Y, Y, Y, N, N, N],
  'space.delete': [Y, Y, Y, N, N, N],
  'members.read': [Y, Y, Y, Y, Y, N],
  'members.manage': [Y, Y, Y, N, N, N],
  'knowledge.read': [Y, Y, Y, Y, Y, N],
  'knowledge.write': [Y, Y, Y, Y, N, N],
  'assistants.use': [Y, Y, Y, Y, Y, N],
  'assistants.readDrafts': [Y, Y, Y, Y, N, N],
  'assistants.write': [Y, Y, Y, Y, N, N],
  'assistants.publish': [Y, Y, Y, Y, N, N],
  // API.md: `scope=all` is for space admins and editors.
  'conversations.readAll': [Y, Y, Y, Y, N, N],
  'conversations.deleteAll': [Y, Y, Y, N, N, N],
};

const memberColumns: (SpaceRole | null)[] = ['admin', 'editor', 'viewer', null];

describe('RBAC policy', () => {
  it('has an expectation for every action and no extra ones', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...TENANT_ACTIONS, ...SPACE_ACTIONS].sort());
  });

  for (const action of [...TENANT_ACTIONS, ...SPACE_ACTIONS]) {
    it(`decides ${action} for every tenant role × space role`, () => {
      const row = EXPECTED[action];
      // Owners and admins get the same answer whatever their membership says.
      for (const spaceRole of [...SPACE_ROLES, null]) {
        expect(can({ tenantRole: 'owner', spaceRole }, action)).toBe(row[0]);
        expect(can({ tenantRole: 'admin', spaceRole }, action)).toBe(row[1]);
      }
      memberColumns.forEach((spaceRole, i) => {
        expect(can({ tenantRole: 'member', spaceRole }, action)).toBe(row[i + 2]);
      });
    });
  }

  it('lets only owners grant or revoke ownership', () => {
    const table = TENANT_ROLES.flatMap((granter) =>
      TENANT_ROLES.map((target) => `${granter}->${target}:${canAssignTenantRole(granter, target)}`),
    );
    expect(table).toEqual([
      'owner->owner:true',
      'owner->admin:true',
      'owner->member:true',
      'admin->owner:false',
      'admin->admin:true',
      'admin->member:true',
      'member->owner:false',
      'member->admin:false',
      'member->member:false',
    ]);
  });
});
