import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../src/core.js';
import type { Store } from '../src/ports/index.js';
import { testDatabaseTargets } from '../src/test/index.js';
import { expectAtriumError, newTenant, newUser, openHarness, type Harness } from './helpers.js';

describe.each(await testDatabaseTargets())('spaces and members on $name', (target) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(target);
  });
  afterAll(async () => {
    await h?.close();
  });

  const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

  it('the creator becomes the space admin', async () => {
    const t = await newTenant(h.core);
    const member = await newUser(h.core, t.actor);
    const space = await h.core.spaces.create(member.actor, { name: ' Support ', description: 'Help desk' });
    expect(space).toMatchObject({ tenantId: t.tenantId, name: 'Support', description: 'Help desk', role: 'admin' });
    const members = await h.core.spaces.members.list(member.actor, space.id, { limit: 10 });
    expect(members.data.map((m) => [m.userId, m.role])).toEqual([[member.user.id, 'admin']]);
    expect((await h.core.spaces.get(member.actor, space.id)).role).toBe('admin');
  });

  it('members list only their spaces; tenant admins list and administer all of them', async () => {
    const t = await newTenant(h.core);
    const admin = await newUser(h.core, t.actor, 'admin');
    const alice = await newUser(h.core, t.actor);
    const bob = await newUser(h.core, t.actor);
    const a1 = await h.core.spaces.create(alice.actor, { name: 'A1' });
    const a2 = await h.core.spaces.create(alice.actor, { name: 'A2' });
    const b1 = await h.core.spaces.create(bob.actor, { name: 'B1' });
    await h.core.spaces.members.add(bob.actor, b1.id, { userId: alice.user.id, role: 'viewer' });

    expect(ids((await h.core.spaces.list(alice.actor, { limit: 10 })).data)).toEqual(ids([a1, a2, b1]));
    expect(ids((await h.core.spaces.list(bob.actor, { limit: 10 })).data)).toEqual(ids([b1]));
    expect(ids((await h.core.spaces.list(admin.actor, { limit: 10 })).data)).toEqual(ids([a1, a2, b1]));
    expect(ids((await h.core.spaces.list(t.actor, { limit: 10 })).data)).toEqual(ids([a1, a2, b1]));
    // No membership, yet the tenant admin acts as space admin.
    expect((await h.core.spaces.get(admin.actor, a1.id)).role).toBe('admin');
    expect((await h.core.spaces.update(admin.actor, a1.id, { name: 'A1 renamed' })).name).toBe('A1 renamed');
  });

  it('viewers read but cannot change; editors cannot manage; non-members see nothing', async () => {
    const t = await newTenant(h.core);
    const owner = await newUser(h.core, t.actor);
    const viewer = await newUser(h.core, t.actor);
    const editor = await newUser(h.core, t.actor);
    const outsider = await newUser(h.core, t.actor);
    const space = await h.core.spaces.create(owner.actor, { name: 'Docs', description: 'original' });
    await h.core.spaces.members.add(owner.actor, space.id, { userId: viewer.user.id, role: 'viewer' });
    await h.core.spaces.members.add(owner.actor, space.id, { userId: editor.user.id, role: 'editor' });

    expect((await h.core.spaces.get(viewer.actor, space.id)).role).toBe('viewer');
    expect((await h.core.spaces.members.list(viewer.actor, space.id, { limit: 10 })).data).toHaveLength(3);
    await expectAtriumError(h.core.spaces.update(viewer.actor, space.id, { name: 'Mine now' }), 'forbidden');
    await expectAtriumError(h.core.spaces.delete(viewer.actor, space.id), 'forbidden');
    await expectAtriumError(h.core.spaces.members.add(viewer.actor, space.id, { userId: outsider.user.id, role: 'admin' }), 'forbidden');
    await expectAtriumError(h.core.spaces.update(editor.actor, space.id, { description: 'edited' }), 'forbidden');
    await expectAtriumError(h.core.spaces.members.update(editor.actor, space.id, editor.user.id, { role: 'admin' }), 'forbidden');

    await expectAtriumError(h.core.spaces.get(outsider.actor, space.id), 'not_found');
    await expectAtriumError(h.core.spaces.update(outsider.actor, space.id, { name: 'x' }), 'not_found');
    await expectAtriumError(h.core.spaces.delete(outsider.actor, space.id), 'not_found');
    await expectAtriumError(h.core.spaces.members.list(outsider.actor, space.id, { limit: 10 }), 'not_found');

    expect(await h.core.spaces.get(owner.actor, space.id)).toMatchObject({ name: 'Docs', description: 'original' });
  });

  it('adds, changes and removes members; refuses duplicates and users of other tenants', async () => {
    const t = await newTenant(h.core);
    const elsewhere = await newTenant(h.core);
    const stranger = await newUser(h.core, elsewhere.actor);
    const member = await newUser(h.core, t.actor);
    const space = await h.core.spaces.create(t.actor, { name: 'Team' });

    const added = await h.core.spaces.members.add(t.actor, space.id, { userId: member.user.id, role: 'viewer' });
    expect(added).toMatchObject({ spaceId: space.id, userId: member.user.id, role: 'viewer' });
    await expectAtriumError(
      h.core.spaces.members.add(t.actor, space.id, { userId: member.user.id, role: 'editor' }),
      'conflict',
      'already_member',
    );
    await expectAtriumError(h.core.spaces.members.add(t.actor, space.id, { userId: stranger.user.id, role: 'viewer' }), 'not_found');
    await expectAtriumError(h.core.spaces.members.add(t.actor, space.id, { userId: elsewhere.owner.id, role: 'admin' }), 'not_found');

    expect((await h.core.spaces.members.update(t.actor, space.id, member.user.id, { role: 'editor' })).role).toBe('editor');
    const members = await h.core.spaces.members.list(t.actor, space.id, { limit: 10 });
    expect(Object.fromEntries(members.data.map((m) => [m.userId, m.role]))).toEqual({
      [t.owner.id]: 'admin',
      [member.user.id]: 'editor',
    });

    await h.core.spaces.members.remove(t.actor, space.id, member.user.id);
    await expectAtriumError(h.core.spaces.get(member.actor, space.id), 'not_found');
    await expectAtriumError(h.core.spaces.members.remove(t.actor, space.id, member.user.id), 'not_found');
    await expectAtriumError(h.core.spaces.members.update(t.actor, space.id, member.user.id, { role: 'admin' }), 'not_found');
  });

  it('keeps the last space admin: no removal, no demotion; a second admin lifts the rule', async () => {
    const t = await newTenant(h.core);
    const creator = await newUser(h.core, t.actor);
    const other = await newUser(h.core, t.actor);
    const space = await h.core.spaces.create(creator.actor, { name: 'Solo' });
    await expectAtriumError(h.core.spaces.members.remove(creator.actor, space.id, creator.user.id), 'conflict', 'last_space_admin');
    await expectAtriumError(
      h.core.spaces.members.update(creator.actor, space.id, creator.user.id, { role: 'viewer' }),
      'conflict',
      'last_space_admin',
    );
    // Not even a tenant owner (an admin of every space by role) can strip the last member admin.
    await expectAtriumError(h.core.spaces.members.remove(t.actor, space.id, creator.user.id), 'conflict', 'last_space_admin');
    expect((await h.core.spaces.get(creator.actor, space.id)).role).toBe('admin');

    await h.core.spaces.members.add(creator.actor, space.id, { userId: other.user.id, role: 'admin' });
    expect((await h.core.spaces.members.update(creator.actor, space.id, creator.user.id, { role: 'viewer' })).role).toBe('viewer');
    await expectAtriumError(h.core.spaces.members.remove(other.actor, space.id, other.user.id), 'conflict', 'last_space_admin');
  });

  it('updates and deletes spaces, validating input', async () => {
    const t = await newTenant(h.core);
    const space = await h.core.spaces.create(t.actor, { name: 'Before', description: 'desc' });
    const updated = await h.core.spaces.update(t.actor, space.id, { name: 'After', description: null });
    expect(updated).toMatchObject({ id: space.id, name: 'After', description: null });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(space.updatedAt.getTime());

    const empty = await expectAtriumError(h.core.spaces.update(t.actor, space.id, { name: '   ' }), 'invalid');
    expect(empty.details.errors?.map((e) => e.path)).toEqual(['name']);
    const long = await expectAtriumError(h.core.spaces.create(t.actor, { name: 'ok', description: 'x'.repeat(2001) }), 'invalid');
    expect(long.details.errors?.map((e) => e.path)).toEqual(['description']);

    await h.core.spaces.delete(t.actor, space.id);
    await expectAtriumError(h.core.spaces.get(t.actor, space.id), 'not_found');
    await expectAtriumError(h.core.spaces.delete(t.actor, space.id), 'not_found');
    expect((await h.core.spaces.list(t.actor, { limit: 10 })).data).toEqual([]);
  });

  it('createSpace is atomic: when adding the creator fails, no space remains', async () => {
    const t = await newTenant(h.core);
    const real = h.core.context.store;
    const created: string[] = [];
    // A store whose transactions succeed at creating the space but fail at the membership.
    const failingMemberships = (store: Store): Store => ({
      system: store.system,
      transaction: (fn) => store.transaction((tx) => fn(failingMemberships(tx))),
      forTenant(tenantId) {
        const repos = store.forTenant(tenantId);
        return {
          ...repos,
          spaces: {
            ...repos.spaces,
            create: async (space) => {
              const row = await repos.spaces.create(space);
              created.push(row.id);
              return row;
            },
          },
          memberships: {
            ...repos.memberships,
            add: async () => {
              throw new Error('membership insert failed');
            },
          },
        };
      },
    });
    const broken = createCore({ ...h.core.context, store: failingMemberships(real) });

    await expect(broken.spaces.create(t.actor, { name: 'Half made' })).rejects.toThrow('membership insert failed');
    expect(created).toHaveLength(1);
    await expectAtriumError(h.core.spaces.get(t.actor, created[0]!), 'not_found');
    expect(await real.forTenant(t.tenantId).spaces.get(created[0]!)).toBeNull();
    expect((await h.core.spaces.list(t.actor, { limit: 10 })).data).toEqual([]);

    // Control: the same path with a working store leaves the space and its admin.
    const ok = await h.core.spaces.create(t.actor, { name: 'Whole' });
    expect((await h.core.spaces.list(t.actor, { limit: 10 })).data.map((s) => s.id)).toEqual([ok.id]);
  });
});
