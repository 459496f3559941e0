import { APIConnectionError, APIError, ChatStreamError, type ChatEvent, type Reference } from '@atrium/sdk/widget';
import { describe, expect, it, vi } from 'vitest';
import { ChatSession, type ClientOptions, type WidgetClientLike } from './chat-session.js';
import { localChatStorage, memoryChatStorage, storageKeyFor, type ChatStorage } from './storage.js';

const config = { assistantId: 'a1', name: 'Helper', greeting: 'Hi!', starterPrompts: ['Refunds?'], theme: {}, identityRequired: false };
const reference: Reference = { id: 'ch1', index: 1, documentId: 'd1', documentTitle: 'Refund policy', url: 'https://shop.example/refunds', text: 'Refunds take 5 days.', score: 0.9 };

const answer = (conversationId = 'c1', messageId = 'm1'): ChatEvent[] => [
  { type: 'start', conversationId, messageId },
  { type: 'references', references: [reference] },
  { type: 'delta', text: 'Refunds take ' },
  { type: 'delta', text: '5 days [1].' },
  { type: 'done', messageId, finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 2 } } as ChatEvent,
];

async function* events(list: ChatEvent[], failWith?: unknown): AsyncIterable<ChatEvent> {
  for (const event of list) yield event;
  if (failWith) throw failWith;
}

const problem = (status: number, code?: string) => APIError.from(status, { status, code, title: 'x' }, new Headers());

/** A fake client: each chat() takes the next scripted reply (events, or an error to throw). */
const fakeClient = (replies: (ChatEvent[] | { events?: ChatEvent[]; error: unknown })[] = [], extra: Partial<WidgetClientLike> = {}) => {
  const calls: { message: string; conversationId?: string | undefined }[] = [];
  const created: ClientOptions[] = [];
  const client: WidgetClientLike = {
    config: async () => config,
    conversation: async (id) => ({ id, messages: [] }) as never,
    feedback: async () => ({}),
    chat: async (body) => {
      calls.push(body);
      const reply = replies.shift();
      if (!reply) throw new Error('no reply scripted');
      if (Array.isArray(reply)) return events(reply);
      if (!reply.events) throw reply.error;
      return events(reply.events, reply.error);
    },
    ...extra,
  };
  return { client, calls, created, createClient: (options: ClientOptions) => (created.push(options), client) };
};

const session = (fake: ReturnType<typeof fakeClient>, options: { storage?: ChatStorage; reachable?: boolean } = {}) =>
  new ChatSession({ createClient: fake.createClient, storage: options.storage ?? memoryChatStorage(), reachable: async () => options.reachable ?? true });

