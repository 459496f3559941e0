import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import { call, expectProblem } from './helpers.js';
import { eventually, openChatFixture, parseSse, type ChatFixture } from './chat/helpers.js';

/** A request whose connection is cut as soon as it is sent: the server gets it, the client never hears back. */
const sendAndDrop = (url: string, headers: Record<string, string>, body: string) =>
  new Promise<void>((resolve) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: false });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.end(body, () => setTimeout(() => req.destroy(), 5));
  });

describe.each(await testDatabaseTargets())('Idempotency-Key on $name', (target) => {
  let f: ChatFixture;
  beforeAll(async () => {
    f = await openChatFixture(target);
  }, 120_000);
  afterAll(async () => f?.close());

  const headers = (key?: string) => ({
    authorization: `Bearer ${f.h.tenant.token}`,
    'content-type': 'application/json',
    ...(key && { 'idempotency-key': key }),
  });
  /** What a client that retries does: send again while the first request is still running (409). */
  const untilSettled = (send: () => Promise<Response>) =>
    eventually(async () => {
      const res = await send();
      return res.status === 409 ? undefined : res;
    });
  const addDocument = (key: string | undefined, title: string, text = `Text of ${title}.`) =>
    fetch(`${f.url}/api/v1/collections/${f.collectionId}/documents`, { method: 'POST', headers: headers(key), body: JSON.stringify({ title, text }) });
  const documentsTitled = async (title: string) => {
    const list = await call(f.h.app, 'GET', `/api/v1/collections/${f.collectionId}/documents?limit=100`, { token: f.h.tenant.token });
    return (list.body.data as { id: string; title: string }[]).filter((d) => d.title === title);
  };
  const chat = (key: string | undefined, json: Record<string, unknown>) =>
    fetch(`${f.url}/api/v1/assistants/${f.assistantId}/chat`, { method: 'POST', headers: headers(key), body: JSON.stringify(json) });

  it('answers a repeated document creation with the first response, and creates one document', async () => {
    const key = crypto.randomUUID();
    const first = await addDocument(key, 'Idempotent A');
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const firstBody = await first.json();
    const again = await untilSettled(() => addDocument(key, 'Idempotent A'));
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(firstBody);
    expect((await documentsTitled('Idempotent A')).map((d) => d.id)).toEqual([firstBody.document.id]);
  });

  it('refuses the same key with another request (422), and a key that is not a key', async () => {
    const key = crypto.randomUUID();
    expect((await addDocument(key, 'Idempotent B')).status).toBe(202);
    const other = await addDocument(key, 'Idempotent B', 'Another text altogether.');
    expect(other.status).toBe(422);
    expect((await other.json()).code).toBe('idempotency_key_reused');
    expect(await documentsTitled('Idempotent B')).toHaveLength(1);
    for (const bad of ['x'.repeat(256), 'has spaces']) {
      const r = await call(f.h.app, 'POST', `/api/v1/collections/${f.collectionId}/documents`, {
        token: f.h.tenant.token,
        headers: { 'Idempotency-Key': bad },
        json: { title: 'Idempotent bad key', text: 'Never stored.' },
      });
      expectProblem(r, 422, 'validation_failed');
    }
    expect(await documentsTitled('Idempotent bad key')).toHaveLength(0);
  });

  it('a retry after a dropped connection gets the first document instead of a second', async () => {
    const key = crypto.randomUUID();
    const body = JSON.stringify({ title: 'Idempotent C', text: 'Sent once, heard never.' });
    await sendAndDrop(`${f.url}/api/v1/collections/${f.collectionId}/documents`, headers(key), body);
    const retry = await untilSettled(() => addDocument(key, 'Idempotent C', 'Sent once, heard never.'));
    expect(retry.status).toBe(202);
    const { document } = await retry.json();
    expect((await documentsTitled('Idempotent C')).map((d) => d.id)).toEqual([document.id]);
  });

  it('replays a streamed chat answer instead of asking the model again', async () => {
    f.fake.setBehavior({ type: 'answer', text: 'You get 28 days [1].' });
    const key = crypto.randomUUID();
    const question = { message: 'How many days of leave, idempotently?' };
    const first = await chat(key, question);
    const firstText = await first.text();
    const events = parseSse(firstText);
    expect(events.at(-1)!.event).toBe('done');
    const asked = f.fake.requests.length;
    const again = await untilSettled(() => chat(key, question));
    expect(again.status).toBe(200);
    expect(again.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(firstText);
    expect(f.fake.requests.length).toBe(asked);
    const conversation = await call(f.h.app, 'GET', `/api/v1/conversations/${events[0]!.data.conversationId}`, { token: f.h.tenant.token });
    expect(conversation.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
  });

  it('replays a JSON chat answer, and without a key asks again', async () => {
    f.fake.setBehavior({ type: 'answer', text: 'Within 14 days.' });
    const key = crypto.randomUUID();
    const question = { message: 'How fast are expenses paid, idempotently?', stream: false };
    const first = await (await chat(key, question)).json();
    const again = await untilSettled(() => chat(key, question));
    expect(await again.json()).toEqual(first);
    const unkeyed = await (await chat(undefined, question)).json();
    expect(unkeyed.message.id).not.toBe(first.message.id);
  });
});
