import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, PageRequest } from '../src/domain/pagination.js';
import { testDatabaseTargets } from '../src/test/index.js';
import { expectAtriumError, newTenant, newUser, openHarness, type Harness } from './helpers.js';

/** Follows nextCursor to the end, returning every page. */
const walk = async <T>(fetch: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[][]> => {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await fetch({ limit, cursor });
    pages.push(page.data);
    cursor = page.nextCursor;
    if (pages.length > 100) throw new Error('pagination does not terminate');
  } while (cursor);
  return pages;
};

describe.each(await testDatabaseTargets())('pagination on $name', (target) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(target);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('users: limit + cursor visit every row exactly once, with no empty last page', async () => {
    const t = await newTenant(h.core);
    const created = [t.owner.id];
    for (let i = 0; i < 7; i++) created.push((await newUser(h.core, t.actor)).user.id);

    const pages = await walk((p) => h.core.users.list(t.actor, p), 3);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(pages.flat().map((u) => u.id).sort()).toEqual(created.sort());

    // A limit that divides the row count exactly must not produce a trailing empty page.
    expect((await walk((p) => h.core.users.list(t.actor, p), 4)).map((p) => p.length)).toEqual([4, 4]);
    expect((await walk((p) => h.core.users.list(t.actor, p), 100)).map((p) => p.length)).toEqual([8]);
  });

  it('spaces, members and API keys page the same way', async () => {
    const t = await newTenant(h.core);
    const spaces: string[] = [];
    for (let i = 0; i < 5; i++) spaces.push((await h.core.spaces.create(t.actor, { name: `S${i}` })).id);
    const spacePages = await walk((p) => h.core.spaces.list(t.actor, p), 2);
    expect(spacePages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(spacePages.flat().map((s) => s.id).sort()).toEqual([...spaces].sort());

    const members = [t.owner.id];
    for (let i = 0; i < 4; i++) {
      const { user } = await newUser(h.core, t.actor);
      await h.core.spaces.members.add(t.actor, spaces[0]!, { userId: user.id, role: 'viewer' });
      members.push(user.id);
    }
    const memberPages = await walk((p) => h.core.spaces.members.list(t.actor, spaces[0]!, p), 2);
    expect(memberPages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(memberPages.flat().map((m) => m.userId).sort()).toEqual(members.sort());

    const keys: string[] = [];
    for (let i = 0; i < 3; i++) keys.push((await h.core.apiKeys.create(t.actor, { name: `K${i}` })).id);
    const keyPages = await walk((p) => h.core.apiKeys.list(t.actor, p), 2);
    expect(keyPages.map((p) => p.length)).toEqual([2, 1]);
    expect(keyPages.flat().map((k) => k.id).sort()).toEqual(keys.sort());
  });

  it('tenants page across the whole installation', async () => {
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) mine.push((await newTenant(h.core)).tenantId);
    const all = (await walk((p) => h.core.tenants.list(p), 2)).flat().map((t) => t.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(expect.arrayContaining(mine));
    expect(all).toHaveLength(await h.core.context.store.system.countTenants());
  });

  it('a cursor that this API did not return is invalid, never a database error', async () => {
    const t = await newTenant(h.core);
    const space = await h.core.spaces.create(t.actor, { name: 'S' });
    const lists = [
      (cursor: string) => h.core.users.list(t.actor, { limit: 5, cursor }),
      (cursor: string) => h.core.spaces.list(t.actor, { limit: 5, cursor }),
      (cursor: string) => h.core.spaces.members.list(t.actor, space.id, { limit: 5, cursor }),
      (cursor: string) => h.core.apiKeys.list(t.actor, { limit: 5, cursor }),
      (cursor: string) => h.core.tenants.list({ limit: 5, cursor }),
    ];
    const garbage = ['garbage', '!!!', space.id, Buffer.from('not-a-uuid').toString('base64url'), "' or 1=1 --"];
    for (const list of lists) {
      for (const cursor of garbage) {
        const error = await expectAtriumError(list(cursor), 'invalid', 'validation_failed');
        expect(error.details.errors?.map((e) => e.path)).toEqual(['cursor']);
      }
    }
  });
});
