import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import {
  addMember,
  call,
  createSpace,
  createUser,
  expectProblem,
  openHarness,
  PASSWORD,
  uniqueEmail,
  type Harness,
  type LoggedInUser,
  type SpaceFixture,
} from './helpers.js';

describe.each(await testDatabaseTargets())('RBAC over HTTP on $name', (target) => {
  let h: Harness;
  let admin: LoggedInUser;
  let member: LoggedInUser;
  let viewer: LoggedInUser;
  let editor: LoggedInUser;
  let outsider: LoggedInUser;
  let space: SpaceFixture;

  beforeAll(async () => {
    h = await openHarness(target);
    admin = await createUser(h, h.tenant, 'admin');
    member = await createUser(h, h.tenant, 'member');
    viewer = await createUser(h, h.tenant, 'member');
    editor = await createUser(h, h.tenant, 'member');
    outsider = await createUser(h, h.tenant, 'member');
    space = await createSpace(h.app, h.tenant.token);
    await addMember(h.app, h.tenant.token, space.id, viewer.id, 'viewer');
    await addMember(h.app, h.tenant.token, space.id, editor.id, 'editor');
  });
  afterAll(async () => {
    await h?.close();
  });

  const newUserBody = (role: string) => ({ email: uniqueEmail(role), password: PASSWORD, name: `New ${role}`, role });

  it('a member cannot list, create, change or delete users (403), only themselves', async () => {
    expectProblem(await call(h.app, 'POST', '/api/v1/users', { token: member.token, json: newUserBody('member') }), 403, 'forbidden');
    expectProblem(
      await call(h.app, 'PATCH', `/api/v1/users/${viewer.id}`, { token: member.token, json: { name: 'Renamed by a member' } }),
      403,
      'forbidden',
    );
    expectProblem(await call(h.app, 'DELETE', `/api/v1/users/${viewer.id}`, { token: member.token }), 403, 'forbidden');
    expectProblem(await call(h.app, 'GET', '/api/v1/users', { token: member.token }), 403, 'forbidden');
    expect((await call(h.app, 'GET', '/api/v1/me', { token: member.token })).body.user.id).toBe(member.id);
    // A member may rename themselves, but not promote themselves.
    expect((await call(h.app, 'PATCH', `/api/v1/users/${member.id}`, { token: member.token, json: { name: 'Me' } })).status).toBe(200);
    expectProblem(
      await call(h.app, 'PATCH', `/api/v1/users/${member.id}`, { token: member.token, json: { role: 'admin' } }),
      403,
      'forbidden',
    );
  });

  it('an admin cannot create an owner (403), but can create members and admins', async () => {
    expectProblem(await call(h.app, 'POST', '/api/v1/users', { token: admin.token, json: newUserBody('owner') }), 403, 'forbidden');
    expect((await call(h.app, 'POST', '/api/v1/users', { token: admin.token, json: newUserBody('member') })).status).toBe(201);
    expect((await call(h.app, 'POST', '/api/v1/users', { token: admin.token, json: newUserBody('admin') })).status).toBe(201);
    // ...nor change or remove the owner.
    expectProblem(
      await call(h.app, 'PATCH', `/api/v1/users/${h.tenant.owner.id}`, { token: admin.token, json: { name: 'Demoted' } }),
      403,
      'forbidden',
    );
    expectProblem(await call(h.app, 'DELETE', `/api/v1/users/${h.tenant.owner.id}`, { token: admin.token }), 403, 'forbidden');
    // The owner can create an owner.
    expect((await call(h.app, 'POST', '/api/v1/users', { token: h.tenant.token, json: newUserBody('owner') })).status).toBe(201);
  });

  it('a viewer can read the space and its members but not update or delete it (403)', async () => {
    const read = await call(h.app, 'GET', `/api/v1/spaces/${space.id}`, { token: viewer.token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: space.id, role: 'viewer' });
    expect((await call(h.app, 'GET', `/api/v1/spaces/${space.id}/members`, { token: viewer.token })).status).toBe(200);
    expectProblem(
      await call(h.app, 'PATCH', `/api/v1/spaces/${space.id}`, { token: viewer.token, json: { name: 'Viewer edit' } }),
      403,
      'forbidden',
    );
    expectProblem(await call(h.app, 'DELETE', `/api/v1/spaces/${space.id}`, { token: viewer.token }), 403, 'forbidden');
    expect((await call(h.app, 'GET', `/api/v1/spaces/${space.id}`, { token: h.tenant.token })).body.name).toBe(space.name);
  });

  it('a tenant member who is not in the space gets 404 for it, and does not see it listed', async () => {
    for (const [method, path, json] of [
      ['GET', `/api/v1/spaces/${space.id}`],
      ['PATCH', `/api/v1/spaces/${space.id}`, { name: 'Outsider edit' }],
      ['DELETE', `/api/v1/spaces/${space.id}`],
      ['GET', `/api/v1/spaces/${space.id}/members`],
      ['POST', `/api/v1/spaces/${space.id}/members`, { userId: outsider.id, role: 'admin' }],
    ] as const) {
      expectProblem(await call(h.app, method, path, { token: outsider.token, json }), 404, 'not_found');
    }
    const list = await call(h.app, 'GET', '/api/v1/spaces?limit=100', { token: outsider.token });
    expect(list.status).toBe(200);
    expect((list.body.data as { id: string }[]).map((s) => s.id)).not.toContain(space.id);
    // A tenant admin sees every space without being a member.
    const byAdmin = await call(h.app, 'GET', `/api/v1/spaces/${space.id}`, { token: admin.token });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.role).toBe('admin');
  });

  it('an editor cannot manage members (403) but can list them', async () => {
    expect((await call(h.app, 'GET', `/api/v1/spaces/${space.id}/members`, { token: editor.token })).status).toBe(200);
    expectProblem(
      await call(h.app, 'POST', `/api/v1/spaces/${space.id}/members`, { token: editor.token, json: { userId: outsider.id, role: 'viewer' } }),
      403,
      'forbidden',
    );
    expectProblem(
      await call(h.app, 'PATCH', `/api/v1/spaces/${space.id}/members/${viewer.id}`, { token: editor.token, json: { role: 'admin' } }),
      403,
      'forbidden',
    );
    expectProblem(await call(h.app, 'DELETE', `/api/v1/spaces/${space.id}/members/${viewer.id}`, { token: editor.token }), 403, 'forbidden');
    // Nothing changed.
    const members = await call(h.app, 'GET', `/api/v1/spaces/${space.id}/members?limit=100`, { token: h.tenant.token });
    const roles = Object.fromEntries((members.body.data as { userId: string; role: string }[]).map((m) => [m.userId, m.role]));
    expect(roles).toMatchObject({ [viewer.id]: 'viewer', [editor.id]: 'editor' });
    expect(roles[outsider.id]).toBeUndefined();
  });

  it('the creator of a space administers it; the last space admin cannot be removed (409)', async () => {
    const own = await createSpace(h.app, member.token);
    const r = await call(h.app, 'PATCH', `/api/v1/spaces/${own.id}`, { token: member.token, json: { description: 'mine' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ description: 'mine', role: 'admin' });
    expectProblem(await call(h.app, 'DELETE', `/api/v1/spaces/${own.id}/members/${member.id}`, { token: member.token }), 409, 'last_space_admin');
  });

  it("users see only their own API keys; admins see everyone's", async () => {
    const mine = await call(h.app, 'POST', '/api/v1/api-keys', { token: member.token, json: { name: 'member key' } });
    expect(mine.status).toBe(201);
    const theirs = await call(h.app, 'POST', '/api/v1/api-keys', { token: editor.token, json: { name: 'editor key' } });
    const memberList = await call(h.app, 'GET', '/api/v1/api-keys?limit=100', { token: member.token });
    const ids = (memberList.body.data as { id: string }[]).map((k) => k.id);
    expect(ids).toContain(mine.body.id);
    expect(ids).not.toContain(theirs.body.id);
    expectProblem(await call(h.app, 'DELETE', `/api/v1/api-keys/${theirs.body.id}`, { token: member.token }), 404, 'not_found');
    const adminList = await call(h.app, 'GET', '/api/v1/api-keys?limit=100', { token: admin.token });
    expect((adminList.body.data as { id: string }[]).map((k) => k.id)).toEqual(expect.arrayContaining([mine.body.id, theirs.body.id]));
  });
});
