/**
 * The built ESM in a real browser (Debian's Chromium, never a downloaded one): a page
 * imports the SDK, reads a list from Atrium on another origin and streams a chat from it,
 * through CORS (a POST with its `Idempotency-Key` passes the preflight).
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Atrium } from '../src/index.js';
import { startTestServer, type TestServer } from './server.js';

const OUT_DIR = join(tmpdir(), `atrium-sdk-browser-${process.pid}`);

const chromiumPath = (): string => {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('This test needs Debian\'s Chromium: apt-get install -y chromium');
  }
};

const PAGE = `<!doctype html><meta charset="utf-8"><title>sdk</title>
<script type="module">
  import { Atrium, ChatStream } from '/sdk/index.js';
  window.run = async ({ apiKey, atriumURL, assistantId }) => {
    const remote = new Atrium({ apiKey, baseURL: atriumURL });
    const spaces = [];
    for await (const space of remote.spaces.list()) spaces.push(space.name);
    const stream = await remote.assistants.chat(assistantId, { message: 'How long do refunds take?' });
    const types = [];
    for await (const event of stream) types.push(event.type);
    const answer = await stream.finalMessage();
    return { spaces, types, content: answer.content, isStream: stream instanceof ChatStream };
  };
  window.ready = true;
</script>`;

/** Serves the page and the SDK bundle, on an origin of its own. */
const startPageServer = async (): Promise<{ url: string; server: Server }> => {
  const server = createServer(async (req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/sdk/')) {
      const body = await readFile(join(OUT_DIR, url.slice('/sdk/'.length).replace(/[^\w.-]/g, ''))).catch(() => undefined);
      res.writeHead(body ? 200 : 404, { 'Content-Type': 'text/javascript' }).end(body);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  return { url: `http://localhost:${(server.address() as AddressInfo).port}`, server };
};

describe('the built SDK in Chromium', () => {
  let atrium: TestServer;
  let page: { url: string; server: Server };
  let browser: Browser;
  let apiKey: string;
  let assistantId: string;

  beforeAll(async () => {
    const executablePath = chromiumPath();
    // The same build settings as tsup.config.ts, ESM only and without declarations.
    await build({
      entry: { index: fileURLToPath(new URL('../src/index.ts', import.meta.url)) },
      format: ['esm'],
      outDir: OUT_DIR,
      splitting: true,
      target: 'es2022',
      platform: 'neutral',
      dts: false,
      silent: true,
      config: false,
    });
    atrium = await startTestServer();
    const owner = new Atrium({ accessToken: atrium.token, baseURL: atrium.url });
    const space = await owner.spaces.create({ name: 'Browser space' });
    const kb = await owner.collections.create(space.id, { name: 'KB' });
    const { document } = await owner.documents.create(kb.id, { title: 'Refunds', text: 'Refunds are paid back within 14 days.' });
    await owner.documents.waitUntilReady(document.id, { pollInterval: 50 });
    assistantId = (await owner.assistants.create(space.id, { name: 'Helper', collectionIds: [kb.id], published: true })).id;
    apiKey = (await owner.apiKeys.create({ name: 'browser' })).key;
    page = await startPageServer();
    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => page?.server.close(resolve));
    await atrium?.close();
  });

  it('lists and streams a chat across origins', async () => {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(page.url);
    await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    const result = await tab.evaluate(
      (args) => (window as unknown as { run: (a: typeof args) => Promise<Record<string, unknown>> }).run(args),
      { apiKey, atriumURL: atrium.url, assistantId },
    );
    expect(errors).toEqual([]);
    expect(result.spaces).toEqual(['Browser space']);
    expect(result.types).toEqual(['start', 'references', ...Array((result.types as string[]).length - 3).fill('delta'), 'done']);
    expect(result.content).toContain('within 14 days');
    expect(result.isStream).toBe(true);
  });
});
