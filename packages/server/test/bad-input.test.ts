import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import {
  addMember,
  call,
  createApiKey,
  createSpace,
  createTenant,
  createUser,
  expectProblem,
  nextIp,
  openHarness,
  PASSWORD,
  uniqueEmail,
  type Harness,
  type LoggedInUser,
  type SpaceFixture,
  type TenantFixture,
} from './helpers.js';

/** Ids that name nothing: garbage of every shape a URL can carry. */
const GARBAGE_IDS = [
  'abc',
  '../',
  '..%2F..%2Fetc%2Fpasswd',
  '../../etc/passwd',
  'a'.repeat(5000),
  "1' OR '1'='1",
  "'; DROP TABLE users; --",
  '1; SELECT pg_sleep(10)',
  '\u0000',
  '%00',
  '💥',
  '-1',
  '0',
  '00000000-0000-0000-0000-000000000000',
];

describe.each(await testDatabaseTargets())('bad input on $name', (target) => {
  let h: Harness;
  let a: TenantFixture;
  let other: TenantFixture;
  let space: SpaceFixture;
  let viewer: LoggedInUser;
  let otherSpace: SpaceFixture;
  let otherKey: { id: string; key: string };

  beforeAll(async () => {
    h = await openHarness(target);
    a = h.tenant;
    other = await createTenant(h);
    space = await createSpace(h.app, a.token);
    viewer = await createUser(h, a, 'member');
    await addMember(h.app, a.token, space.id, viewer.id, 'viewer');
    otherSpace = await createSpace(h.app, other.token);
    otherKey = await createApiKey(h.app, other.token);
  });
  afterAll(async () => {
    await h?.close();
  });

  const listUsers = async (token = a.token) => {
    const r = await call(h.app, 'GET', '/api/v1/users?limit=100', { token });
    expect(r.status).toBe(200);
    return r.body.data as { id: string; email: string }[];
  };

  describe('malformed bodies', () => {
    it.each([
      ['a truncated object', '{"name": "x"'],
      ['a bare word', 'hello'],
      ['single quotes', "{'name': 'x'}"],
      ['a trailing comma', '{"name": "x",}'],
      ['an empty body', ''],
    ])('answers 400 to %s on an authenticated JSON route', async (_label, raw) => {
      const r = await call(h.app, 'POST', '/api/v1/spaces', {
        token: a.token,
        body: raw,
        headers: { 'Content-Type': 'application/json' },
      });
      expectProblem(r, 400, 'bad_request');
    });

    it('answers 400 to malformed JSON on the (unauthenticated) login route', async () => {
      const r = await call(h.app, 'POST', '/api/v1/auth/login', {
        body: '{"email": ',
        headers: { 'Content-Type': 'application/json' },
      });
      expectProblem(r, 400, 'bad_request');
    });

    it('answers 415 to a JSON body without a Content-Type', async () => {
      const r = await call(h.app, 'POST', '/api/v1/spaces', { token: a.token, body: JSON.stringify({ name: 'no type' }) });
      expectProblem(r, 415, 'unsupported_media_type');
    });

    it('answers 415 to a JSON body sent as text/plain or form data', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
        const r = await call(h.app, 'POST', '/api/v1/auth/login', {
          body: JSON.stringify({ email: a.owner.email, password: PASSWORD }),
          headers: { 'Content-Type': type },
        });
        expectProblem(r, 415, 'unsupported_media_type');
      }
    });

    it('a route taking JSON or multipart (documents) accepts each, and answers 415 to anything else', async () => {
      const collection = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/collections`, { token: a.token, json: { name: 'Types' } });
      expect(collection.status, collection.text).toBe(201);
      const path = `/api/v1/collections/${collection.body.id}/documents`;
      const json = await call(h.app, 'POST', path, { token: a.token, json: { title: 'As JSON', text: 'Some text to ingest.' } });
      expect(json.status, json.text).toBe(202);
      const form = new FormData();
      form.append('file', new Blob(['# Title\n\nSome markdown to ingest.'], { type: 'text/markdown' }), 'notes.md');
      const multipart = await h.app.request(path, { method: 'POST', headers: { Authorization: `Bearer ${a.token}` }, body: form });
      expect(multipart.status, await multipart.clone().text()).toBe(202);
      for (const headers of [{ 'Content-Type': 'text/plain' }, {}] as Record<string, string>[]) {
        const r = await call(h.app, 'POST', path, { token: a.token, headers, body: JSON.stringify({ title: 'x', text: 'y' }) });
        expectProblem(r, 415);
      }
      const bad = await call(h.app, 'POST', path, { token: a.token, json: { title: 'No text' } });
      expectProblem(bad, 422, 'validation_failed');
    });

    it('answers 413 to a body over 1 MB, authenticated or not', async () => {
      const huge = 'x'.repeat(1024 * 1024 + 10);
      const spaces = await call(h.app, 'POST', '/api/v1/spaces', { token: a.token, json: { name: huge } });
      expectProblem(spaces, 413, 'payload_too_large');
      const loginAttempt = await call(h.app, 'POST', '/api/v1/auth/login', { json: { email: huge, password: huge } });
      expectProblem(loginAttempt, 413, 'payload_too_large');
    });

    it('answers 400 naming the encoding to JSON that is not UTF-8, and stores nothing', async () => {
      const email = uniqueEmail('bytes');
      // {"email": "<email>", "password": "...", "name": "Bad \xFF\xFE name"}: FF FE is never UTF-8.
      const json = (name: string) => `{"email":"${email}","password":"${PASSWORD}","name":"${name}","role":"member"}`;
      const [before, after] = json('Bad \u0000SPLIT\u0000 name').split('\u0000SPLIT\u0000') as [string, string];
      const body = new Uint8Array([...new TextEncoder().encode(before), 0xff, 0xfe, ...new TextEncoder().encode(after)]);
      const headers = { 'Content-Type': 'application/json' };
      const created = await call(h.app, 'POST', '/api/v1/users', { token: a.token, body, headers });
      expectProblem(created, 400, 'invalid_encoding');
      expect(created.body.detail).toMatch(/UTF-8/);
      const users = await call(h.app, 'GET', '/api/v1/users?limit=100', { token: a.token });
      expect(users.body.data.map((u: { email: string }) => u.email)).not.toContain(email);
      const loginAttempt = await call(h.app, 'POST', '/api/v1/auth/login', { body, headers });
      expectProblem(loginAttempt, 400, 'invalid_encoding');
      // The same body in valid UTF-8 goes through.
      expect((await call(h.app, 'POST', '/api/v1/users', { token: a.token, body: json('Good name'), headers })).status).toBe(201);
    });
  });

  describe('schema violations', () => {
    it('answers 422 naming each bad field (email, role) when types are wrong', async () => {
      const r = await call(h.app, 'POST', '/api/v1/users', {
        token: a.token,
        json: { email: 42, password: PASSWORD, name: 'Typed', role: 'emperor' },
      });
      expectProblem(r, 422, 'validation_failed');
      const paths = (r.body.errors as { path: string; message: string }[]).map((e) => e.path);
      expect(paths).toEqual(expect.arrayContaining(['email', 'role']));
      expect(paths).not.toContain('password');
      for (const e of r.body.errors) expect(e.message).toEqual(expect.any(String));
    });

    it('answers 422 naming the field when a value is well-typed but invalid (email, password)', async () => {
      const r = await call(h.app, 'POST', '/api/v1/users', {
        token: a.token,
        json: { email: 'not-an-email', password: 'short', name: 'Shape', role: 'member' },
      });
      expectProblem(r, 422, 'validation_failed');
      expect((r.body.errors as { path: string }[]).map((e) => e.path)).toEqual(expect.arrayContaining(['email', 'password']));
    });

    it('answers 422 (not 500) to a NUL character in any text field, naming the field, and stores nothing', async () => {
      const spacesBefore = await call(h.app, 'GET', '/api/v1/spaces?limit=100', { token: a.token });
      const usersBefore = await listUsers();
      const cases: [string, string, Record<string, unknown>, string][] = [
        ['POST', '/api/v1/spaces', { name: 'a\u0000b' }, 'name'],
        ['PATCH', `/api/v1/spaces/${space.id}`, { description: 'nul \u0000 here' }, 'description'],
        ['POST', '/api/v1/users', { email: 'nul\u0000@example.com', password: PASSWORD, name: 'Nul', role: 'member' }, 'email'],
        ['POST', '/api/v1/users', { email: uniqueEmail('nul'), password: PASSWORD, name: 'Nul\u0000', role: 'member' }, 'name'],
        ['PATCH', `/api/v1/users/${viewer.id}`, { name: '\u0000' }, 'name'],
        ['POST', '/api/v1/api-keys', { name: 'key\u0000' }, 'name'],
        ['POST', `/api/v1/spaces/${space.id}/members`, { userId: `${viewer.id}\u0000`, role: 'viewer' }, 'userId'],
        ['POST', '/api/v1/auth/login', { email: `${a.owner.email}\u0000`, password: PASSWORD }, 'email'],
        ['POST', '/api/v1/auth/refresh', { refreshToken: 'atr_rt_\u0000' }, 'refreshToken'],
        ['POST', '/api/v1/auth/logout', { refreshToken: 'atr_rt_\u0000' }, 'refreshToken'],
      ];
      for (const [method, path, json, field] of cases) {
        const r = await call(h.app, method, path, { token: a.token, json, headers: { 'X-Forwarded-For': nextIp() } });
        expectProblem(r, 422, 'validation_failed');
        expect(r.body.errors.map((e: { path: string }) => e.path), `${method} ${path}`).toContain(field);
      }
      const cursor = await call(h.app, 'GET', '/api/v1/spaces?cursor=%00', { token: a.token });
      expectProblem(cursor, 422, 'validation_failed');
      expect((await call(h.app, 'GET', '/api/v1/spaces?limit=100', { token: a.token })).body.data).toEqual(spacesBefore.body.data);
      expect(await listUsers()).toEqual(usersBefore);
    });

    it('answers 422 to missing required fields, naming them', async () => {
      const r = await call(h.app, 'POST', '/api/v1/spaces/' + space.id + '/members', { token: a.token, json: {} });
      expectProblem(r, 422, 'validation_failed');
      expect((r.body.errors as { path: string }[]).map((e) => e.path)).toEqual(expect.arrayContaining(['userId', 'role']));
    });

    it.each([
      ['an array', [1, 2]],
      ['null', null],
      ['a number', 7],
      ['a string', 'name'],
    ])('answers 422 to %s where an object is expected', async (_label, body) => {
      const r = await call(h.app, 'POST', '/api/v1/spaces', { token: a.token, json: body });
      expectProblem(r, 422, 'validation_failed');
    });

    it('answers 422 to an out-of-range or non-numeric limit', async () => {
      for (const limit of ['abc', '0', '-1', '100000', '1.5']) {
        const r = await call(h.app, 'GET', `/api/v1/spaces?limit=${limit}`, { token: a.token });
        expectProblem(r, 422, 'validation_failed');
        expect(r.body.errors.map((e: { path: string }) => e.path)).toContain('limit');
      }
    });

    it('answers 422 to a garbage pagination cursor on every list', async () => {
      const lists = ['/api/v1/spaces', '/api/v1/users', '/api/v1/api-keys', `/api/v1/spaces/${space.id}/members`];
      const cursors = ['garbage', 'not-base64!!', Buffer.from('abc').toString('base64url'), Buffer.from("' OR 1=1 --").toString('base64url')];
      for (const list of lists) {
        for (const cursor of cursors) {
          const r = await call(h.app, 'GET', `${list}?cursor=${encodeURIComponent(cursor)}`, { token: a.token });
          expectProblem(r, 422, 'validation_failed');
          expect(r.body.errors.map((e: { path: string }) => e.path)).toContain('cursor');
        }
      }
    });

    it("answers 422 to a garbage cursor on a document's chunks, as on every other list", async () => {
      const collection = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/collections`, { token: a.token, json: { name: 'Cursors' } });
      const added = await call(h.app, 'POST', `/api/v1/collections/${collection.body.id}/documents`, {
        token: a.token,
        json: { title: 'Paged', text: 'Some text to chunk.' },
      });
      expect(added.status).toBe(202);
      const chunks = `/api/v1/documents/${added.body.document.id}/chunks`;
      expect((await call(h.app, 'GET', chunks, { token: a.token })).status).toBe(200);
      for (const cursor of ['garbage', Buffer.from('abc').toString('base64url'), Buffer.from('-1').toString('base64url'), Buffer.from('1.5').toString('base64url')]) {
        const r = await call(h.app, 'GET', `${chunks}?cursor=${encodeURIComponent(cursor)}`, { token: a.token });
        expectProblem(r, 422, 'validation_failed');
        expect(r.body.errors.map((e: { path: string }) => e.path)).toContain('cursor');
      }
    });

    it('pages with a real cursor (so the 422 above is about the cursor, not the parameter)', async () => {
      await createSpace(h.app, a.token);
      const first = await call(h.app, 'GET', '/api/v1/spaces?limit=1', { token: a.token });
      expect(first.status).toBe(200);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await call(h.app, 'GET', `/api/v1/spaces?limit=1&cursor=${first.body.nextCursor}`, { token: a.token });
      expect(second.status).toBe(200);
      expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
    });
  });

  describe('ids that name nothing here', () => {
    const routesFor = (id: string, userId: string) => [
      ['GET', `/api/v1/spaces/${id}`],
      ['PATCH', `/api/v1/spaces/${id}`, { name: 'renamed' }],
      ['DELETE', `/api/v1/spaces/${id}`],
      ['GET', `/api/v1/spaces/${id}/members`],
      ['POST', `/api/v1/spaces/${id}/members`, { userId, role: 'viewer' }],
      ['PATCH', `/api/v1/spaces/${id}/members/${userId}`, { role: 'editor' }],
      ['DELETE', `/api/v1/spaces/${id}/members/${userId}`],
      ['GET', `/api/v1/users/${id}`],
      ['PATCH', `/api/v1/users/${id}`, { name: 'renamed' }],
      ['DELETE', `/api/v1/users/${id}`],
      ['DELETE', `/api/v1/api-keys/${id}`],
    ] as const;

    it('answers 404 to unknown (well-formed) ids', async () => {
      for (const [method, path, json] of routesFor(randomUUID(), viewer.id)) {
        const r = await call(h.app, method, path, { token: a.token, json });
        expectProblem(r, 404, 'not_found');
      }
    });

    it.each(GARBAGE_IDS.map((id) => [id.length > 40 ? `${id.slice(0, 20)}…(${id.length})` : JSON.stringify(id), id]))(
      'answers 404 to the garbage id %s everywhere',
      async (_label, raw) => {
        const id = encodeURIComponent(raw);
        for (const [method, path, json] of routesFor(id, viewer.id)) {
          const r = await call(h.app, method, path, { token: a.token, json });
          expectProblem(r, 404, 'not_found');
        }
        // ...also as the member id of a real space.
        for (const [method, json] of [['PATCH', { role: 'editor' }], ['DELETE', undefined]] as const) {
          const r = await call(h.app, method, `/api/v1/spaces/${space.id}/members/${id}`, { token: a.token, json });
          expectProblem(r, 404, 'not_found');
        }
        // ...and as a body reference (where a NUL is invalid input rather than an unknown id).
        const add = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/members`, { token: a.token, json: { userId: raw, role: 'viewer' } });
        if (raw.includes('\u0000')) expectProblem(add, 422, 'validation_failed');
        else expectProblem(add, 404, 'not_found');
      },
    );

    it("answers 404 to another tenant's ids, exactly as to unknown ones", async () => {
      for (const [method, path, json] of routesFor(otherSpace.id, other.owner.id)) {
        const r = await call(h.app, method, path, { token: a.token, json });
        expectProblem(r, 404, 'not_found');
      }
      for (const [method, path] of [
        ['GET', `/api/v1/users/${other.owner.id}`],
        ['PATCH', `/api/v1/users/${other.owner.id}`],
        ['DELETE', `/api/v1/users/${other.owner.id}`],
        ['DELETE', `/api/v1/api-keys/${otherKey.id}`],
      ] as const) {
        const r = await call(h.app, method, path, { token: a.token, json: method === 'PATCH' ? { name: 'x' } : undefined });
        expectProblem(r, 404, 'not_found');
      }
      const unknown = await call(h.app, 'GET', `/api/v1/spaces/${randomUUID()}`, { token: a.token });
      const foreign = await call(h.app, 'GET', `/api/v1/spaces/${otherSpace.id}`, { token: a.token });
      expect(foreign.body.detail).toBe(unknown.body.detail);
      // The other tenant still has everything.
      expect((await call(h.app, 'GET', `/api/v1/spaces/${otherSpace.id}`, { token: other.token })).status).toBe(200);
      expect((await call(h.app, 'GET', '/api/v1/me', { headers: { 'X-API-Key': otherKey.key } })).status).toBe(200);
    });
  });

  describe('conflicts and credentials', () => {
    it('answers 409 to a duplicate email, also in another case and with spaces', async () => {
      const email = uniqueEmail('dup');
      const first = await call(h.app, 'POST', '/api/v1/users', {
        token: a.token,
        json: { email, password: PASSWORD, name: 'First', role: 'member' },
      });
      expect(first.status).toBe(201);
      for (const variant of [email, email.toUpperCase(), `  ${email.replace(/^./, (c) => c.toUpperCase())} `]) {
        const r = await call(h.app, 'POST', '/api/v1/users', {
          token: a.token,
          json: { email: variant, password: PASSWORD, name: 'Second', role: 'member' },
        });
        expectProblem(r, 409, 'email_taken');
      }
      // Also across tenants: emails are global.
      const elsewhere = await call(h.app, 'POST', '/api/v1/users', {
        token: other.token,
        json: { email: email.toUpperCase(), password: PASSWORD, name: 'Elsewhere', role: 'member' },
      });
      expectProblem(elsewhere, 409, 'email_taken');
      // And when changing an email to a taken one.
      const rename = await call(h.app, 'PATCH', `/api/v1/users/${viewer.id}`, { token: a.token, json: { email: email.toUpperCase() } });
      expectProblem(rename, 409, 'email_taken');
    });

    it('answers a wrong password and an unknown email with the same 401', async () => {
      const wrong = await call(h.app, 'POST', '/api/v1/auth/login', {
        json: { email: a.owner.email, password: 'wrong password!' },
        headers: { 'X-Forwarded-For': nextIp() },
      });
      const unknown = await call(h.app, 'POST', '/api/v1/auth/login', {
        json: { email: uniqueEmail('nobody'), password: 'wrong password!' },
        headers: { 'X-Forwarded-For': nextIp() },
      });
      expectProblem(wrong, 401, 'invalid_credentials');
      expectProblem(unknown, 401, 'invalid_credentials');
      expect(unknown.body.detail).toBe(wrong.body.detail);
      expect(unknown.body.title).toBe(wrong.body.title);
    });

    it('answers 401 to missing or garbage credentials', async () => {
      for (const headers of <Record<string, string>[]>[
        {},
        { Authorization: 'Bearer' },
        { Authorization: 'Bearer not-a-token' },
        { Authorization: 'Basic dXNlcjpwYXNz' },
        { Authorization: `Bearer ${'a'.repeat(10_000)}` },
        { 'X-API-Key': 'atr_sk_garbage' },
        { 'X-API-Key': `atr_sk_${'A'.repeat(38)}` },
      ]) {
        const r = await call(h.app, 'GET', '/api/v1/me', { headers });
        expectProblem(r, 401);
      }
    });

    it('answers 403 when a space viewer PATCHes the space, and changes nothing', async () => {
      const r = await call(h.app, 'PATCH', `/api/v1/spaces/${space.id}`, { token: viewer.token, json: { name: 'viewer was here' } });
      expectProblem(r, 403, 'forbidden');
      const after = await call(h.app, 'GET', `/api/v1/spaces/${space.id}`, { token: a.token });
      expect(after.body.name).toBe(space.name);
    });

    it('answers 404 problems to unknown routes', async () => {
      for (const [method, path] of [
        ['GET', '/nope'],
        ['GET', '/api/v2/spaces'],
        ['POST', '/healthz/extra'],
        ['GET', '/api/v1/nope'],
        ['PUT', '/api/v1/spaces'],
      ] as const) {
        const r = await call(h.app, method, path, { token: a.token });
        expectProblem(r, 404, 'not_found');
      }
    });
  });

  describe('nothing half-written', () => {
    it('a failed user creation (conflict, invalid, forbidden) leaves no user behind', async () => {
      const before = await listUsers();
      const member = await createUser(h, a, 'member');
      const baseline = await listUsers();
      expect(baseline.length).toBe(before.length + 1);

      const attempts = [
        { token: a.token, json: { email: member.email.toUpperCase(), password: PASSWORD, name: 'Dup', role: 'member' } },
        { token: a.token, json: { email: uniqueEmail('invalid'), password: 'short', name: 'Short', role: 'member' } },
        { token: a.token, json: { email: uniqueEmail('invalid'), password: PASSWORD, name: '   ', role: 'member' } },
        { token: member.token, json: { email: uniqueEmail('forbidden'), password: PASSWORD, name: 'Nope', role: 'member' } },
      ];
      const expected = [
        [409, 'email_taken'],
        [422, 'validation_failed'],
        [422, 'validation_failed'],
        [403, 'forbidden'],
      ] as const;
      for (const [i, attempt] of attempts.entries()) {
        const r = await call(h.app, 'POST', '/api/v1/users', attempt);
        expectProblem(r, expected[i]![0], expected[i]![1]);
      }
      const after = await listUsers();
      expect(after.map((u) => u.id).sort()).toEqual(baseline.map((u) => u.id).sort());
      for (const attempt of attempts.slice(1)) {
        const loginAttempt = await call(h.app, 'POST', '/api/v1/auth/login', {
          json: { email: attempt.json.email, password: attempt.json.password },
          headers: { 'X-Forwarded-For': nextIp() },
        });
        expect(loginAttempt.status).toBe(401);
      }
    });

    it('a failed space creation or member addition leaves no rows behind', async () => {
      const spacesBefore = await call(h.app, 'GET', '/api/v1/spaces?limit=100', { token: a.token });
      for (const json of [{ name: '' }, { name: 'x'.repeat(201) }, { name: 'ok', description: 'd'.repeat(2001) }, { name: '   ' }]) {
        const r = await call(h.app, 'POST', '/api/v1/spaces', { token: a.token, json });
        expectProblem(r, 422, 'validation_failed');
      }
      const spacesAfter = await call(h.app, 'GET', '/api/v1/spaces?limit=100', { token: a.token });
      expect(spacesAfter.body.data).toEqual(spacesBefore.body.data);

      const membersBefore = await call(h.app, 'GET', `/api/v1/spaces/${space.id}/members?limit=100`, { token: a.token });
      for (const json of [
        { userId: randomUUID(), role: 'viewer' },
        { userId: other.owner.id, role: 'viewer' },
        { userId: viewer.id, role: 'viewer' }, // already a member
      ]) {
        const r = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/members`, { token: a.token, json });
        if (json.userId === viewer.id) expectProblem(r, 409, 'already_member');
        else expectProblem(r, 404, 'not_found');
      }
      const membersAfter = await call(h.app, 'GET', `/api/v1/spaces/${space.id}/members?limit=100`, { token: a.token });
      expect(membersAfter.body.data).toEqual(membersBefore.body.data);
    });

    it('a failed API key creation leaves no key behind', async () => {
      const before = await call(h.app, 'GET', '/api/v1/api-keys?limit=100', { token: a.token });
      for (const json of [
        { name: '' },
        { name: 'past', expiresAt: '2001-01-01T00:00:00Z' },
        { name: 'bad date', expiresAt: 'tomorrow' },
        { name: 'bad assistant', assistantId: 'abc' },
      ]) {
        const r = await call(h.app, 'POST', '/api/v1/api-keys', { token: a.token, json });
        expectProblem(r, 422, 'validation_failed');
      }
      const after = await call(h.app, 'GET', '/api/v1/api-keys?limit=100', { token: a.token });
      expect(after.body.data).toEqual(before.body.data);
    });
  });
});
