/**
 * API.md §Configuration: `OPENAI_API_KEY`, `OPENAI_BASE_URL` — any OpenAI-compatible
 * provider. A base URL alone (Ollama, vLLM, LM Studio need no key) configures it too:
 * assistants answer through it, not silently through the local answerer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAtrium, type AtriumInstance } from '../src/adapters/node/index.js';
import { actorFor, startFakeOpenAI, type FakeOpenAI } from '../src/test/index.js';

describe('an OpenAI-compatible server configured by its base URL alone', () => {
  let fake: FakeOpenAI;
  let atrium: AtriumInstance;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    atrium = await createAtrium({ dataDir: 'memory://', bcryptCost: 4, models: { openaiBaseUrl: fake.url, chatModel: 'llama3.1:8b' } });
  }, 60_000);
  afterAll(async () => {
    await atrium?.close(0);
    await fake?.close();
  });

  it('makes its model the default and answers through it', async () => {
    expect(atrium.core.models.list().completion).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'llama3.1:8b', default: true })]));
    const boot = await atrium.core.tenants.bootstrap({ adminEmail: 'owner@keyless.test', adminPassword: 'keyless password' });
    if (!boot.created) throw new Error('expected a fresh database');
    const actor = actorFor(boot.admin);
    const space = await atrium.core.spaces.create(actor, { name: 'Local LLM' });
    const assistant = await atrium.core.assistants.create(actor, space.id, { name: 'Ollama helper' });
    const stream = await atrium.core.assistants.chat(actor, assistant.id, { message: 'Hello?' });
    const events = [];
    for await (const event of stream.events) events.push(event);
    expect(events.at(-1)).toMatchObject({ type: 'done', model: 'llama3.1:8b' });
    expect(fake.requests.at(-1)!.body).toMatchObject({ model: 'llama3.1:8b' });
  });
});
