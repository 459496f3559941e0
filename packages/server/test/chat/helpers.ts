import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { combineChatModels, type Actor, type AtriumCore } from '@atrium/core';
import { localChatModels } from '@atrium/core/local';
import { openAIChatModels } from '@atrium/core/openai';
import { startFakeOpenAI, type FakeOpenAI, type TestDatabaseTarget } from '@atrium/core/test';
import type { AtriumApp } from '../../src/index.js';
import { call, createSpace, openHarness, type Harness } from '../helpers.js';

export const HANDBOOK = `# Leave policy

Employees receive 28 days of paid annual leave per calendar year. Unused leave can be carried over until the end of March.

# Expenses

Travel expenses are reimbursed within 14 days after the receipt is submitted in the expenses portal.`;

export interface ChatFixture {
  h: Harness;
  fake: FakeOpenAI;
  /** The app on a real socket (streams, disconnects and the official client need one). */
  url: string;
  spaceId: string;
  collectionId: string;
  assistantId: string;
  close(): Promise<void>;
}

export const listen = async (app: AtriumApp): Promise<{ url: string; close(): Promise<void> }> => {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const waitUntilReady = async (core: AtriumCore, actor: Actor, documentId: string) => {
  const deadline = Date.now() + 30_000;
  while ((await core.documents.get(actor, documentId)).status !== 'ready') {
    if (Date.now() > deadline) throw new Error('document not ingested in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/**
 * An Atrium whose default completion model is `fake-gpt` on a fake OpenAI-compatible
 * server (no retries, short timeouts), with a published assistant over one document.
 */
export const openChatFixture = async (target: TestDatabaseTarget): Promise<ChatFixture> => {
  const fake = await startFakeOpenAI({ apiKey: 'upstream-secret-key' });
  const remote = openAIChatModels({
    apiKey: 'upstream-secret-key',
    baseURL: fake.url,
    defaultModel: 'fake-gpt',
    maxRetries: 0,
    firstTokenTimeoutMs: 2_000,
    idleTimeoutMs: 2_000,
  });
  const h = await openHarness(target, { atrium: { chatModels: combineChatModels('fake-gpt', localChatModels(), remote) } });
  const server = await listen(h.app);
  const token = h.tenant.token;
  const { id: spaceId } = await createSpace(h.app, token);
  const collection = await call(h.app, 'POST', `/api/v1/spaces/${spaceId}/collections`, { token, json: { name: 'Handbook' } });
  const document = await call(h.app, 'POST', `/api/v1/collections/${collection.body.id}/documents`, {
    token,
    json: { title: 'Employee handbook', text: HANDBOOK },
  });
  const owner = await h.core.auth.authenticate(token);
  await waitUntilReady(h.core, owner, document.body.document.id);
  const assistant = await call(h.app, 'POST', `/api/v1/spaces/${spaceId}/assistants`, {
    token,
    json: { name: 'Helper', instructions: 'Be brief.', collectionIds: [collection.body.id], published: true },
  });
  if (assistant.status !== 201) throw new Error(`assistant not created: ${assistant.text}`);
  return {
    h,
    fake,
    url: server.url,
    spaceId,
    collectionId: collection.body.id,
    assistantId: assistant.body.id,
    async close() {
      await server.close();
      await fake.close();
      await h.close();
    },
  };
};

export interface SseEvent {
  event: string;
  data: any;
}

/** Parses a complete text/event-stream body into its events. */
export const parseSse = (text: string): SseEvent[] =>
  text
    .split(/\n\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data: data === '[DONE]' ? data : JSON.parse(data) };
    });

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
export const eventually = async <T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};
