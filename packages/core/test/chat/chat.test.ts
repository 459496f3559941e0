import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { combineChatModels } from '../../src/chat/model-registry.js';
import type { ChatEvent } from '../../src/chat/events.js';
import { AtriumError } from '../../src/domain/errors.js';
import type { Actor } from '../../src/domain/identity.js';
import { localChatModels } from '../../src/adapters/local/index.js';
import { mockChatModel, mockChatModels, testDatabaseTargets, type MockChatModel } from '../../src/test/index.js';
import type { AtriumCore } from '../../src/core.js';
import { expectAtriumError, newTenant, newUser, openHarness, type Harness } from '../helpers.js';

const HANDBOOK = `# Leave policy

Employees receive 28 days of paid annual leave per calendar year. Unused leave can be carried over until the end of March.

# Expenses

Travel expenses are reimbursed within 14 days after the receipt is submitted in the expenses portal. Meals are covered up to 40 euros per day.

# Equipment

Every employee gets a laptop on their first day. Broken equipment is replaced by the IT desk within two working days.`;

const waitUntilReady = async (core: AtriumCore, actor: Actor, documentId: string) => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const document = await core.documents.get(actor, documentId);
    if (document.status === 'ready') return document;
    if (document.status === 'failed') throw new Error(`ingestion failed: ${document.error}`);
    if (Date.now() > deadline) throw new Error('not ingested in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const collect = async (events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> => {
  const all: ChatEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
};

