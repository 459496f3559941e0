/**
 * The OpenAI-compatible endpoint, driven by the official `openai` package as the client:
 * if its parsing of models, completions, chunks and errors works, so does any OpenAI
 * client's.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import { call } from '../helpers.js';
import { openChatFixture, type ChatFixture } from './helpers.js';

describe.each(await testDatabaseTargets())('/v1 (OpenAI-compatible) on $name', (target) => {
  let f: ChatFixture;
  let client: OpenAI;
  let apiKey: string;
  beforeAll(async () => {
    f = await openChatFixture(target);
    const key = await call(f.h.app, 'POST', '/api/v1/api-keys', { token: f.h.tenant.token, json: { name: 'openai client' } });
    apiKey = key.body.key;
    client = new OpenAI({ apiKey, baseURL: `${f.url}/v1`, maxRetries: 0 });
  }, 120_000);
  afterAll(async () => f?.close());

  it('lists the assistants the key may use as models, and retrieves one', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((m) => m.id)).toContain(f.assistantId);
    expect(models.find((m) => m.id === f.assistantId)).toMatchObject({ object: 'model', owned_by: 'atrium' });
    expect((await client.models.retrieve(f.assistantId)).id).toBe(f.assistantId);
  });

  it('answers without streaming, with usage and the assistant as model', async () => {
    f.fake.setBehavior({ type: 'answer', text: 'You get 28 days [1].', usage: { prompt_tokens: 200, completion_tokens: 9 } });
    const completion = await client.chat.completions.create({
      model: f.assistantId,
      messages: [
        { role: 'system', content: 'Answer in one sentence.' },
        { role: 'user', content: 'How much annual leave do I get?' },
      ],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(f.assistantId);
    expect(completion.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'You get 28 days [1].' });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 200, completion_tokens: 9, total_tokens: 209 });
    const upstream = f.fake.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
    // The assistant's instructions first, the client's system message after them, then the question.
    expect(upstream.messages[0]!.content.indexOf('Be brief.')).toBeLessThan(upstream.messages[0]!.content.indexOf('Answer in one sentence.'));
    expect(upstream.messages[0]!.content).toContain('[1] Employee handbook');
    expect(upstream.messages.at(-1)).toEqual({ role: 'user', content: 'How much annual leave do I get?' });
  });

  it('streams standard chunks, ending with usage when asked', async () => {
    f.fake.setBehavior({ type: 'answer', text: 'Reimbursed within 14 days [1].', usage: { prompt_tokens: 150, completion_tokens: 6 } });
    const stream = await client.chat.completions.create({
      model: f.assistantId,
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello! How can I help?' },
        { role: 'user', content: [{ type: 'text', text: 'When are expenses reimbursed?' }] },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const chunks = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('Reimbursed within 14 days [1].');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === f.assistantId)).toBe(true);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 150, completion_tokens: 6, total_tokens: 156 });
    const upstream = f.fake.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
    expect(upstream.messages.slice(1)).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello! How can I help?' },
      { role: 'user', content: 'When are expenses reimbursed?' },
    ]);
  });

  it('answers errors in OpenAI format, which the official client raises as its typed errors', async () => {
    const unknown = await client.chat.completions
      .create({ model: '0190a0a0-0000-7000-8000-00000000abcd', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');

    const badKey = new OpenAI({ apiKey: 'atr_sk_not-a-real-key', baseURL: `${f.url}/v1`, maxRetries: 0 });
    expect(await badKey.models.list().catch((e: unknown) => e)).toBeInstanceOf(OpenAI.AuthenticationError);

    const empty = await client.chat.completions.create({ model: f.assistantId, messages: [] }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(OpenAI.BadRequestError);
    expect((empty as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages');

    const lastNotUser = await client.chat.completions
      .create({ model: f.assistantId, messages: [{ role: 'assistant', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(lastNotUser).toBeInstanceOf(OpenAI.BadRequestError);

    f.fake.setBehavior({ type: 'rateLimit', retryAfterSeconds: 1 });
    const limited = await client.chat.completions
      .create({ model: f.assistantId, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('1');

    f.fake.setBehavior({ type: 'fail', status: 500, error: { message: 'upstream broke' } });
    const stream = await client.chat.completions.create({ model: f.assistantId, messages: [{ role: 'user', content: 'hi' }], stream: true });
    const failure = await (async () => {
      for await (const _ of stream) {
        /* drain */
      }
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    f.fake.setBehavior({ type: 'answer' });

    const raw = await fetch(`${f.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: '{"model":',
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: 'invalid_json' } });

    // Everything under /v1 answers in OpenAI's format, also an unknown path and a body too large.
    const unknownPath = await fetch(`${f.url}/v1/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` } });
    expect(unknownPath.status).toBe(404);
    expect(await unknownPath.json()).toMatchObject({ error: { type: 'not_found_error', code: 'unknown_url' } });
    const huge = await fetch(`${f.url}/v1/chat/completions`, {
      method: 'POST',
      // The server stops reading and closes the connection: keep it out of the shared pool.
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ model: f.assistantId, messages: [{ role: 'user', content: 'x'.repeat(2 * 1024 * 1024) }] }),
    });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'request_too_large' } });
  });

  it('an assistant-scoped key sees and uses only its assistant', async () => {
    const other = await call(f.h.app, 'POST', `/api/v1/spaces/${f.spaceId}/assistants`, {
      token: f.h.tenant.token,
      json: { name: 'Other', published: true },
    });
    const scoped = await call(f.h.app, 'POST', '/api/v1/api-keys', {
      token: f.h.tenant.token,
      json: { name: 'scoped', assistantId: f.assistantId },
    });
    expect(scoped.status).toBe(201);
    const scopedClient = new OpenAI({ apiKey: scoped.body.key, baseURL: `${f.url}/v1`, maxRetries: 0 });
    const ids = [];
    for await (const m of scopedClient.models.list()) ids.push(m.id);
    expect(ids).toEqual([f.assistantId]);
    const denied = await scopedClient.chat.completions
      .create({ model: other.body.id, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
