import { describe, expect, it } from 'vitest';
import { event, json, mockFetch, sse } from '../../test/mock-fetch.js';
import { Atrium } from '../client.js';
import type { ChatEvent } from '../types.js';
import { APIConnectionError, APIUserAbortError, AtriumError, ChatStreamError } from './errors.js';

const REFERENCE = { id: 'c1', index: 1, documentId: 'd1', documentTitle: 'FAQ', text: 'Refunds take 14 days.', score: 0.9 };
const USAGE = { promptTokens: 10, completionTokens: 4 };

const answerEvents = [
  event('start', { conversationId: 'conv1', messageId: 'm1' }),
  event('references', { references: [REFERENCE] }),
  event('delta', { text: 'Refunds take ' }),
  ': a comment the server may send to keep the connection open\n\n',
  event('delta', { text: '14 days [1].' }),
  event('done', { messageId: 'm1', conversationId: 'conv1', finishReason: 'stop', usage: USAGE }),
];

const chatWith = (...replies: Parameters<typeof mockFetch>) => {
  const mock = mockFetch(...replies);
  return { ...mock, atrium: new Atrium({ apiKey: 'k', baseURL: 'http://atrium.test', fetch: mock.fetch }) };
};

describe('assistants.chat (streamed)', () => {
  it('yields the typed events in order and asks for an event stream', async () => {
    const { atrium, requests } = chatWith(sse(answerEvents));
    const stream = await atrium.assistants.chat('a1', { message: 'How do refunds work?' });
    const events: ChatEvent[] = [];
    for await (const e of stream) events.push(e);
    expect(events.map((e) => e.type)).toEqual(['start', 'references', 'delta', 'delta', 'done']);
    expect(events[2]).toEqual({ type: 'delta', text: 'Refunds take ' });
    expect(requests[0]!.url).toBe('http://atrium.test/api/v1/assistants/a1/chat');
    expect(requests[0]!.headers.get('accept')).toBe('text/event-stream');
    expect(requests[0]!.headers.get('idempotency-key')).toBeTruthy();
    expect(JSON.parse(requests[0]!.body as string)).toEqual({ message: 'How do refunds work?' });
  });

  it('finalMessage() gathers the answer, also after the caller iterated', async () => {
    const expected = { id: 'm1', conversationId: 'conv1', content: 'Refunds take 14 days [1].', references: [REFERENCE], usage: USAGE, finishReason: 'stop' };
    const { atrium } = chatWith(sse(answerEvents), sse(answerEvents));
    await expect((await atrium.assistants.chat('a1', { message: 'q' })).finalMessage()).resolves.toEqual(expected);
    const stream = await atrium.assistants.chat('a1', { message: 'q' });
    for await (const _ of stream) void _;
    await expect(stream.finalMessage()).resolves.toEqual(expected);
    await expect(stream.text()).resolves.toBe('Refunds take 14 days [1].');
  });

  it('break aborts the HTTP request', async () => {
    let cancelled = false;
    const { atrium, requests } = chatWith(sse(answerEvents, () => (cancelled = true)));
    const stream = await atrium.assistants.chat('a1', { message: 'q' });
    for await (const e of stream) if (e.type === 'start') break;
    expect(requests[0]!.signal!.aborted).toBe(true);
    expect(cancelled).toBe(true);
    await expect(stream.finalMessage()).rejects.toBeInstanceOf(AtriumError);
  });

  it('throws a ChatStreamError on a mid-stream error event', async () => {
    const { atrium } = chatWith(
      sse([event('start', { conversationId: 'c', messageId: 'm' }), event('delta', { text: 'Hal' }), event('error', { code: 'model_unavailable', message: 'The model went away', retryAfterSeconds: 5 })]),
    );
    const stream = await atrium.assistants.chat('a1', { message: 'q' });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const e of stream) seen.push(e.type);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['start', 'delta']);
    expect(error).toBeInstanceOf(ChatStreamError);
    expect(error).toMatchObject({ code: 'model_unavailable', message: 'The model went away', retryAfterSeconds: 5 });
    await expect(stream.finalMessage()).rejects.toBe(error);
  });

  it('fails when the stream ends before `done`', async () => {
    const { atrium } = chatWith(sse([event('start', { conversationId: 'c', messageId: 'm' })]));
    const stream = await atrium.assistants.chat('a1', { message: 'q' });
    await expect(stream.finalMessage()).rejects.toThrow(/ended before/);
  });

  it('skips events it does not know', async () => {
    const { atrium } = chatWith(sse([event('progress', { step: 1 }), ...answerEvents]));
    await expect((await atrium.assistants.chat('a1', { message: 'q' })).text()).resolves.toBe('Refunds take 14 days [1].');
  });

  it('can be iterated only once', async () => {
    const { atrium } = chatWith(sse(answerEvents));
    const stream = await atrium.assistants.chat('a1', { message: 'q' });
    await stream.finalMessage();
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toThrow(/only once/);
  });

  it('toReadableStream() gives the events as JSON lines', async () => {
    const { atrium } = chatWith(sse(answerEvents));
    const stream = await atrium.assistants.chat('a1', { message: 'q' });
    const text = await new Response(stream.toReadableStream()).text();
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as ChatEvent);
    expect(lines.map((e) => e.type)).toEqual(['start', 'references', 'delta', 'delta', 'done']);
  });
});

describe('a stream that fails while it is read', () => {
  /** A body that sends `chunks`, then fails with `error` (or waits, to be aborted, when none). */
  const failing = (chunks: string[], error?: Error) => (request: { signal: AbortSignal | null | undefined }) => {
    const encoder = new TextEncoder();
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i < chunks.length) return controller.enqueue(encoder.encode(chunks[i++]));
        if (error) return controller.error(error);
        return new Promise<void>((_, reject) =>
          request.signal!.addEventListener('abort', () => {
            const aborted = new DOMException('aborted', 'AbortError');
            controller.error(aborted);
            reject(aborted);
          }),
        );
      },
    });
    return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
  };
  const start = event('start', { conversationId: 'c', messageId: 'm' });

  it("throws APIUserAbortError when the caller's signal aborts mid-stream", async () => {
    const { atrium } = chatWith(failing([start]));
    const controller = new AbortController();
    const stream = await atrium.assistants.chat('a1', { message: 'q' }, { signal: controller.signal });
    const reading = (async () => {
      for await (const e of stream) if (e.type === 'start') controller.abort();
    })();
    await expect(reading).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it('throws APIConnectionError when the connection drops mid-stream', async () => {
    const { atrium } = chatWith(failing([start], new TypeError('terminated')));
    const stream = await atrium.assistants.chat('a1', { message: 'q' });
    await expect(stream.finalMessage()).rejects.toBeInstanceOf(APIConnectionError);
  });
});

describe('assistants.chat (stream: false)', () => {
  it('returns the JSON answer with the answer fields on top', async () => {
    const message = { id: 'm1', conversationId: 'conv1', role: 'assistant', content: 'Hi [1]', references: [REFERENCE], usage: USAGE, finishReason: 'stop' };
    const { atrium, requests } = chatWith(json({ conversationId: 'conv1', message }));
    const answer = await atrium.assistants.chat('a1', { message: 'q', stream: false });
    expect(answer).toMatchObject({ conversationId: 'conv1', message, id: 'm1', content: 'Hi [1]', references: [REFERENCE], usage: USAGE, finishReason: 'stop' });
    expect(JSON.parse(requests[0]!.body as string)).toEqual({ message: 'q', stream: false });
    expect(requests[0]!.headers.get('accept')).toBe('application/json');
  });
});
