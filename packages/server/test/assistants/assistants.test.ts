/**
 * Assistants, conversations, feedback, usage and the model list over HTTP (API.md
 * §Assistants and chat). Conversations are started through the core (`chatOnce`), with the
 * harness's default completion model, the local extractive answerer, so no network is used.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import {
  addMember,
  call,
  createSpace,
  createTenant,
  createUser,
  expectProblem,
  openHarness,
  type Harness,
  type LoggedInUser,
  type SpaceFixture,
} from '../helpers.js';
import { chatOnce, settleJob } from '../resources.js';

type Json = Record<string, any>;

const HANDBOOK =
  'Employees receive 28 days of paid annual leave per calendar year. ' +
  'Travel expenses are reimbursed within 14 days after the receipt is submitted.';

describe.each(await testDatabaseTargets())('assistants over HTTP on $name', (target) => {
  let h: Harness;
  let owner: string;
  let space: SpaceFixture;
  let collectionId: string;
  /** Space roles, all plain tenant members. */
  let spaceAdmin: LoggedInUser;
  let editor: LoggedInUser;
  let viewer: LoggedInUser;
  let outsider: LoggedInUser;

  beforeAll(async () => {
    h = await openHarness(target);
    owner = h.tenant.token;
    space = await createSpace(h.app, owner);
    [spaceAdmin, editor, viewer, outsider] = [
      await createUser(h, h.tenant, 'member'),
      await createUser(h, h.tenant, 'member'),
      await createUser(h, h.tenant, 'member'),
      await createUser(h, h.tenant, 'member'),
    ];
    await addMember(h.app, owner, space.id, spaceAdmin.id, 'admin');
    await addMember(h.app, owner, space.id, editor.id, 'editor');
    await addMember(h.app, owner, space.id, viewer.id, 'viewer');
    const collection = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/collections`, { token: owner, json: { name: 'Handbook' } });
    expect(collection.status, collection.text).toBe(201);
    collectionId = collection.body.id;
    const document = await call(h.app, 'POST', `/api/v1/collections/${collectionId}/documents`, {
      token: owner,
      json: { title: 'Employee handbook', text: HANDBOOK },
    });
    expect(document.status, document.text).toBe(202);
    if (document.body.job) expect(await settleJob(h, owner, document.body.job.id)).toBe('completed');
  });
  afterAll(async () => {
    await h?.close();
  });

  const createAssistant = async (token: string, json: Json, spaceId = space.id): Promise<Json> => {
    const r = await call(h.app, 'POST', `/api/v1/spaces/${spaceId}/assistants`, { token, json });
    expect(r.status, r.text).toBe(201);
    return r.body as Json;
  };

  const listIds = async (token: string, spaceId = space.id): Promise<string[]> => {
    const r = await call(h.app, 'GET', `/api/v1/spaces/${spaceId}/assistants?limit=100`, { token });
    expect(r.status, r.text).toBe(200);
    return (r.body.data as { id: string }[]).map((a) => a.id);
  };

  describe('assistants', () => {
    it('creates, reads, lists, updates and deletes an assistant', async () => {
      const created = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/assistants`, {
        token: owner,
        json: {
          name: '  HR helper ',
          description: 'Answers HR questions',
          instructions: 'Be brief.',
          model: 'local-extractive-v1',
          temperature: 0.2,
          maxTokens: 500,
          collectionIds: [collectionId, collectionId],
          websiteIds: [],
          retrieval: { topK: 4, mode: 'keyword', minScore: 0.5 },
        },
      });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        spaceId: space.id,
        name: 'HR helper',
        description: 'Answers HR questions',
        instructions: 'Be brief.',
        model: 'local-extractive-v1',
        temperature: 0.2,
        maxTokens: 500,
        collectionIds: [collectionId],
        websiteIds: [],
        retrieval: { topK: 4, mode: 'keyword', minScore: 0.5 },
        published: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(new Date(created.body.createdAt).toISOString()).toBe(created.body.createdAt);
      const id = created.body.id as string;

      const got = await call(h.app, 'GET', `/api/v1/assistants/${id}`, { token: owner });
      expect(got.status, got.text).toBe(200);
      expect(got.body).toEqual(created.body);
      expect(await listIds(owner)).toContain(id);

      // Partial: what is left out stays, retrieval merges field by field, null clears.
      const patched = await call(h.app, 'PATCH', `/api/v1/assistants/${id}`, {
        token: owner,
        json: { retrieval: { topK: 8 }, temperature: null, published: true },
      });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.body).toMatchObject({
        name: 'HR helper',
        instructions: 'Be brief.',
        temperature: null,
        maxTokens: 500,
        retrieval: { topK: 8, mode: 'keyword', minScore: 0.5 },
        published: true,
        createdAt: created.body.createdAt,
      });
      expect((await call(h.app, 'GET', `/api/v1/assistants/${id}`, { token: owner })).body).toEqual(patched.body);

      const deleted = await call(h.app, 'DELETE', `/api/v1/assistants/${id}`, { token: owner });
      expect(deleted.status, deleted.text).toBe(204);
      expect(deleted.text).toBe('');
      expectProblem(await call(h.app, 'GET', `/api/v1/assistants/${id}`, { token: owner }), 404, 'not_found');
      expectProblem(await call(h.app, 'DELETE', `/api/v1/assistants/${id}`, { token: owner }), 404, 'not_found');
      expect(await listIds(owner)).not.toContain(id);
    });

    it('fills in defaults for a minimal body', async () => {
      const a = await createAssistant(owner, { name: 'Minimal' });
      expect(a).toMatchObject({
        description: null,
        instructions: expect.stringMatching(/\S/),
        model: null,
        temperature: null,
        maxTokens: null,
        collectionIds: [],
        websiteIds: [],
        retrieval: { topK: 6, mode: 'hybrid', minScore: 0 },
        published: false,
      });
    });

    it('viewers see published assistants only; editors create and change; non-members see nothing', async () => {
      const draft = await createAssistant(editor.token, { name: 'Draft' });
      const live = await createAssistant(editor.token, { name: 'Live', published: true });

      const seen = await listIds(viewer.token);
      expect(seen).toContain(live.id);
      expect(seen).not.toContain(draft.id);
      expect((await call(h.app, 'GET', `/api/v1/assistants/${live.id}`, { token: viewer.token })).status).toBe(200);
      expectProblem(await call(h.app, 'GET', `/api/v1/assistants/${draft.id}`, { token: viewer.token }), 404, 'not_found');
      expectProblem(await call(h.app, 'PATCH', `/api/v1/assistants/${draft.id}`, { token: viewer.token, json: { name: 'x' } }), 404);
      expectProblem(
        await call(h.app, 'PATCH', `/api/v1/assistants/${live.id}`, { token: viewer.token, json: { name: 'Mine now' } }),
        403,
        'forbidden',
      );
      expectProblem(await call(h.app, 'DELETE', `/api/v1/assistants/${live.id}`, { token: viewer.token }), 403, 'forbidden');
      expectProblem(
        await call(h.app, 'POST', `/api/v1/spaces/${space.id}/assistants`, { token: viewer.token, json: { name: 'Nope' } }),
        403,
        'forbidden',
      );

      const renamed = await call(h.app, 'PATCH', `/api/v1/assistants/${draft.id}`, { token: editor.token, json: { name: 'Draft 2' } });
      expect(renamed.status, renamed.text).toBe(200);
      expect(renamed.body.name).toBe('Draft 2');

      for (const [method, path, json] of [
        ['GET', `/api/v1/assistants/${live.id}`],
        ['PATCH', `/api/v1/assistants/${live.id}`, { name: 'Outsider' }],
        ['DELETE', `/api/v1/assistants/${live.id}`],
        ['GET', `/api/v1/spaces/${space.id}/assistants`],
        ['POST', `/api/v1/spaces/${space.id}/assistants`, { name: 'Outsider' }],
        ['GET', `/api/v1/assistants/${live.id}/conversations`],
      ] as const) {
        expectProblem(await call(h.app, method, path, { token: outsider.token, json }), 404, 'not_found');
      }
      // Nothing changed.
      expect((await call(h.app, 'GET', `/api/v1/assistants/${live.id}`, { token: owner })).body).toEqual(live);
    });

    it('an assistant-scoped API key reads its own assistant only and changes nothing', async () => {
      const mine = await createAssistant(owner, { name: 'Keyed', published: true });
      const other = await createAssistant(owner, { name: 'Other', published: true });
      const created = await call(h.app, 'POST', '/api/v1/api-keys', { token: owner, json: { name: 'widget backend', assistantId: mine.id } });
      expect(created.status, created.text).toBe(201);
      const key = { headers: { 'X-API-Key': created.body.key as string } };
      const bearer = { token: created.body.key as string };

      const got = await call(h.app, 'GET', `/api/v1/assistants/${mine.id}`, key);
      expect(got.status, got.text).toBe(200);
      expect(got.body).toEqual(mine);
      expect((await call(h.app, 'GET', `/api/v1/assistants/${mine.id}`, bearer)).status).toBe(200);
      expectProblem(await call(h.app, 'GET', `/api/v1/assistants/${other.id}`, key), 404, 'not_found');
      expectProblem(await call(h.app, 'PATCH', `/api/v1/assistants/${mine.id}`, { ...key, json: { name: 'Hijacked' } }), 403, 'forbidden');
      expectProblem(await call(h.app, 'DELETE', `/api/v1/assistants/${mine.id}`, key), 403, 'forbidden');
      expectProblem(await call(h.app, 'PATCH', `/api/v1/assistants/${other.id}`, { ...key, json: { name: 'Hijacked' } }), 404, 'not_found');
      for (const path of ['/api/v1/spaces', `/api/v1/spaces/${space.id}/assistants`, '/api/v1/usage', '/api/v1/me']) {
        expectProblem(await call(h.app, 'GET', path, key), 403, 'forbidden');
      }
      expectProblem(await call(h.app, 'POST', `/api/v1/spaces/${space.id}/assistants`, { ...key, json: { name: 'x' } }), 403, 'forbidden');
      const conversations = await call(h.app, 'GET', `/api/v1/assistants/${mine.id}/conversations`, key);
      expect(conversations.status, conversations.text).toBe(200);
      expectProblem(await call(h.app, 'GET', `/api/v1/assistants/${mine.id}/conversations?scope=all`, key), 403, 'forbidden');
      expectProblem(await call(h.app, 'GET', `/api/v1/assistants/${other.id}/conversations`, key), 404, 'not_found');
      expect((await call(h.app, 'GET', '/api/v1/models', key)).status).toBe(200);

      expect((await call(h.app, 'GET', `/api/v1/assistants/${mine.id}`, { token: owner })).body).toEqual(mine);
      // Deleting the assistant revokes its keys.
      expect((await call(h.app, 'DELETE', `/api/v1/assistants/${mine.id}`, { token: owner })).status).toBe(204);
      expectProblem(await call(h.app, 'GET', '/api/v1/models', key), 401);
    });

    it('answers 422 naming the field for invalid settings, and a failed request changes nothing', async () => {
      const other = await createSpace(h.app, owner);
      const foreign = await call(h.app, 'POST', `/api/v1/spaces/${other.id}/collections`, { token: owner, json: { name: 'Elsewhere' } });
      expect(foreign.status, foreign.text).toBe(201);
      const existing = await createAssistant(owner, { name: 'Stable', collectionIds: [collectionId] });
      const before = await call(h.app, 'GET', `/api/v1/spaces/${space.id}/assistants?limit=100`, { token: owner });

      const cases: [Json, string][] = [
        [{ model: 'no-such-model' }, 'model'],
        [{ temperature: 5 }, 'temperature'],
        [{ temperature: -0.1 }, 'temperature'],
        [{ maxTokens: 0 }, 'maxTokens'],
        [{ maxTokens: 1.5 }, 'maxTokens'],
        [{ maxTokens: 32_769 }, 'maxTokens'],
        [{ retrieval: { topK: 0 } }, 'retrieval.topK'],
        [{ retrieval: { topK: 51 } }, 'retrieval.topK'],
        [{ retrieval: { mode: 'psychic' } }, 'retrieval.mode'],
        [{ retrieval: { minScore: 101 } }, 'retrieval.minScore'],
        [{ collectionIds: [foreign.body.id] }, 'collectionIds.0'],
        [{ collectionIds: [collectionId, randomUUID()] }, 'collectionIds.1'],
        [{ websiteIds: [randomUUID()] }, 'websiteIds.0'],
        [{ instructions: 'x'.repeat(20_001) }, 'instructions'],
        [{ description: 'x'.repeat(2001) }, 'description'],
        [{ name: '' }, 'name'],
        [{ name: '   ' }, 'name'],
        [{ name: 'x'.repeat(201) }, 'name'],
        [{ published: 'yes' }, 'published'],
        [{ name: 'nul\u0000' }, 'name'],
      ];
      for (const [fields, path] of cases) {
        const create = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/assistants`, { token: owner, json: { name: 'Bad', ...fields } });
        expectProblem(create, 422, 'validation_failed');
        expect(create.body.errors.map((e: { path: string }) => e.path), `POST ${JSON.stringify(fields).slice(0, 80)}`).toContain(path);
        const update = await call(h.app, 'PATCH', `/api/v1/assistants/${existing.id}`, { token: owner, json: fields });
        expectProblem(update, 422, 'validation_failed');
        expect(update.body.errors.map((e: { path: string }) => e.path), `PATCH ${JSON.stringify(fields).slice(0, 80)}`).toContain(path);
      }
      const missing = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/assistants`, { token: owner, json: {} });
      expectProblem(missing, 422, 'validation_failed');
      expect(missing.body.errors.map((e: { path: string }) => e.path)).toContain('name');

      const after = await call(h.app, 'GET', `/api/v1/spaces/${space.id}/assistants?limit=100`, { token: owner });
      expect(after.body.data).toEqual(before.body.data);
      expect((await call(h.app, 'GET', `/api/v1/assistants/${existing.id}`, { token: owner })).body).toEqual(existing);
    });

    it('answers 404 to unknown and garbage ids, and 422 to a garbage cursor', async () => {
      for (const id of [randomUUID(), 'abc', encodeURIComponent("1' OR '1'='1"), '%00']) {
        for (const [method, path, json] of [
          ['GET', `/api/v1/assistants/${id}`],
          ['PATCH', `/api/v1/assistants/${id}`, { name: 'x' }],
          ['DELETE', `/api/v1/assistants/${id}`],
          ['GET', `/api/v1/assistants/${id}/conversations`],
          ['GET', `/api/v1/conversations/${id}`],
          ['DELETE', `/api/v1/conversations/${id}`],
          ['POST', `/api/v1/messages/${id}/feedback`, { rating: 'up' }],
          ['GET', `/api/v1/spaces/${id}/assistants`],
          ['POST', `/api/v1/spaces/${id}/assistants`, { name: 'x' }],
        ] as const) {
          expectProblem(await call(h.app, method, path, { token: owner, json }), 404, 'not_found');
        }
      }
      const cursor = await call(h.app, 'GET', `/api/v1/spaces/${space.id}/assistants?cursor=garbage`, { token: owner });
      expectProblem(cursor, 422, 'validation_failed');
      expect(cursor.body.errors.map((e: { path: string }) => e.path)).toContain('cursor');
    });

    it('pages through the list with cursors', async () => {
      const fresh = await createSpace(h.app, owner);
      const ids = [];
      for (const name of ['One', 'Two', 'Three']) ids.push((await createAssistant(owner, { name }, fresh.id)).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
        const r = await call(h.app, 'GET', `/api/v1/spaces/${fresh.id}/assistants${query}`, { token: owner });
        expect(r.status, r.text).toBe(200);
        expect(r.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...r.body.data.map((a: { id: string }) => a.id));
        cursor = r.body.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual(ids.sort());
    });
  });

  describe('conversations and feedback', () => {
    let bot: Json;
    let alice: { conversationId: string; messageId: string };

    beforeAll(async () => {
      bot = await createAssistant(owner, { name: 'Private', published: true, collectionIds: [collectionId] });
      alice = await chatOnce(h, viewer.token, bot.id, 'How many days of annual leave do employees get?');
    });

    it('lists and reads your own conversations with their messages', async () => {
      const list = await call(h.app, 'GET', `/api/v1/assistants/${bot.id}/conversations`, { token: viewer.token });
      expect(list.status, list.text).toBe(200);
      expect(list.body).toEqual({
        data: [
          {
            id: alice.conversationId,
            assistantId: bot.id,
            spaceId: space.id,
            userId: viewer.id,
            apiKeyId: null,
            visitor: null,
            channel: 'app', // a signed-in user's session; an API key's conversations are `api`
            title: 'How many days of annual leave do employees get?',
            createdAt: expect.any(String),
            updatedAt: expect.any(String),
          },
        ],
        nextCursor: null,
      });

      const got = await call(h.app, 'GET', `/api/v1/conversations/${alice.conversationId}`, { token: viewer.token });
      expect(got.status, got.text).toBe(200);
      expect(got.body).toMatchObject({ ...list.body.data[0], messages: expect.any(Array) });
      const [question, answer] = got.body.messages as Json[];
      expect(got.body.messages).toHaveLength(2);
      expect(question).toMatchObject({ role: 'user', content: 'How many days of annual leave do employees get?', finishReason: null, usage: null });
      expect(answer).toMatchObject({
        id: alice.messageId,
        conversationId: alice.conversationId,
        role: 'assistant',
        content: expect.stringContaining('28 days'),
        finishReason: 'stop',
        errorCode: null,
        model: 'local-extractive-v1',
        usage: { promptTokens: expect.any(Number), completionTokens: expect.any(Number) },
        timings: { retrievalMs: expect.any(Number), totalMs: expect.any(Number) },
      });
      expect(answer!.references.length).toBeGreaterThan(0);
      expect(answer!.references[0]).toMatchObject({ index: 1, documentTitle: 'Employee handbook', text: expect.any(String) });
      expect(answer!.citations).toEqual(expect.arrayContaining([expect.any(Number)]));
    });

    it('keeps conversations private: other viewers see none; space admins and editors see all with scope=all', async () => {
      const mine = await call(h.app, 'GET', `/api/v1/assistants/${bot.id}/conversations?scope=mine`, { token: editor.token });
      expect(mine.status, mine.text).toBe(200);
      expect(mine.body).toEqual({ data: [], nextCursor: null });
      // Editors review (API.md: scope=all is for space admins and editors) but delete only their own.
      expectProblem(await call(h.app, 'DELETE', `/api/v1/conversations/${alice.conversationId}`, { token: editor.token }), 403, 'forbidden');
      expectProblem(await call(h.app, 'GET', `/api/v1/conversations/${alice.conversationId}`, { token: outsider.token }), 404, 'not_found');

      const notViewers = await call(h.app, 'GET', `/api/v1/assistants/${bot.id}/conversations?scope=all`, { token: viewer.token });
      expectProblem(notViewers, 403, 'forbidden');
      for (const token of [spaceAdmin.token, editor.token, owner]) {
        const all = await call(h.app, 'GET', `/api/v1/assistants/${bot.id}/conversations?scope=all`, { token });
        expect(all.status, all.text).toBe(200);
        expect(all.body.data.map((c: { id: string }) => c.id)).toContain(alice.conversationId);
        const got = await call(h.app, 'GET', `/api/v1/conversations/${alice.conversationId}`, { token });
        expect(got.status, got.text).toBe(200);
        // ...but the admin's own list (scope=mine) does not show other people's.
        const own = await call(h.app, 'GET', `/api/v1/assistants/${bot.id}/conversations`, { token });
        expect(own.body.data.map((c: { id: string }) => c.id)).not.toContain(alice.conversationId);
      }
      const badScope = await call(h.app, 'GET', `/api/v1/assistants/${bot.id}/conversations?scope=everyone`, { token: owner });
      expectProblem(badScope, 422, 'validation_failed');
      expect(badScope.body.errors.map((e: { path: string }) => e.path)).toContain('scope');
      // The viewer's conversation is intact.
      expect((await call(h.app, 'GET', `/api/v1/conversations/${alice.conversationId}`, { token: viewer.token })).body.messages).toHaveLength(2);
    });

    it('lists newest first and pages', async () => {
      const first = await chatOnce(h, editor.token, bot.id, 'What about travel expenses?');
      const second = await chatOnce(h, editor.token, bot.id, 'And annual leave?');
      const page1 = await call(h.app, 'GET', `/api/v1/assistants/${bot.id}/conversations?limit=1`, { token: editor.token });
      expect(page1.status, page1.text).toBe(200);
      expect(page1.body.data.map((c: { id: string }) => c.id)).toEqual([second.conversationId]);
      expect(page1.body.nextCursor).toEqual(expect.any(String));
      const page2 = await call(h.app, 'GET', `/api/v1/assistants/${bot.id}/conversations?limit=1&cursor=${page1.body.nextCursor}`, {
        token: editor.token,
      });
      expect(page2.body).toEqual({ data: [expect.objectContaining({ id: first.conversationId })], nextCursor: null });
    });

    it('the asker rates an answer up, then down with a comment (replacing the first rating)', async () => {
      const path = `/api/v1/messages/${alice.messageId}/feedback`;
      const up = await call(h.app, 'POST', path, { token: viewer.token, json: { rating: 'up' } });
      expect(up.status, up.text).toBe(200);
      expect(up.body).toEqual({ messageId: alice.messageId, rating: 'up', comment: null, createdAt: expect.any(String), updatedAt: expect.any(String) });
      const down = await call(h.app, 'POST', path, { token: viewer.token, json: { rating: 'down', comment: 'Missed the carry-over rule' } });
      expect(down.status, down.text).toBe(200);
      expect(down.body).toMatchObject({ messageId: alice.messageId, rating: 'down', comment: 'Missed the carry-over rule' });
      expect(down.body.createdAt).toBe(up.body.createdAt);
      expect(Date.parse(down.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(up.body.updatedAt));
      // The conversation shows the rating on its answer, and none on the question.
      const shown = (await call(h.app, 'GET', `/api/v1/conversations/${alice.conversationId}`, { token: viewer.token })).body;
      const answer = shown.messages.find((m: { id: string }) => m.id === alice.messageId);
      expect(answer.feedback).toEqual(down.body);
      expect(shown.messages.filter((m: { role: string }) => m.role === 'user').map((m: { feedback: unknown }) => m.feedback)).toEqual([null]);
      const cleared = await call(h.app, 'POST', path, { token: viewer.token, json: { rating: 'up', comment: null } });
      expect(cleared.body).toMatchObject({ rating: 'up', comment: null });
    });

    it('refuses bad ratings (422), questions (422) and other people’s messages (404 / 403)', async () => {
      const path = `/api/v1/messages/${alice.messageId}/feedback`;
      for (const [json, field] of [
        [{ rating: 'meh' }, 'rating'],
        [{}, 'rating'],
        [{ rating: 'up', comment: 'x'.repeat(2001) }, 'comment'],
        [{ rating: 'up', comment: 42 }, 'comment'],
      ] as const) {
        const r = await call(h.app, 'POST', path, { token: viewer.token, json });
        expectProblem(r, 422, 'validation_failed');
        expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(field);
      }
      const question = (await call(h.app, 'GET', `/api/v1/conversations/${alice.conversationId}`, { token: viewer.token })).body.messages[0];
      const onQuestion = await call(h.app, 'POST', `/api/v1/messages/${question.id}/feedback`, { token: viewer.token, json: { rating: 'up' } });
      expectProblem(onQuestion, 422, 'validation_failed');

      expectProblem(await call(h.app, 'POST', path, { token: outsider.token, json: { rating: 'down' } }), 404, 'not_found');
      // Space admins and editors may read the conversation, but only the asker rates.
      expectProblem(await call(h.app, 'POST', path, { token: spaceAdmin.token, json: { rating: 'down' } }), 403, 'forbidden');
      expectProblem(await call(h.app, 'POST', path, { token: editor.token, json: { rating: 'down' } }), 403, 'forbidden');
      expectProblem(await call(h.app, 'POST', `/api/v1/messages/${randomUUID()}/feedback`, { token: viewer.token, json: { rating: 'up' } }), 404);
    });

    it('the owner deletes a conversation; it is gone for everyone', async () => {
      const gone = await chatOnce(h, viewer.token, bot.id, 'Delete me afterwards');
      const deleted = await call(h.app, 'DELETE', `/api/v1/conversations/${gone.conversationId}`, { token: viewer.token });
      expect(deleted.status, deleted.text).toBe(204);
      for (const token of [viewer.token, owner])
        expectProblem(await call(h.app, 'GET', `/api/v1/conversations/${gone.conversationId}`, { token }), 404, 'not_found');
      expectProblem(await call(h.app, 'DELETE', `/api/v1/conversations/${gone.conversationId}`, { token: viewer.token }), 404);
      expectProblem(
        await call(h.app, 'POST', `/api/v1/messages/${gone.messageId}/feedback`, { token: viewer.token, json: { rating: 'up' } }),
        404,
        'not_found',
      );
      const listed = await call(h.app, 'GET', `/api/v1/assistants/${bot.id}/conversations?limit=100`, { token: viewer.token });
      expect(listed.body.data.map((c: { id: string }) => c.id)).not.toContain(gone.conversationId);
    });
  });

  describe('usage', () => {
    it("sums the tenant's token usage per assistant over a period; members may not read it", async () => {
      const t = await createTenant(h);
      const usageSpace = await createSpace(h.app, t.token);
      const a = await createAssistant(t.token, { name: 'A' }, usageSpace.id);
      const b = await createAssistant(t.token, { name: 'B' }, usageSpace.id);
      const answers: { assistantId: string; messageId: string; conversationId: string }[] = [];
      for (const [assistant, message] of [[a, 'one question'], [a, 'two questions'], [b, 'three questions']] as const)
        answers.push({ assistantId: assistant.id, ...(await chatOnce(h, t.token, assistant.id, message)) });

      // What each answer used, as stored with it.
      const usageOf: Record<string, { promptTokens: number; completionTokens: number; messages: number }> = {};
      const total = { promptTokens: 0, completionTokens: 0, messages: 0 };
      for (const answer of answers) {
        const conversation = await call(h.app, 'GET', `/api/v1/conversations/${answer.conversationId}`, { token: t.token });
        const usage = (conversation.body.messages as Json[]).find((m) => m.id === answer.messageId)!.usage;
        expect(usage.completionTokens).toBeGreaterThan(0);
        const sum = (usageOf[answer.assistantId] ??= { promptTokens: 0, completionTokens: 0, messages: 0 });
        for (const s of [sum, total]) {
          s.promptTokens += usage.promptTokens;
          s.completionTokens += usage.completionTokens;
          s.messages += 1;
        }
      }

      const report = await call(h.app, 'GET', '/api/v1/usage', { token: t.token });
      expect(report.status, report.text).toBe(200);
      expect(report.body.total).toEqual(total);
      expect(report.body.assistants).toHaveLength(2);
      expect(report.body.assistants).toEqual(
        expect.arrayContaining([
          { assistantId: a.id, name: 'A', ...usageOf[a.id] },
          { assistantId: b.id, name: 'B', ...usageOf[b.id] },
        ]),
      );
      // The default period: the last 30 days, ending now.
      expect(Date.parse(report.body.to) - Date.parse(report.body.from)).toBe(30 * 24 * 60 * 60 * 1000);
      expect(Math.abs(Date.parse(report.body.to) - Date.now())).toBeLessThan(60_000);

      const past = await call(h.app, 'GET', '/api/v1/usage?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00%2B01:00', { token: t.token });
      expect(past.status, past.text).toBe(200);
      expect(past.body).toEqual({
        from: '2020-01-01T00:00:00.000Z',
        to: '2020-01-31T23:00:00.000Z',
        total: { promptTokens: 0, completionTokens: 0, messages: 0 },
        assistants: [],
      });
      // Deleted assistants still count, without a name.
      expect((await call(h.app, 'DELETE', `/api/v1/assistants/${b.id}`, { token: t.token })).status).toBe(204);
      const afterDelete = await call(h.app, 'GET', '/api/v1/usage', { token: t.token });
      expect(afterDelete.body.total).toEqual(total);
      expect(afterDelete.body.assistants).toContainEqual({ assistantId: b.id, name: null, ...usageOf[b.id] });

      // Tenant admins may; members may not; nor may another tenant see these numbers.
      const admin = await createUser(h, t, 'admin');
      expect((await call(h.app, 'GET', '/api/v1/usage', { token: admin.token })).body.total).toEqual(total);
      const member = await createUser(h, t, 'member');
      expectProblem(await call(h.app, 'GET', '/api/v1/usage', { token: member.token }), 403, 'forbidden');
      expect((await call(h.app, 'GET', '/api/v1/usage', { token: owner })).body.assistants.map((x: Json) => x.assistantId)).not.toContain(a.id);
    });

    it('answers 422 to malformed or impossible periods', async () => {
      for (const [query, field] of [
        ['from=yesterday', 'from'],
        ['to=2020-13-01T00:00:00Z', 'to'],
        ['from=2021-02-30T00:00:00Z', 'from'],
        ['from=1700000000', 'from'],
        ['from=2021-01-01T00:00:00Z&to=2020-01-01T00:00:00Z', 'from'],
        ['from=2000-01-01T00:00:00Z&to=2020-01-01T00:00:00Z', 'from'],
        ['from=0000-01-01T00:00:00Z&to=0000-01-02T00:00:00Z', 'from'],
        ['from=0001-01-01T00:30:00%2B01:00', 'from'],
        ['from=9999-12-31T00:00:00Z&to=9999-12-31T23:00:00-05:00', 'to'],
      ] as const) {
        const r = await call(h.app, 'GET', `/api/v1/usage?${query}`, { token: owner });
        expect(r.status, `${query}: ${r.text}`).toBe(422);
        expectProblem(r, 422, 'validation_failed');
        expect(r.body.errors.map((e: { path: string }) => e.path), query).toContain(field);
      }
      // The edges of what the database stores are fine.
      for (const query of ['from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z', 'from=9999-12-30T00:00:00Z&to=9999-12-31T23:59:59.999Z']) {
        const r = await call(h.app, 'GET', `/api/v1/usage?${query}`, { token: owner });
        expect(r.status, `${query}: ${r.text}`).toBe(200);
        expect(r.body.total).toEqual({ promptTokens: 0, completionTokens: 0, messages: 0 });
      }
    });
  });

  describe('models', () => {
    it('lists the configured models to any authenticated caller', async () => {
      for (const token of [owner, viewer.token, outsider.token]) {
        const r = await call(h.app, 'GET', '/api/v1/models', { token });
        expect(r.status, r.text).toBe(200);
        expect(r.body.completion).toContainEqual({
          id: 'local-extractive-v1',
          provider: expect.any(String),
          contextWindow: expect.any(Number),
          default: true,
        });
        expect(r.body.completion.filter((m: Json) => m.default)).toHaveLength(1);
        expect(r.body.embedding).toContainEqual({ id: 'local-hash-v1', dimensions: 384, default: true });
      }
      expectProblem(await call(h.app, 'GET', '/api/v1/models'), 401);
    });
  });
});
