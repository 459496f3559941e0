/**
 * Reviewing an assistant's conversations (API.md §Assistants and chat): each carries its
 * channel (`app` for a signed-in user, `api` for an API key) and its author; `scope=all`
 * lists everyone's, filtered by channel, feedback and period; the export streams the same
 * selection as CSV (one row per message) or JSON Lines (one conversation per line).
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import { addMember, call, createApiKey, createSpace, createUser, expectProblem, openHarness, type Harness, type LoggedInUser } from '../helpers.js';
import { chatOnce, settleJob } from '../resources.js';

type Json = Record<string, any>;

describe.each(await testDatabaseTargets())('reviewing conversations over HTTP on $name', (target) => {
  let h: Harness;
  let owner: string;
  let viewer: LoggedInUser;
  let assistantId: string;
  let key: { id: string; key: string };
  const started: Record<string, { conversationId: string; messageId: string }> = {};

  beforeAll(async () => {
    h = await openHarness(target);
    owner = h.tenant.token;
    const space = await createSpace(h.app, owner);
    viewer = await createUser(h, h.tenant, 'member');
    await addMember(h.app, owner, space.id, viewer.id, 'viewer');
    const collection = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/collections`, { token: owner, json: { name: 'Handbook' } });
    const document = await call(h.app, 'POST', `/api/v1/collections/${collection.body.id}/documents`, {
      token: owner,
      json: { title: 'Handbook', text: 'Employees receive 28 days of paid annual leave per calendar year. Expenses are paid within 14 days.' },
    });
    if (document.body.job) expect(await settleJob(h, owner, document.body.job.id)).toBe('completed');
    const assistant = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/assistants`, {
      token: owner,
      json: { name: 'Reviewed', published: true, collectionIds: [collection.body.id] },
    });
    assistantId = assistant.body.id;
    key = await createApiKey(h.app, owner);
    started.leave = await chatOnce(h, owner, assistantId, 'How many days of annual leave?');
    started.formula = await chatOnce(h, owner, assistantId, '=1+1, and when are expenses paid?');
    started.byKey = await chatOnce(h, key.key, assistantId, 'Leave days per year, please');
    const rated = await call(h.app, 'POST', `/api/v1/messages/${started.leave.messageId}/feedback`, { token: owner, json: { rating: 'down', comment: 'Too short' } });
    expect(rated.status, rated.text).toBe(200);
  });
  afterAll(async () => h?.close());

  const list = async (query: string, token = owner): Promise<Json[]> => {
    const r = await call(h.app, 'GET', `/api/v1/assistants/${assistantId}/conversations?${query}`, { token });
    expect(r.status, r.text).toBe(200);
    return r.body.data;
  };
  const ids = (conversations: Json[]) => conversations.map((c) => c.id).sort();

  it('records the channel and the author: app for a signed-in user, api with the key for an API key', async () => {
    const all = await list('scope=all');
    expect(all).toHaveLength(3);
    expect(all.find((c) => c.id === started.leave!.conversationId)).toMatchObject({ channel: 'app', userId: h.tenant.owner.id, apiKeyId: null, visitor: null });
    expect(all.find((c) => c.id === started.byKey!.conversationId)).toMatchObject({ channel: 'api', userId: h.tenant.owner.id, apiKeyId: key.id });
  });

  it('filters by channel, feedback and period', async () => {
    expect(ids(await list('scope=all&channel=app'))).toEqual(ids([{ id: started.leave!.conversationId }, { id: started.formula!.conversationId }]));
    expect(ids(await list('scope=all&channel=api'))).toEqual([started.byKey!.conversationId]);
    expect(await list('scope=all&channel=widget')).toEqual([]);
    expect(ids(await list('scope=all&feedback=down'))).toEqual([started.leave!.conversationId]);
    expect(ids(await list('scope=all&feedback=any'))).toEqual([started.leave!.conversationId]);
    expect(await list('scope=all&feedback=up')).toEqual([]);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    expect(await list(`scope=all&from=${inAnHour}`)).toHaveLength(0);
    expect(await list(`scope=all&from=${hourAgo}&to=${inAnHour}`)).toHaveLength(3);
    expect(await list(`scope=all&to=${hourAgo}`)).toHaveLength(0);
    // A date alone is its midnight UTC (ISO 8601 either way).
    const day = (await list('scope=all'))[0]!.createdAt.slice(0, 10);
    expect(await list(`scope=all&from=${day}`)).toHaveLength(3);
    expect(await list(`scope=all&to=${day}`)).toHaveLength(0);
    // Filters apply to your own conversations too, and paging keeps them.
    expect(ids(await list('channel=app&limit=1')).length).toBe(1);
    expectProblem(await call(h.app, 'GET', `/api/v1/assistants/${assistantId}/conversations?channel=fax`, { token: owner }), 422);
    expectProblem(await call(h.app, 'GET', `/api/v1/assistants/${assistantId}/conversations?from=yesterday`, { token: owner }), 422);
    expectProblem(await call(h.app, 'GET', `/api/v1/assistants/${assistantId}/conversations?from=2026-12-01&to=2026-11-01`, { token: owner }), 422);
  });

  it('exports the selection as JSON Lines: one conversation with its messages per line, as GET /conversations/{id} has it', async () => {
    const r = await call(h.app, 'GET', `/api/v1/assistants/${assistantId}/conversations/export?format=jsonl&scope=all`, { token: owner });
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="conversations-${assistantId}.jsonl"`);
    const lines = r.text.trimEnd().split('\n').map((line) => JSON.parse(line) as Json);
    expect(lines.map((c) => c.id).sort()).toEqual(ids(await list('scope=all')));
    const leave = lines.find((c) => c.id === started.leave!.conversationId)!;
    const single = await call(h.app, 'GET', `/api/v1/conversations/${leave.id}`, { token: owner });
    expect(leave).toEqual(single.body);
    expect(leave.messages[1]).toMatchObject({ role: 'assistant', feedback: { rating: 'down', comment: 'Too short' } });
  });

  it('exports CSV with one row per message, formulas made inert, filters applied', async () => {
    const r = await call(h.app, 'GET', `/api/v1/assistants/${assistantId}/conversations/export?format=csv&scope=all&channel=app`, { token: owner });
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parse(r.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(4); // two conversations, a question and an answer each
    expect(new Set(rows.map((row) => row.channel))).toEqual(new Set(['app']));
    const question = rows.find((row) => row.conversation_id === started.formula!.conversationId && row.role === 'user')!;
    expect(question.content).toBe("'=1+1, and when are expenses paid?");
    const rated = rows.find((row) => row.message_id === started.leave!.messageId)!;
    expect(rated).toMatchObject({ role: 'assistant', feedback_rating: 'down', feedback_comment: 'Too short', user_id: h.tenant.owner.id, api_key_id: '' });
    expect(Number(rated.completion_tokens)).toBeGreaterThan(0);
  });

  it('keeps scope rules: a viewer exports only their own, and may not ask for everyone’s', async () => {
    expectProblem(await call(h.app, 'GET', `/api/v1/assistants/${assistantId}/conversations/export?format=csv&scope=all`, { token: viewer.token }), 403);
    const own = await call(h.app, 'GET', `/api/v1/assistants/${assistantId}/conversations/export?format=csv`, { token: viewer.token });
    expect(own.status, own.text).toBe(200);
    expect(parse(own.text, { columns: true })).toEqual([]);
    expectProblem(await call(h.app, 'GET', `/api/v1/assistants/${assistantId}/conversations/export?scope=all`, { token: owner }), 422);
    expectProblem(await call(h.app, 'GET', `/api/v1/assistants/${assistantId}/conversations/export?format=xml`, { token: owner }), 422);
  });

  it('reports usage by channel and per UTC day (groupBy=day), days without answers as zeros', async () => {
    const usage = async (query: string) => {
      const r = await call(h.app, 'GET', `/api/v1/usage?${query}`, { token: owner });
      expect(r.status, r.text).toBe(200);
      return r.body as Json;
    };
    expect((await usage('')).total.messages).toBe(3);
    expect(await usage('channel=app')).toMatchObject({ channel: 'app', total: { messages: 2 } });
    expect((await usage('channel=api')).total.messages).toBe(1);
    expect((await usage('channel=widget')).total).toEqual({ promptTokens: 0, completionTokens: 0, messages: 0 });

    // The day the conversations happened (UTC), two days before it from noon, and up to its end.
    const day = Date.parse(`${(await list('scope=all'))[0]!.createdAt.slice(0, 10)}T00:00:00Z`);
    const iso = (time: number) => new Date(time).toISOString();
    const daily = await usage(`groupBy=day&from=${iso(day - 2 * 86_400_000 + 43_200_000)}&to=${iso(day + 86_400_000)}`);
    expect(daily.series.map((d: Json) => d.date)).toEqual([iso(day - 2 * 86_400_000), iso(day - 86_400_000), iso(day)].map((t) => t.slice(0, 10)));
    expect(daily.series[2]).toMatchObject({ messages: 3 });
    expect(daily.series.reduce((sum: number, d: Json) => sum + d.messages, 0)).toBe(3);
    expect(daily.series[0]).toMatchObject({ messages: 0, promptTokens: 0, completionTokens: 0 });
    expect((await usage('')).series).toBeUndefined();

    expectProblem(await call(h.app, 'GET', '/api/v1/usage?groupBy=week', { token: owner }), 422);
    expectProblem(await call(h.app, 'GET', '/api/v1/usage?channel=fax', { token: owner }), 422);
  });
});
