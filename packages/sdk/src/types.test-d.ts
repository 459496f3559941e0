import { describe, expectTypeOf, it } from 'vitest';
import { Atrium, type ChatEvent, type ChatStream, type Job, type Language, type Page, type Space } from './index.js';
import type { AtriumWidgetClient } from './widget/index.js';

declare const atrium: Atrium;

describe('public types', () => {
  it('lists are awaitable pages and iterables of their items', async () => {
    const list = atrium.spaces.list();
    expectTypeOf(await list).toEqualTypeOf<Page<Space>>();
    for await (const space of list) expectTypeOf(space).toEqualTypeOf<Space>();
    expectTypeOf<Space['description']>().toEqualTypeOf<string | null>();
  });

  it('chat streams by default and answers JSON with stream: false', async () => {
    expectTypeOf(atrium.assistants.chat('a', { message: 'q' })).resolves.toEqualTypeOf<ChatStream>();
    const answer = await atrium.assistants.chat('a', { message: 'q', stream: false });
    expectTypeOf(answer.id).toBeString();
    expectTypeOf(answer.message.role).toEqualTypeOf<'user' | 'assistant'>();
  });

  it('narrows chat events by type', () => {
    const handle = (event: ChatEvent) => {
      if (event.type === 'delta') expectTypeOf(event.text).toBeString();
      if (event.type === 'done') expectTypeOf(event.messageId).toBeString();
    };
    expectTypeOf(handle).toBeFunction();
  });

  it('rejects malformed bodies', () => {
    // @ts-expect-error name is required
    void atrium.spaces.create({});
    // @ts-expect-error bytes need a filename
    void atrium.documents.create('c', { file: new Uint8Array() });
    // @ts-expect-error only up or down
    void atrium.messages.feedback('m', { rating: 'meh' });
    // @ts-expect-error members have three roles
    void atrium.spaces.members.create('s', { userId: 'u', role: 'owner' });
    // @ts-expect-error a language is a text-search configuration
    void atrium.collections.create('s', { name: 'c', language: 'klingon' });
  });

  it('collections carry their language; an update answers with the re-index job', async () => {
    const collection = await atrium.collections.create('s', { name: 'c', language: 'swedish' });
    expectTypeOf(collection.language).toEqualTypeOf<Language>();
    expectTypeOf<'swedish'>().toExtend<Language>();
    expectTypeOf((await atrium.collections.update('c', { language: 'german' })).job).toEqualTypeOf<Job | null>();
  });

  it('takes request options last everywhere', () => {
    expectTypeOf(atrium.documents.retrieve).parameter(1).toEqualTypeOf<
      { signal?: AbortSignal | undefined; timeout?: number | undefined; maxRetries?: number | undefined; headers?: Record<string, string> | undefined } | undefined
    >();
  });

  it('the widget client chats with the same stream', () => {
    expectTypeOf<AtriumWidgetClient['chat']>().returns.resolves.toEqualTypeOf<ChatStream>();
  });
});
