/**
 * examples/openai-client must run. An Atrium on PGlite listens on a real port with its
 * default models (the local extractive answerer: no network, no key); an assistant
 * answers from one document; the example runs as a child process, with an API key scoped
 * to that assistant, and must print the model list and the streamed answer.
 *
 * PGlite only: the example exercises the HTTP surface, not the data layer.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import { listen } from '../chat/helpers.js';
import { call, createSpace, openHarness, type Harness } from '../helpers.js';

const run = promisify(execFile);
const EXAMPLE_DIR = fileURLToPath(new URL('../../../../examples/openai-client/', import.meta.url));

const HANDBOOK = `# Leave policy

Employees receive 28 days of paid annual leave per calendar year. Unused leave can be carried over until the end of March.

# Expenses

Travel expenses are reimbursed within 14 days after the receipt is submitted in the expenses portal.`;

interface ExampleResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('examples/openai-client', () => {
  let h: Harness;
  let server: { url: string; close(): Promise<void> };
  let assistantId: string;
  let apiKey: string;

  /** Runs the example as its README says, with only the given variables set for it. */
  const runExample = async (env: Record<string, string>, question: string): Promise<ExampleResult> => {
    const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
    try {
      const { stdout, stderr } = await run(process.execPath, ['index.mjs', question], {
        cwd: EXAMPLE_DIR,
        env: { ...inherited, ATRIUM_URL: '', ATRIUM_API_KEY: '', ATRIUM_ASSISTANT_ID: '', ...env },
        timeout: 30_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(error) };
    }
  };

  beforeAll(async () => {
    const pglite = (await testDatabaseTargets()).find((t) => t.name === 'pglite')!;
    h = await openHarness(pglite);
    server = await listen(h.app);
    const token = h.tenant.token;

    const { id: spaceId } = await createSpace(h.app, token);
    const collection = await call(h.app, 'POST', `/api/v1/spaces/${spaceId}/collections`, { token, json: { name: 'Handbook' } });
    expect(collection.status, collection.text).toBe(201);
    const upload = await call(h.app, 'POST', `/api/v1/collections/${collection.body.id}/documents`, {
      token,
      json: { title: 'Employee handbook', text: HANDBOOK },
    });
    expect(upload.status, upload.text).toBe(202);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const document = await call(h.app, 'GET', `/api/v1/documents/${upload.body.document.id}`, { token });
      if (document.body.status === 'ready') break;
      if (document.body.status === 'failed' || Date.now() > deadline) throw new Error(`document not ingested: ${document.text}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }

    const assistant = await call(h.app, 'POST', `/api/v1/spaces/${spaceId}/assistants`, {
      token,
      json: { name: 'Handbook helper', instructions: 'Answer questions about the employee handbook.', collectionIds: [collection.body.id], published: true },
    });
    expect(assistant.status, assistant.text).toBe(201);
    assistantId = assistant.body.id;
    const key = await call(h.app, 'POST', '/api/v1/api-keys', { token, json: { name: 'openai example', assistantId } });
    expect(key.status, key.text).toBe(201);
    apiKey = key.body.key;
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  it('lists the assistant as a model and prints the streamed answer with its sources', async () => {
    const result = await runExample(
      { ATRIUM_URL: server.url, ATRIUM_API_KEY: apiKey, ATRIUM_ASSISTANT_ID: assistantId },
      'How many days of paid annual leave do employees get?',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Assistants this key may use (1):');
    expect(result.stdout).toContain(`${assistantId}  Handbook helper`);

    // The answer it printed is the one Atrium stored, whole (a conversation of channel `openai`).
    const conversations = await call(h.app, 'GET', `/api/v1/assistants/${assistantId}/conversations`, { token: h.tenant.token });
    expect(conversations.body.data).toHaveLength(1);
    expect(conversations.body.data[0].channel).toBe('openai');
    const conversation = await call(h.app, 'GET', `/api/v1/conversations/${conversations.body.data[0].id}`, { token: h.tenant.token });
    const answer = conversation.body.messages.at(-1);
    expect(answer).toMatchObject({ role: 'assistant', finishReason: 'stop', model: 'local-extractive-v1', citations: [1] });
    expect(answer.content).toContain('Employees receive 28 days of paid annual leave per calendar year. [1]');
    expect(result.stdout).toContain(`A: ${answer.content}\n`);
    expect(result.stdout).toMatch(/Sources:\n {2}\[1\] Employee handbook: /);
    expect(result.stdout).toMatch(/Tokens: \d+ prompt, \d+ completion/);
  });

  it('picks the first model when no assistant is named', async () => {
    const result = await runExample({ ATRIUM_URL: server.url, ATRIUM_API_KEY: apiKey }, 'When are travel expenses reimbursed?');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('within 14 days');
  });

  it('ends with exit code 1 and one line on stderr for a wrong key or an unknown assistant', async () => {
    const wrongKey = await runExample({ ATRIUM_URL: server.url, ATRIUM_API_KEY: 'atr_sk_not-a-real-key' }, 'Hello?');
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('(invalid_api_key)');

    const unknown = await runExample(
      { ATRIUM_URL: server.url, ATRIUM_API_KEY: apiKey, ATRIUM_ASSISTANT_ID: '0190a0a0-0000-7000-8000-00000000abcd' },
      'Hello?',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('(model_not_found)');

    const noKey = await runExample({ ATRIUM_URL: server.url }, 'Hello?');
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('Set ATRIUM_API_KEY');
  });
});
