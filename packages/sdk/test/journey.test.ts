/**
 * The journey SDK.md describes, against a real server: space → collection → upload →
 * wait → search → assistant → streamed chat → conversation → feedback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Atrium, type ChatEvent } from '../src/index.js';
import { startTestServer, type TestServer } from './server.js';

const HANDBOOK = `# Refunds

Customers can ask for a refund within 30 days of purchase. Refunds are paid back to the original card within 14 days.

# Shipping

Orders ship from our warehouse in Malmö within two working days.`;

describe('the SDK journey against a real server', () => {
  let server: TestServer;
  let atrium: Atrium;

  beforeAll(async () => {
    server = await startTestServer();
    atrium = new Atrium({ accessToken: server.token, baseURL: server.url });
  }, 120_000);
  afterAll(async () => server?.close());

  it('goes from an empty space to a streamed, cited answer with feedback', async () => {
    const space = await atrium.spaces.create({ name: 'Support' });
    const kb = await atrium.collections.create(space.id, { name: 'Handbook' });

    const upload = new Blob([HANDBOOK], { type: 'text/markdown' });
    const { document, job } = await atrium.documents.create(kb.id, { file: upload, filename: 'handbook.md', title: 'Customer handbook' });
    expect(document).toMatchObject({ title: 'Customer handbook', sourceType: 'file', collectionId: kb.id });
    expect(job?.id).toBeTruthy();
    const ready = await atrium.documents.waitUntilReady(document.id, { pollInterval: 50, timeout: 60_000 });
    expect(ready.status).toBe('ready');
    expect(ready.chunkCount).toBeGreaterThan(0);

    const hits = await atrium.collections.search(kb.id, { query: 'how long do refunds take', topK: 2 });
    expect(hits.data[0]).toMatchObject({ documentId: document.id, documentTitle: 'Customer handbook' });
    expect(hits.data[0]!.text).toContain('within 14 days');

    const bot = await atrium.assistants.create(space.id, { name: 'Helper', collectionIds: [kb.id], published: true });
    const stream = await atrium.assistants.chat(bot.id, { message: 'How long do refunds take?' });
    const events: ChatEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events[0]!.type).toBe('start');
    expect(events.at(-1)!.type).toBe('done');
    const deltas = events.flatMap((e) => (e.type === 'delta' ? [e.text] : []));
    expect(deltas.length).toBeGreaterThan(0);

    const answer = await stream.finalMessage();
    expect(answer.content).toBe(deltas.join(''));
    expect(answer.content).toContain('within 14 days');
    expect(answer.references[0]).toMatchObject({ index: 1, documentId: document.id });
    expect(answer.finishReason).toBe('stop');

    const conversation = await atrium.conversations.retrieve(answer.conversationId);
    expect(conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(conversation.messages[1]).toMatchObject({ id: answer.id, content: answer.content });

    const feedback = await atrium.messages.feedback(answer.id, { rating: 'up', comment: 'Clear' });
    expect(feedback).toMatchObject({ messageId: answer.id, rating: 'up', comment: 'Clear' });

    // The same question without streaming: the JSON answer, continuing the conversation.
    const json = await atrium.assistants.chat(bot.id, { message: 'And shipping?', conversationId: answer.conversationId, stream: false });
    expect(json.conversationId).toBe(answer.conversationId);
    expect(json.id).toBe(json.message.id);
    expect(json.content).toContain('two working days');
  });
});
