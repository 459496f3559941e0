/**
 * examples/node-sdk must run: the script, as a child process, against a started server,
 * with an API key from its environment as its README says. It loads the SDK from source
 * (the `@atrium/source` condition), so no build is needed first.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Atrium } from '../src/index.js';
import { startTestServer, type TestServer } from './server.js';

const run = promisify(execFile);
const EXAMPLE_DIR = fileURLToPath(new URL('../../../examples/node-sdk/', import.meta.url));

const runExample = async (env: Record<string, string>, question: string) => {
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--conditions=@atrium/source', '--import', 'tsx', 'index.mjs', question], {
      cwd: EXAMPLE_DIR,
      env: { ...inherited, ATRIUM_API_KEY: '', ATRIUM_BASE_URL: '', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(error) };
  }
};

describe('examples/node-sdk', () => {
  let server: TestServer;
  let apiKey: string;

  beforeAll(async () => {
    server = await startTestServer();
    const owner = new Atrium({ accessToken: server.token, baseURL: server.url });
    apiKey = (await owner.apiKeys.create({ name: 'node-sdk example' })).key;
  }, 120_000);
  afterAll(async () => server?.close());

  it('uploads, waits and prints the streamed answer with its sources', async () => {
    const result = await runExample({ ATRIUM_BASE_URL: server.url, ATRIUM_API_KEY: apiKey }, 'How long do refunds take?');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Uploaded Customer handbook; waiting for it to be ready...');
    expect(result.stdout).toMatch(/Ready: \d+ chunks\./);
    expect(result.stdout, result.stdout).toMatch(/A: [^]*within 14 days/);
    expect(result.stdout).toMatch(/Sources:\n {2}\[1\] Customer handbook: /);

    // What it printed is what the server stored.
    const owner = new Atrium({ accessToken: server.token, baseURL: server.url });
    const spaces = (await owner.spaces.list()).data.filter((s) => s.name === 'SDK example');
    expect(spaces).toHaveLength(1);
  }, 90_000);

  it('ends with exit code 1 and one line on stderr for a wrong key', async () => {
    const result = await runExample({ ATRIUM_BASE_URL: server.url, ATRIUM_API_KEY: 'atr_sk_not-a-real-key' }, 'Hello?');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^AuthenticationError: 401 .*\(\w+\) \[.+\]/);
  }, 90_000);
});
