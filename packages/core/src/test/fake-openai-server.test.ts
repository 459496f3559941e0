import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitIntoChunks, startFakeOpenAI, type FakeOpenAI } from './fake-openai-server.js';

let server: FakeOpenAI;
beforeAll(async () => {
  server = await startFakeOpenAI({ models: ['a', 'b'] });
});
afterAll(() => server.close());

const post = (body: unknown) =>
  fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('startFakeOpenAI', () => {
  it('lists models and answers without streaming', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const models = (await (await fetch(`${server.url}/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual(['a', 'b']);

    server.setBehavior({ type: 'answer', text: (body) => `Echo ${body.messages?.length}` });
    const response = (await (await post({ model: 'a', messages: [{ role: 'user', content: 'hi' }] })).json()) as Record<string, any>;
    expect(response).toMatchObject({ object: 'chat.completion', model: 'a', choices: [{ message: { role: 'assistant', content: 'Echo 1' }, finish_reason: 'stop' }] });
    expect(response.usage).toMatchObject({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'a' }, closedEarly: false });
  });

  it('streams standard chunks, with usage only when asked', async () => {
    server.setBehavior({ type: 'answer', text: 'abcdef', chunks: 3 });
    const events = async (body: unknown) => (await (await post(body)).text()).split('\n\n').filter(Boolean);
    const plain = await events({ model: 'a', messages: [], stream: true });
    expect(plain.at(-1)).toBe('data: [DONE]');
    const chunks = plain.slice(0, -1).map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, any>);
    expect(chunks.map((c) => c.choices[0].delta.content ?? null)).toEqual(['', 'ab', 'cd', 'ef', null]);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');

    const withUsage = await events({ model: 'a', messages: [], stream: true, stream_options: { include_usage: true } });
    const last = JSON.parse(withUsage.at(-2)!.slice('data: '.length)) as Record<string, any>;
    expect(last).toMatchObject({ choices: [], usage: { prompt_tokens: 0, completion_tokens: 3 } });
  });

  it('plays queued behaviours first', async () => {
    server.setBehavior({ type: 'answer' });
    server.queueBehaviors({ type: 'fail', status: 500, error: { message: 'boom' } }, { type: 'rateLimit', retryAfterSeconds: 3 });
    const first = await post({ messages: [] });
    expect(first.status).toBe(500);
    expect(await first.json()).toMatchObject({ error: { message: 'boom' } });
    const second = await post({ messages: [] });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('3');
    await second.body?.cancel();
    expect((await post({ messages: [] })).status).toBe(200);
  });

  it('splits text by word or into equal pieces', () => {
    expect(splitIntoChunks('Answer [1].')).toEqual(['Answer ', '[1].']);
    expect(splitIntoChunks('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
    expect(splitIntoChunks('')).toEqual([]);
  });
});