describe.each(await testDatabaseTargets())('assistants and chat ($name)', (target) => {
  let h: Harness;
  let model: MockChatModel;
  let owner: Actor;
  let spaceId: string;
  let collectionId: string;

  beforeAll(async () => {
    model = mockChatModel({ modelId: 'mock-model', respond: () => 'Employees get 28 days of leave [1]. See also [9].' });
    h = await openHarness(target, {
      chatModels: combineChatModels('mock-model', mockChatModels(model), localChatModels()),
    });
    const t = await newTenant(h.core);
    owner = t.actor;
    spaceId = (await h.core.spaces.create(owner, { name: 'HR' })).id;
    collectionId = (await h.core.collections.create(owner, spaceId, { name: 'Handbook' })).id;
    const { document } = await h.core.documents.create(owner, collectionId, { kind: 'text', title: 'Employee handbook', text: HANDBOOK });
    await waitUntilReady(h.core, owner, document.id);
  }, 120_000);
  afterAll(async () => h?.close());

  it('loads an assistant’s collections in link order, within its tenant only', async () => {
    const second = await h.core.collections.create(owner, spaceId, { name: 'Second' });
    const bot = await h.core.assistants.create(owner, spaceId, { name: 'Linked', collectionIds: [second.id, collectionId] });
    const repos = h.core.context.store.forTenant(owner.tenantId);
    expect((await repos.collections.linkedTo(bot.id)).map((c) => c.id)).toEqual([second.id, collectionId]);
    await h.core.assistants.update(owner, bot.id, { collectionIds: [collectionId] });
    expect((await repos.collections.linkedTo(bot.id)).map((c) => c.id)).toEqual([collectionId]);
    const other = await newTenant(h.core);
    expect(await h.core.context.store.forTenant(other.tenantId).collections.linkedTo(bot.id)).toEqual([]);
    expect(await repos.collections.linkedTo('not-an-id')).toEqual([]);
    await h.core.assistants.delete(owner, bot.id);
    await h.core.collections.delete(owner, second.id);
  });

  it('creates, reads, updates and deletes assistants with validated settings', async () => {
    const created = await h.core.assistants.create(owner, spaceId, { name: '  Helper ', collectionIds: [collectionId, collectionId] });
    expect(created).toMatchObject({
      name: 'Helper',
      collectionIds: [collectionId],
      websiteIds: [],
      published: false,
      model: null,
      retrieval: { topK: 6, mode: 'hybrid', minScore: 0 },
    });
    const updated = await h.core.assistants.update(owner, created.id, { retrieval: { topK: 3 }, temperature: 0.2, published: true });
    expect(updated).toMatchObject({ retrieval: { topK: 3, mode: 'hybrid' }, temperature: 0.2, published: true });
    expect(await h.core.assistants.get(owner, created.id)).toEqual(updated);

    for (const [input, path] of [
      [{ name: 'x', model: 'no-such-model' }, 'model'],
      [{ name: 'x', temperature: 3 }, 'temperature'],
      [{ name: 'x', retrieval: { topK: 0 } }, 'retrieval.topK'],
      [{ name: 'x', collectionIds: ['0190a0a0-0000-7000-8000-00000000abcd'] }, 'collectionIds.0'],
      [{ name: 'x', websiteIds: ['0190a0a0-0000-7000-8000-00000000abcd'] }, 'websiteIds.0'],
      [{ name: ' ' }, 'name'],
    ] as [Parameters<AtriumCore['assistants']['create']>[2], string][]) {
      const error = await expectAtriumError(h.core.assistants.create(owner, spaceId, input), 'invalid');
      expect(error.details.errors?.map((e) => e.path)).toContain(path);
    }
    await h.core.assistants.delete(owner, created.id);
    await expectAtriumError(h.core.assistants.get(owner, created.id), 'not_found');
  });

  it('viewers use published assistants only; editors write; strangers see nothing', async () => {
    const viewer = await newUser(h.core, owner);
    const editor = await newUser(h.core, owner);
    const stranger = await newUser(h.core, owner);
    await h.core.spaces.members.add(owner, spaceId, { userId: viewer.user.id, role: 'viewer' });
    await h.core.spaces.members.add(owner, spaceId, { userId: editor.user.id, role: 'editor' });
    const draft = await h.core.assistants.create(editor.actor, spaceId, { name: 'Draft' });
    const live = await h.core.assistants.create(editor.actor, spaceId, { name: 'Live', published: true });

    const visible = (await h.core.assistants.list(viewer.actor, spaceId, { limit: 100 })).data.map((a) => a.id);
    expect(visible).toContain(live.id);
    expect(visible).not.toContain(draft.id);
    await expectAtriumError(h.core.assistants.get(viewer.actor, draft.id), 'not_found');
    await expectAtriumError(h.core.assistants.update(viewer.actor, live.id, { name: 'mine' }), 'forbidden');
    await expectAtriumError(h.core.assistants.create(viewer.actor, spaceId, { name: 'nope' }), 'forbidden');
    await expectAtriumError(h.core.assistants.get(stranger.actor, live.id), 'not_found');
    await expectAtriumError(h.core.assistants.chat(viewer.actor, draft.id, { message: 'hi' }), 'not_found');

    const viewerModels = (await h.core.models.assistants(viewer.actor)).map((a) => a.id);
    expect(viewerModels).toContain(live.id);
    expect(viewerModels).not.toContain(draft.id);
    expect((await h.core.models.assistants(editor.actor)).map((a) => a.id)).toEqual(expect.arrayContaining([live.id, draft.id]));
  });

  it('streams start, references, deltas and done; stores the answer with citations, usage and timings', async () => {
    const bot = await h.core.assistants.create(owner, spaceId, { name: 'Cited', instructions: 'Be brief.', collectionIds: [collectionId] });
    model.calls.length = 0;
    const stream = await h.core.assistants.chat(owner, bot.id, { message: 'How many days of annual leave do employees get?' });
    const events = await collect(stream.events);
    expect(events.map((e) => e.type)).toEqual(['start', 'references', ...events.slice(2, -1).map(() => 'delta'), 'done']);
    expect(events[0]).toEqual({ type: 'start', conversationId: stream.conversationId, messageId: stream.messageId });
    const references = (events[1] as Extract<ChatEvent, { type: 'references' }>).references;
    expect(references.length).toBeGreaterThan(0);
    expect(references.map((r) => r.index)).toEqual(references.map((_, i) => i + 1));
    expect(references[0]).toMatchObject({ documentTitle: 'Employee handbook' });
    const text = events.filter((e) => e.type === 'delta').map((e) => (e as { text: string }).text).join('');
    expect(text).toBe('Employees get 28 days of leave [1]. See also [9].');
    const done = events.at(-1) as Extract<ChatEvent, { type: 'done' }>;
    expect(done).toMatchObject({ messageId: stream.messageId, finishReason: 'stop', model: 'mock-model' });
    expect(done.usage.completionTokens).toBeGreaterThan(0);
    expect(done.timings.firstTokenMs).not.toBeNull();
    expect(done.timings.totalMs).toBeGreaterThanOrEqual(done.timings.firstTokenMs!);

    // The prompt: instructions and numbered sources in the system message, then the question.
    const call = model.calls.at(-1)!;
    expect(call.messages[0]!.role).toBe('system');
    expect(call.messages[0]!.content).toContain('Be brief.');
    expect(call.messages[0]!.content).toContain('[1] Employee handbook');
    expect(call.messages.at(-1)).toEqual({ role: 'user', content: 'How many days of annual leave do employees get?' });

    const conversation = await h.core.conversations.get(owner, stream.conversationId);
    expect(conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    const answer = conversation.messages[1]!;
    expect(answer).toMatchObject({ id: stream.messageId, content: text, citations: [1], finishReason: 'stop', model: 'mock-model' });
    expect(answer.references).toEqual(references);
    expect(answer.usage).toEqual(done.usage);
  });

  it('sends earlier turns as history when a conversation continues', async () => {
    const bot = await h.core.assistants.create(owner, spaceId, { name: 'Memory', collectionIds: [collectionId] });
    const first = await h.core.assistants.chat(owner, bot.id, { message: 'What about travel expenses?' });
    await collect(first.events);
    model.calls.length = 0;
    const second = await h.core.assistants.chat(owner, bot.id, { message: 'And meals?', conversationId: first.conversationId });
    await collect(second.events);
    const messages = model.calls[0]!.messages;
    expect(messages.slice(1).map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[1]!.content).toBe('What about travel expenses?');
    expect(messages.at(-1)!.content).toBe('And meals?');
    expect(second.conversationId).toBe(first.conversationId);
    expect((await h.core.conversations.get(owner, first.conversationId)).messages).toHaveLength(4);
  });

  it('answers from the documents with the local extractive answerer when no model is configured', async () => {
    const bot = await h.core.assistants.create(owner, spaceId, { name: 'Local', model: 'local-extractive-v1', collectionIds: [collectionId] });
    const stream = await h.core.assistants.chat(owner, bot.id, { message: 'How soon are travel expenses reimbursed?' });
    const events = await collect(stream.events);
    const text = events.filter((e) => e.type === 'delta').map((e) => (e as { text: string }).text).join('');
    expect(text).toContain('reimbursed within 14 days');
    expect(text).toMatch(/\[\d\]/);
    expect(text).toContain('No language model is configured');
    const done = events.at(-1) as Extract<ChatEvent, { type: 'done' }>;
    expect(done.model).toBe('local-extractive-v1');
  });

  it('a model failure ends the stream with an error event and stores what was said', async () => {
    const failing = mockChatModel({
      modelId: 'failing',
      parts: [{ type: 'text-delta', text: 'Partial ' }],
      failWith: new AtriumError('rate_limited', 'rate_limited', 'The model provider is rate limiting requests'),
      failAfterParts: 1,
    });
    const core = (await import('../../src/core.js')).createCore({ ...h.core.context, chatModels: combineChatModels('failing', mockChatModels(failing)) });
    const bot = await core.assistants.create(owner, spaceId, { name: 'Failing' });
    const stream = await core.assistants.chat(owner, bot.id, { message: 'hello there' });
    const events = await collect(stream.events);
    expect(events.map((e) => e.type)).toEqual(['start', 'references', 'delta', 'error']);
    expect(events.at(-1)).toEqual({ type: 'error', code: 'rate_limited', message: 'The model provider is rate limiting requests' });
    const stored = (await core.conversations.get(owner, stream.conversationId)).messages[1]!;
    expect(stored).toMatchObject({ content: 'Partial ', finishReason: 'error', errorCode: 'rate_limited' });
  });

  it('aborting the signal cancels the model call and stores the partial answer', async () => {
    const slow = mockChatModel({ modelId: 'slow', respond: () => 'one two three four five six seven eight', delayMs: 30 });
    const core = (await import('../../src/core.js')).createCore({ ...h.core.context, chatModels: mockChatModels(slow) });
    const bot = await core.assistants.create(owner, spaceId, { name: 'Slow' });
    const controller = new AbortController();
    const stream = await core.assistants.chat(owner, bot.id, { message: 'count please', signal: controller.signal });
    const seen: ChatEvent[] = [];
    for await (const event of stream.events) {
      seen.push(event);
      if (event.type === 'delta' && seen.filter((e) => e.type === 'delta').length === 2) controller.abort();
    }
    expect(slow.calls[0]!.signal?.aborted).toBe(true);
    const last = seen.at(-1) as Extract<ChatEvent, { type: 'done' }>;
    expect(last).toMatchObject({ type: 'done', finishReason: 'aborted' });
    const stored = (await core.conversations.get(owner, stream.conversationId)).messages[1]!;
    expect(stored.finishReason).toBe('aborted');
    expect(stored.content).toBe('one two ');
  });

  it('leaving the stream early stores the partial answer too', async () => {
    const slow = mockChatModel({ modelId: 'slow2', respond: () => 'alpha beta gamma delta', delayMs: 10 });
    const core = (await import('../../src/core.js')).createCore({ ...h.core.context, chatModels: mockChatModels(slow) });
    const bot = await core.assistants.create(owner, spaceId, { name: 'Left' });
    const stream = await core.assistants.chat(owner, bot.id, { message: 'go' });
    for await (const event of stream.events) if (event.type === 'delta') break;
    const stored = (await core.conversations.get(owner, stream.conversationId)).messages[1]!;
    expect(stored).toMatchObject({ content: 'alpha ', finishReason: 'aborted' });
    expect(slow.open).toBe(0); // the model's stream was closed, not left running

    // The model is asked before the references go out; leaving right after them closes it too.
    const early = await core.assistants.chat(owner, bot.id, { message: 'go again' });
    for await (const event of early.events) if (event.type === 'references') break;
    expect(slow.calls).toHaveLength(2);
    expect(slow.open).toBe(0);
    expect((await core.conversations.get(owner, early.conversationId)).messages[1]).toMatchObject({ content: '', finishReason: 'aborted' });
  });

  it('keeps conversations private to their owner, except for space admins and editors (who review but do not delete); owners rate answers', async () => {
    const bot = await h.core.assistants.create(owner, spaceId, { name: 'Private', published: true });
    const alice = await newUser(h.core, owner);
    const bob = await newUser(h.core, owner);
    const carol = await newUser(h.core, owner);
    await h.core.spaces.members.add(owner, spaceId, { userId: alice.user.id, role: 'viewer' });
    await h.core.spaces.members.add(owner, spaceId, { userId: bob.user.id, role: 'viewer' });
    await h.core.spaces.members.add(owner, spaceId, { userId: carol.user.id, role: 'editor' });
    const mine = await h.core.assistants.chat(alice.actor, bot.id, { message: 'my question' });
    await collect(mine.events);

    expect((await h.core.conversations.list(alice.actor, bot.id, { limit: 10 })).data.map((c) => c.id)).toEqual([mine.conversationId]);
    expect((await h.core.conversations.list(bob.actor, bot.id, { limit: 10 })).data).toEqual([]);
    await expectAtriumError(h.core.conversations.list(bob.actor, bot.id, { limit: 10 }, 'all'), 'forbidden');
    await expectAtriumError(h.core.conversations.get(bob.actor, mine.conversationId), 'not_found');
    await expectAtriumError(h.core.assistants.chat(bob.actor, bot.id, { message: 'hijack', conversationId: mine.conversationId }), 'not_found');
    await expectAtriumError(h.core.messages.rate(bob.actor, mine.messageId, { rating: 'down' }), 'not_found');
    expect((await h.core.conversations.list(carol.actor, bot.id, { limit: 10 }, 'all')).data.map((c) => c.id)).toContain(mine.conversationId);
    expect((await h.core.conversations.get(carol.actor, mine.conversationId)).id).toBe(mine.conversationId);
    await expectAtriumError(h.core.conversations.delete(carol.actor, mine.conversationId), 'forbidden');
    await expectAtriumError(h.core.messages.rate(carol.actor, mine.messageId, { rating: 'down' }), 'forbidden');
    expect((await h.core.conversations.get(owner, mine.conversationId)).id).toBe(mine.conversationId);
    expect((await h.core.conversations.list(owner, bot.id, { limit: 10 }, 'all')).data.map((c) => c.id)).toContain(mine.conversationId);

    expect(await h.core.messages.rate(alice.actor, mine.messageId, { rating: 'up' })).toMatchObject({ rating: 'up', comment: null });
    expect(await h.core.messages.rate(alice.actor, mine.messageId, { rating: 'down', comment: 'wrong' })).toMatchObject({ rating: 'down', comment: 'wrong' });
    const [question, answer] = (await h.core.conversations.get(alice.actor, mine.conversationId)).messages;
    expect(answer).toMatchObject({ id: mine.messageId, feedback: { rating: 'down', comment: 'wrong' } });
    expect(question!.feedback).toBeNull();
    await expectAtriumError(h.core.messages.rate(alice.actor, question!.id, { rating: 'up' }), 'invalid');

    await h.core.conversations.delete(alice.actor, mine.conversationId);
    await expectAtriumError(h.core.conversations.get(alice.actor, mine.conversationId), 'not_found');
  });

  it('the OpenAI-compatible flavour adds client system messages and uses earlier turns as history', async () => {
    const bot = await h.core.assistants.create(owner, spaceId, { name: 'Compat', instructions: 'Assistant rules.' });
    model.calls.length = 0;
    const stream = await h.core.assistants.complete(owner, bot.id, {
      messages: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'How long is leave?' },
      ],
    });
    await collect(stream.events);
    const sent = model.calls[0]!.messages;
    expect(sent[0]!.content.indexOf('Assistant rules.')).toBeLessThan(sent[0]!.content.indexOf('Answer in French.'));
    expect(sent.slice(1)).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'How long is leave?' },
    ]);
    await expectAtriumError(
      h.core.assistants.complete(owner, bot.id, { messages: [{ role: 'assistant', content: 'x' }] }),
      'invalid',
    );
  });

  it('sums token usage per assistant over a period', async () => {
    const t = await newTenant(h.core);
    const space = await h.core.spaces.create(t.actor, { name: 'Usage' });
    const a = await h.core.assistants.create(t.actor, space.id, { name: 'A' });
    const b = await h.core.assistants.create(t.actor, space.id, { name: 'B' });
    const dones: Extract<ChatEvent, { type: 'done' }>[] = [];
    for (const [bot, message] of [[a, 'one'], [a, 'two'], [b, 'three']] as const) {
      const events = await collect((await h.core.assistants.chat(t.actor, bot.id, { message })).events);
      dones.push(events.at(-1) as Extract<ChatEvent, { type: 'done' }>);
    }
    const report = await h.core.usage(t.actor, {});
    const sum = (list: typeof dones) => ({
      promptTokens: list.reduce((n, d) => n + d.usage.promptTokens, 0),
      completionTokens: list.reduce((n, d) => n + d.usage.completionTokens, 0),
      messages: list.length,
    });
    expect(report.total).toEqual(sum(dones));
    expect(report.assistants.find((x) => x.assistantId === a.id)).toEqual({ assistantId: a.id, name: 'A', ...sum(dones.slice(0, 2)) });
    const member = await newUser(h.core, t.actor);
    await expectAtriumError(h.core.usage(member.actor, {}), 'forbidden');
    const past = await h.core.usage(t.actor, { from: new Date('2020-01-01'), to: new Date('2020-02-01') });
    expect(past.total).toEqual({ promptTokens: 0, completionTokens: 0, messages: 0 });
    await expectAtriumError(h.core.usage(t.actor, { from: new Date('2021-01-01'), to: new Date('2020-01-01') }), 'invalid');
    await expectAtriumError(h.core.usage(t.actor, { from: new Date('0000-01-01T00:00:00Z') }), 'invalid');
    await expectAtriumError(h.core.usage(t.actor, { to: new Date(Number.NaN) }), 'invalid');
  });
});
