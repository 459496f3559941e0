import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import { call, expectProblem } from '../helpers.js';
import { eventually, openChatFixture, parseSse, type ChatFixture } from './helpers.js';

describe.each(await testDatabaseTargets())('POST /api/v1/assistants/{id}/chat on $name', (target) => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await openChatFixture(target);
  }, 120_000);
  afterAll(async () => f?.close());

  const chat = (json: unknown, token = f.h.tenant.token, signal?: AbortSignal) =>
    fetch(`${f.url}/api/v1/assistants/${f.assistantId}/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(json),
      signal,
    });

  it('streams start, references, deltas and done, in that order, with their payloads', async () => {
    f.fake.setBehavior({ type: 'answer', text: 'You get 28 days [1].', usage: { prompt_tokens: 321, completion_tokens: 7 } });
    const res = await chat({ message: 'How many days of annual leave do I get?' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const events = parseSse(await res.text());
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('start');
    expect(names[1]).toBe('references');
    expect(names.at(-1)).toBe('done');
    expect(new Set(names.slice(2, -1))).toEqual(new Set(['delta']));

    const [start, references] = events;
    expect(start!.data).toEqual({ conversationId: expect.any(String), messageId: expect.any(String) });
    expect(references!.data.references.length).toBeGreaterThan(0);
    expect(references!.data.references[0]).toEqual({
      id: expect.any(String),
      index: 1,
      documentId: expect.any(String),
      documentTitle: 'Employee handbook',
      text: expect.stringContaining('28 days'),
      score: expect.any(Number),
    });
    expect(events.filter((e) => e.event === 'delta').map((e) => e.data.text).join('')).toBe('You get 28 days [1].');
    expect(events.at(-1)!.data).toMatchObject({
      messageId: start!.data.messageId,
      conversationId: start!.data.conversationId,
      finishReason: 'stop',
      usage: { promptTokens: 321, completionTokens: 7 },
      timings: { retrievalMs: expect.any(Number), firstTokenMs: expect.any(Number), totalMs: expect.any(Number) },
    });

    // The upstream call: instructions and numbered sources, then the question; the key stays upstream.
    const upstream = f.fake.requests.at(-1)!.body as { model: string; messages: { role: string; content: string }[]; stream: boolean };
    expect(upstream).toMatchObject({ model: 'fake-gpt', stream: true });
    expect(upstream.messages[0]!.content).toContain('Be brief.');
    expect(upstream.messages[0]!.content).toContain('[1] Employee handbook');
    expect(upstream.messages.at(-1)).toEqual({ role: 'user', content: 'How many days of annual leave do I get?' });

    const stored = await call(f.h.app, 'GET', `/api/v1/conversations/${start!.data.conversationId}`, { token: f.h.tenant.token });
    expect(stored.status).toBe(200);
    expect(stored.body.messages[1]).toMatchObject({
      id: start!.data.messageId,
      role: 'assistant',
      content: 'You get 28 days [1].',
      citations: [1],
      finishReason: 'stop',
      model: 'fake-gpt',
      usage: { promptTokens: 321, completionTokens: 7 },
    });
  });

  it('continues a conversation: earlier turns go to the model as history', async () => {
    f.fake.setBehavior({ type: 'answer', text: 'First answer.' });
    const first = parseSse(await (await chat({ message: 'Tell me about expenses' })).text());
    const conversationId = first[0]!.data.conversationId;
    f.fake.setBehavior({ type: 'answer', text: 'Second answer.' });
    const second = parseSse(await (await chat({ message: 'How fast?', conversationId })).text());
    expect(second[0]!.data.conversationId).toBe(conversationId);
    const upstream = f.fake.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
    expect(upstream.messages.slice(1)).toEqual([
      { role: 'user', content: 'Tell me about expenses' },
      { role: 'assistant', content: 'First answer.' },
      { role: 'user', content: 'How fast?' },
    ]);
  });

  it('answers with one JSON document when stream is false, with Server-Timing', async () => {
    f.fake.setBehavior({ type: 'answer', text: 'Within 14 days [1].' });
    const r = await call(f.h.app, 'POST', `/api/v1/assistants/${f.assistantId}/chat`, {
      token: f.h.tenant.token,
      json: { message: 'When are travel expenses reimbursed?', stream: false },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      conversationId: expect.any(String),
      message: { role: 'assistant', content: 'Within 14 days [1].', citations: [1], finishReason: 'stop', model: 'fake-gpt' },
    });
    expect(r.body.message.references.length).toBeGreaterThan(0);
    expect(r.headers.get('server-timing')).toMatch(/^retrieval;dur=[\d.]+, ttft;dur=[\d.]+, total;dur=[\d.]+$/);
  });

  it('reports upstream failures as an error event with a stable code, or as a problem when not streamed', async () => {
    f.fake.setBehavior({ type: 'rateLimit', retryAfterSeconds: 1 });
    const events = parseSse(await (await chat({ message: 'hello' })).text());
    expect(events.map((e) => e.event)).toEqual(['start', 'references', 'error']);
    expect(events.at(-1)!.data).toEqual({ code: 'rate_limited', message: expect.any(String), retryAfterSeconds: 1 });

    f.fake.setBehavior({ type: 'fail', status: 401, error: { message: 'bad key upstream-secret-key', code: 'invalid_api_key' } });
    const failed = parseSse(await (await chat({ message: 'hello' })).text());
    expect(failed.at(-1)).toEqual({ event: 'error', data: { code: 'model_unavailable', message: expect.any(String) } });
    expect(JSON.stringify(failed)).not.toContain('upstream-secret-key');

    f.fake.setBehavior({ type: 'fail', status: 400, error: { message: "This model's maximum context length is 8192 tokens", code: 'context_length_exceeded' } });
    const tooLong = await call(f.h.app, 'POST', `/api/v1/assistants/${f.assistantId}/chat`, {
      token: f.h.tenant.token,
      json: { message: 'hello', stream: false },
    });
    expectProblem(tooLong, 422, 'context_too_long');

    f.fake.setBehavior({ type: 'rateLimit', retryAfterSeconds: 1 });
    const limited = await call(f.h.app, 'POST', `/api/v1/assistants/${f.assistantId}/chat`, {
      token: f.h.tenant.token,
      json: { message: 'hello', stream: false },
    });
    expectProblem(limited, 429, 'rate_limited');
    expect(limited.headers.get('retry-after')).toBe('1');
    // The question was stored: the problem names its conversation, which can be continued.
    const { conversationId } = limited.body as { conversationId: string };
    const stored = await call(f.h.app, 'GET', `/api/v1/conversations/${conversationId}`, { token: f.h.tenant.token });
    expect(stored.status).toBe(200);
    const { messages } = stored.body as { messages: { role: string; content: string; errorCode: string | null }[] };
    expect(messages.map((m) => [m.role, m.errorCode])).toEqual([
      ['user', null],
      ['assistant', 'rate_limited'],
    ]);
    f.fake.setBehavior({ type: 'answer' });
    const retried = await call(f.h.app, 'POST', `/api/v1/assistants/${f.assistantId}/chat`, {
      token: f.h.tenant.token,
      json: { message: 'hello again', conversationId, stream: false },
    });
    expect(retried.status).toBe(200);
    expect((retried.body as { conversationId: string }).conversationId).toBe(conversationId);
  });

  it('a client that disconnects cancels the upstream call and the partial answer is stored as such', async () => {
    f.fake.setBehavior({ type: 'answer', text: 'one two three four five six seven eight nine ten', chunkDelayMs: 150 });
    const abortedBefore = f.fake.aborted;
    const controller = new AbortController();
    const res = await chat({ message: 'Count slowly' }, f.h.tenant.token, controller.signal);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('event: delta')) text += decoder.decode((await reader.read()).value, { stream: true });
    const { conversationId } = parseSse(text.slice(0, text.indexOf('\n\n') + 2))[0]!.data;
    controller.abort();
    await eventually(async () => (f.fake.aborted > abortedBefore ? true : undefined));
    const stored = await eventually(async () => {
      const r = await call(f.h.app, 'GET', `/api/v1/conversations/${conversationId}`, { token: f.h.tenant.token });
      return r.body.messages?.[1];
    });
    expect(stored.finishReason).toBe('aborted');
    expect(stored.content.length).toBeGreaterThan(0);
    expect('one two three four five six seven eight nine ten'.startsWith(stored.content)).toBe(true);
    expect(stored.content).not.toBe('one two three four five six seven eight nine ten');
    f.fake.setBehavior({ type: 'answer' });
  });

  it('refuses bad input before streaming, with problems, and stores nothing', async () => {
    const before = await call(f.h.app, 'GET', `/api/v1/assistants/${f.assistantId}/conversations?limit=100`, { token: f.h.tenant.token });
    expectProblem(await call(f.h.app, 'POST', `/api/v1/assistants/${f.assistantId}/chat`, { token: f.h.tenant.token, json: { message: '' } }), 422);
    expectProblem(await call(f.h.app, 'POST', `/api/v1/assistants/${f.assistantId}/chat`, { token: f.h.tenant.token, json: { message: '   ' } }), 422);
    expectProblem(
      await call(f.h.app, 'POST', `/api/v1/assistants/${f.assistantId}/chat`, { token: f.h.tenant.token, json: { message: 'x'.repeat(32_001) } }),
      422,
    );
    expectProblem(
      await call(f.h.app, 'POST', `/api/v1/assistants/${f.assistantId}/chat`, {
        token: f.h.tenant.token,
        json: { message: 'hi', conversationId: '0190a0a0-0000-7000-8000-00000000abcd' },
      }),
      404,
    );
    expectProblem(await call(f.h.app, 'POST', `/api/v1/assistants/0190a0a0-0000-7000-8000-00000000abcd/chat`, { token: f.h.tenant.token, json: { message: 'hi' } }), 404);
    expectProblem(await call(f.h.app, 'POST', `/api/v1/assistants/${f.assistantId}/chat`, { token: f.h.tenant.token, body: '{"message":' , headers: { 'content-type': 'application/json' } }), 400);
    const after = await call(f.h.app, 'GET', `/api/v1/assistants/${f.assistantId}/conversations?limit=100`, { token: f.h.tenant.token });
    expect(after.body.data).toEqual(before.body.data);
  });
});
