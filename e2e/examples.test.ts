/**
 * examples/script-tag and examples/react run: each is built (React) and served as its README
 * says, on localhost, against the real Atrium app on 127.0.0.1, and in Chromium the widget
 * mounts and answers.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWidgetAssistant, startAtrium, type RunningAtrium, type WidgetAssistant } from './lib/atrium.js';
import { browserAvailable, launchChromium } from './lib/browser.js';

const run = promisify(execFile);
const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, 'localhost', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

/** Runs an example's `serve.mjs` with `env`; resolves once it says where it serves. */
const serveExample = (dir: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> =>
  new Promise((resolve, reject) => {
    const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
    const child = spawn(process.execPath, ['serve.mjs'], { cwd: `${EXAMPLES}${dir}`, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${dir}/serve.mjs did not start: ${out}`)), 15_000);
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      const url = /on (http:\/\/localhost:\d+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.stderr!.on('data', (data: Buffer) => (out += data.toString()));
    child.once('exit', (code) => reject(new Error(`${dir}/serve.mjs exited with ${code}: ${out}`)));
  });

const answerOf = async (chat: Locator, question: string): Promise<string> => {
  await chat.locator('[part~="input"]').fill(question);
  await chat.locator('[part~="send-button"]').click();
  const answer = chat.locator('[part~="message-assistant"]').last();
  await answer.waitFor({ state: 'visible', timeout: 20_000 });
  await expect.poll(() => answer.getAttribute('aria-busy'), { timeout: 20_000 }).not.toBe('true');
  return (await answer.textContent()) ?? '';
};

const describeBrowser = browserAvailable() ? describe : describe.skip;

describeBrowser('the examples in Chromium', () => {
  let atrium: RunningAtrium;
  let browser: Browser;
  let widget: WidgetAssistant;
  const ports = { scriptTag: 0, react: 0 };
  const servers: ChildProcess[] = [];

  beforeAll(async () => {
    [ports.scriptTag, ports.react] = await Promise.all([freePort(), freePort()]);
    [atrium, browser] = await Promise.all([startAtrium(), launchChromium()]);
    widget = await createWidgetAssistant(
      atrium,
      'Shop helper',
      { Refunds: 'Refunds are paid back to the original card within 14 days.' },
      { enabled: true, allowedOrigins: [`http://localhost:${ports.scriptTag}`, `http://localhost:${ports.react}`] },
    );
  });

  afterAll(async () => {
    for (const child of servers) child.kill();
    await browser?.close();
    await atrium?.close();
  });

  /** A fresh browser context on `url`, collecting the page's uncaught errors. */
  const openPage = async (url: string) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    return { context, page, errors };
  };

  it('examples/script-tag: the snippet mounts a bubble that answers', async () => {
    const served = await serveExample('script-tag', { ATRIUM_URL: atrium.url, ATRIUM_WIDGET_KEY: widget.publicKey, PORT: String(ports.scriptTag) });
    servers.push(served.child);
    const { context, page, errors } = await openPage(served.url);
    const chat = page.locator('atrium-chat');
    await chat.locator('[part~="launcher"]').click();
    expect(await answerOf(chat, 'How long do refunds take?')).toContain('within 14 days');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('examples/react: builds, and its <atrium-chat> mounts inline, answers and reports the answer to React', async () => {
    const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
    await run(process.execPath, ['build.mjs'], {
      cwd: `${EXAMPLES}react`,
      env: { ...inherited, ATRIUM_URL: atrium.url, ATRIUM_WIDGET_KEY: widget.publicKey },
      timeout: 60_000,
    });
    const served = await serveExample('react', { PORT: String(ports.react) });
    servers.push(served.child);
    const { context, page, errors } = await openPage(served.url);
    await page.getByRole('heading', { name: 'Acme Shop' }).waitFor();
    const chat = page.locator('atrium-chat');
    expect(await answerOf(chat, 'How long do refunds take?')).toContain('within 14 days');
    await expect.poll(() => page.getByTestId('answers').textContent()).toBe('1');
    expect(errors).toEqual([]);
    await context.close();
  });
});