describe('ChatSession', () => {
  it('loads the config, then streams an answer with its references', async () => {
    const fake = fakeClient([answer()]);
    const chat = session(fake);
    const texts: string[] = [];
    chat.subscribe((s) => texts.push(s.messages.at(-1)?.text ?? ''));
    await chat.start();
    expect(chat.state.config?.greeting).toBe('Hi!');
    await chat.send('  How long do refunds take? ');
    const [question, reply] = chat.state.messages;
    expect(question).toMatchObject({ role: 'user', text: 'How long do refunds take?' });
    expect(reply).toMatchObject({ role: 'assistant', id: 'm1', text: 'Refunds take 5 days [1].', streaming: false, references: [reference] });
    expect(chat.state).toMatchObject({ status: 'ready', conversationId: 'c1', error: undefined });
    // Subscribers saw the answer grow delta by delta.
    expect(texts).toContain('Refunds take ');
  });

  it('continues the same conversation', async () => {
    const fake = fakeClient([answer('c1', 'm1'), answer('c1', 'm2')]);
    const chat = session(fake);
    await chat.send('one');
    await chat.send('two');
    expect(fake.calls).toEqual([
      { message: 'one', conversationId: undefined },
      { message: 'two', conversationId: 'c1' },
    ]);
  });

  it('reports the question when sent and the answer when finished', async () => {
    const seen: [string, string, string | undefined, string | undefined][] = [];
    const fake = fakeClient([answer()]);
    const chat = new ChatSession({
      createClient: fake.createClient,
      storage: memoryChatStorage(),
      reachable: async () => true,
      onMessage: (m, conversationId) => seen.push([m.role, m.text, m.id, conversationId]),
    });
    await chat.send('Refunds?');
    expect(seen).toEqual([
      ['user', 'Refunds?', undefined, undefined],
      ['assistant', 'Refunds take 5 days [1].', 'm1', 'c1'],
    ]);
  });

  it.each([
    ['a 429', 'rate_limited', problem(429, 'rate_limited'), 429],
    ['a 403 for the origin', 'origin_not_allowed', problem(403, 'origin_not_allowed'), 403],
    ['a 403 for a spent conversation', 'conversation_limit', problem(403, 'conversation_limit_reached'), 403],
    ['a 401 for a missing identity', 'identity_required', problem(401, 'identity_required'), 401],
    ['a 500', 'server_error', problem(500), 500],
    ['a 503', 'server_error', problem(503), 503],
    ['a stream error event', 'server_error', new ChatStreamError('model_failed', 'The model failed'), undefined],
  ])('maps %s to %s', async (_, code, error, status) => {
    const onError = vi.fn();
    const fake = fakeClient([{ error }]);
    const chat = new ChatSession({ createClient: fake.createClient, storage: memoryChatStorage(), reachable: async () => true, onError });
    await chat.send('Hello?');
    expect(chat.state.error?.code).toBe(code);
    expect(chat.state.error?.status).toBe(status);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code }));
    // The empty answer is gone; the question stays, to be asked again.
    expect(chat.state.messages.map((m) => m.role)).toEqual(['user']);
    expect(chat.state.status).toBe('idle');
  });

  it('tells offline (server unreachable) from a CORS refusal (server reachable)', async () => {
    const offline = session(fakeClient([{ error: new APIConnectionError() }]), { reachable: false });
    await offline.send('Hello?');
    expect(offline.state.error?.code).toBe('offline');

    const refused = session(fakeClient([], { config: () => Promise.reject(new APIConnectionError()) }), { reachable: true });
    await refused.start();
    expect(refused.state.error?.code).toBe('origin_not_allowed');
  });

  it('calls a connection dropped mid-answer a server error, and keeps the partial answer', async () => {
    const fake = fakeClient([{ events: answer().slice(0, 3), error: new APIConnectionError('interrupted') }]);
    const chat = session(fake, { reachable: true });
    await chat.send('Hello?');
    expect(chat.state.error?.code).toBe('server_error');
    expect(chat.state.messages.at(-1)).toMatchObject({ role: 'assistant', text: 'Refunds take ', streaming: false });
  });

  it('retries the question that failed, without repeating it on screen', async () => {
    const fake = fakeClient([{ error: problem(429) }, answer()]);
    const chat = session(fake);
    await chat.send('Hello?');
    expect(chat.state.error?.code).toBe('rate_limited');
    await chat.retry();
    expect(chat.state.error).toBeUndefined();
    expect(chat.state.messages.map((m) => [m.role, m.text])).toEqual([
      ['user', 'Hello?'],
      ['assistant', 'Refunds take 5 days [1].'],
    ]);
    expect(fake.calls.map((c) => c.message)).toEqual(['Hello?', 'Hello?']);
  });

  it('retries loading the widget when that failed', async () => {
    let fail = true;
    const fake = fakeClient([], { config: async () => (fail ? Promise.reject(problem(502)) : config) });
    const chat = session(fake);
    await chat.start();
    expect(chat.state.error?.code).toBe('server_error');
    fail = false;
    await chat.retry();
    expect(chat.state).toMatchObject({ status: 'ready', error: undefined, config });
  });

  it('keeps the conversation and the visitor across a reload, and shows the history again', async () => {
    const storage = memoryChatStorage();
    const first = fakeClient([answer('c7', 'm1')]);
    const before = session(first, { storage });
    first.created[0]!.onVisitorToken('vt-1');
    await before.send('Hello?');
    expect(storage.load()).toEqual({ visitorToken: 'vt-1', conversationId: 'c7' });

    const history = [
      { id: 'u1', role: 'user', content: 'Hello?', references: [], feedback: null },
      { id: 'm1', role: 'assistant', content: 'Hi [1]', references: [reference], feedback: { rating: 'up' } },
    ];
    const conversation = vi.fn(async (id: string) => ({ id, messages: history }) as never);
    const second = fakeClient([], { conversation });
    const after = session(second, { storage });
    await after.start();
    expect(second.created[0]!.visitorToken).toBe('vt-1');
    expect(conversation).toHaveBeenCalledWith('c7');
    expect(after.state.conversationId).toBe('c7');
    expect(after.state.messages.map((m) => [m.role, m.text, m.id, m.feedback])).toEqual([
      ['user', 'Hello?', 'u1', undefined],
      ['assistant', 'Hi [1]', 'm1', 'up'],
    ]);
  });

  it('forgets a kept conversation that is gone', async () => {
    const storage = memoryChatStorage();
    storage.save({ conversationId: 'gone' });
    const chat = session(fakeClient([], { conversation: () => Promise.reject(problem(404)) }), { storage });
    await chat.start();
    expect(chat.state).toMatchObject({ status: 'ready', error: undefined, messages: [] });
    expect(storage.load().conversationId).toBeUndefined();
  });

  it('reset starts a new conversation and stops the answer in progress', async () => {
    const storage = memoryChatStorage();
    let release!: () => void;
    const slow = async function* (): AsyncIterable<ChatEvent> {
      yield { type: 'start', conversationId: 'c1', messageId: 'm1' };
      await new Promise<void>((resolve) => (release = resolve));
      yield { type: 'delta', text: 'late' };
    };
    const fake = fakeClient([], { chat: async () => slow() });
    const chat = session(fake, { storage });
    const sending = chat.send('Hello?');
    await vi.waitFor(() => expect(chat.state.conversationId).toBe('c1'));
    chat.reset();
    release();
    await sending;
    expect(chat.state).toMatchObject({ messages: [], conversationId: undefined, error: undefined });
    expect(chat.state.status).not.toBe('streaming');
    expect(storage.load().conversationId).toBeUndefined();
  });

  it('stop ends the answer in progress and leaves nothing streaming', async () => {
    let release!: () => void;
    const slow = async function* (): AsyncIterable<ChatEvent> {
      yield { type: 'start', conversationId: 'c1', messageId: 'm1' };
      yield { type: 'delta', text: 'Part' };
      await new Promise<void>((resolve) => (release = resolve));
      yield { type: 'delta', text: ' never shown' };
    };
    const chat = session(fakeClient([], { chat: async () => slow() }));
    const sending = chat.send('Hello?');
    await vi.waitFor(() => expect(chat.state.messages.at(-1)?.text).toBe('Part'));
    chat.stop();
    release();
    await sending;
    expect(chat.state.status).toBe('ready');
    expect(chat.state.messages.at(-1)).toMatchObject({ text: 'Part', streaming: false });
  });

  it('identify makes a new client with the identity, as a new visitor', async () => {
    const storage = memoryChatStorage();
    storage.save({ visitorToken: 'anon', conversationId: 'c1' });
    const fake = fakeClient();
    const chat = session(fake, { storage });
    chat.identify('host.jwt');
    expect(fake.created.at(-1)).toMatchObject({ identityToken: 'host.jwt', visitorToken: undefined });
    expect(storage.load()).toEqual({});
  });

  it('shows feedback at once and takes it back when refused', async () => {
    const feedback = vi.fn().mockResolvedValueOnce({}).mockRejectedValueOnce(problem(500));
    const chat = session(fakeClient([answer()], { feedback }));
    await chat.send('Hello?');
    await chat.feedback('m1', 'up');
    expect(feedback).toHaveBeenCalledWith('m1', { rating: 'up' });
    expect(chat.state.messages.at(-1)?.feedback).toBe('up');
    await chat.feedback('m1', 'down');
    expect(chat.state.messages.at(-1)?.feedback).toBe('up');
    expect(chat.state.error?.code).toBe('server_error');
  });

  it('keeps instances apart: their own state, their own storage', async () => {
    const store = new Map<string, string>();
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    });
    try {
      const a = session(fakeClient([answer('ca', 'm1')]), { storage: localChatStorage(storageKeyFor('atr_pk_a')) });
      const b = session(fakeClient([answer('cb', 'm2')]), { storage: localChatStorage(storageKeyFor('atr_pk_a', 'second')) });
      await a.send('to a');
      expect(b.state.messages).toEqual([]);
      await b.send('to b');
      expect([a.state.conversationId, b.state.conversationId]).toEqual(['ca', 'cb']);
      expect(JSON.parse(store.get('atrium-chat:atr_pk_a')!)).toEqual({ conversationId: 'ca' });
      expect(JSON.parse(store.get('atrium-chat:atr_pk_a:second')!)).toEqual({ conversationId: 'cb' });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('ignores what it cannot read in localStorage', () => {
    vi.stubGlobal('localStorage', { getItem: () => '{"conversationId": 42, "visitorToken": "vt"', setItem() {}, removeItem() {} });
    try {
      expect(localChatStorage('k').load()).toEqual({});
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
