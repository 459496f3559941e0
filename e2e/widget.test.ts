/**
 * The widget in real Chromium (issue 18), against the real Atrium app on 127.0.0.1 (PGlite,
 * in-process queue, local models: the extractive answerer streams quoted sentences with `[n]`
 * citations), embedded by script tag in host pages on another origin (localhost) with hostile
 * CSS and a strict CSP. One browser for the file; a fresh context (storage) per test.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWidgetAssistant, signIdentity, startAtrium, type RunningAtrium, type WidgetAssistant } from './lib/atrium.js';
import { browserAvailable, launchChromium } from './lib/browser.js';
import { chatElement, hostPage, scriptTag, startHostServer, strictCsp, type HostServer } from './lib/host.js';

const REFUNDS = 'Refunds are paid back to the original card within 14 days.\n\nExchanges are free of charge in every store.';
// Each payload on a line of its own, sharing words with the question, so the extractive answerer quotes all three.
const PAYLOADS = [
  'The falcon payload one is <img src=x onerror="window.__pwned = \'img\'"> here.',
  'The falcon payload two is <script>window.__pwned = \'script\'</script> here.',
  'The falcon payload three is [a falcon link](javascript:window.__pwned=\'link\') here.',
].join('\n\n');

/** The deepest focused element, through open shadow roots: its `part` (or tag). */
const focusedPart = (page: Page) =>
  page.evaluate(() => {
    let active: Element | null = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active?.getAttribute('part') ?? active?.tagName.toLowerCase() ?? null;
  });

/** Waits until `chat`'s last answer has finished streaming; returns its text. */
const lastAnswer = async (chat: Locator): Promise<string> => {
  const answer = chat.locator('[part~="message-assistant"]').last();
  await answer.waitFor({ state: 'visible', timeout: 20_000 });
  await expect.poll(() => answer.getAttribute('aria-busy'), { timeout: 20_000 }).not.toBe('true');
  return (await answer.textContent()) ?? '';
};

const ask = async (chat: Locator, question: string): Promise<string> => {
  const before = await chat.locator('[part~="message-assistant"]').count();
  await chat.locator('[part~="input"]').fill(question);
  await chat.locator('[part~="send-button"]').click();
  await expect.poll(() => chat.locator('[part~="message-assistant"]').count(), { timeout: 20_000 }).toBeGreaterThan(before);
  return lastAnswer(chat);
};

const describeBrowser = browserAvailable() ? describe : describe.skip;

describeBrowser('the widget in Chromium, on a hostile page of another origin', () => {
  let atrium: RunningAtrium;
  let host: HostServer;
  let browser: Browser;
  let shop: WidgetAssistant;
  let limited: WidgetAssistant;
  let elsewhere: WidgetAssistant;
  let identitySecret: string;
  const contexts: BrowserContext[] = [];
  let demoDocs: string;

  interface Opened {
    page: Page;
    /** Page errors and console errors (CSP violations among them). */
    problems: string[];
  }

  /** A page in a new context that collects uncaught errors and console errors (except `ignored`). */
  const watchedPage = async (options: { bypassCSP?: boolean } = {}, ignored?: RegExp) => {
    const context = await browser.newContext(options);
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !ignored?.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    return { page, problems };
  };

  /** Opens `html` from the host origin, with the strict CSP unless `csp` is false, in a new context. */
  const open = async (path: string, html: string, options: { csp?: boolean; bypassCSP?: boolean } = {}): Promise<Opened> => {
    const url = host.set(path, { html, headers: options.csp === false ? {} : { 'Content-Security-Policy': strictCsp(atrium.url) } });
    // Refusals the tests provoke on purpose (origin, rate limit) are logged by the browser too.
    const { page, problems } = await watchedPage({ bypassCSP: options.bypassCSP ?? false }, /Failed to load resource: the server responded with a status of (403|429)/);
    await page.goto(url);
    return { page, problems };
  };

  const bubblePage = (key: string, extra: Record<string, string | boolean> = {}) =>
    hostPage(scriptTag(`${atrium.url}/widget.js`, { 'assistant-key': key, ...extra }));

  /** Opens the bubble of the page's only widget; returns the widget. */
  const openBubble = async (page: Page): Promise<Locator> => {
    const chat = page.locator('atrium-chat');
    await chat.locator('[part~="launcher"]').click();
    await chat.locator('[part~="panel"]').waitFor({ state: 'visible' });
    return chat;
  };

  beforeAll(async () => {
    demoDocs = await mkdtemp(join(tmpdir(), 'atrium-e2e-docs-'));
    await writeFile(join(demoDocs, 'deployment.md'), '# Deployment\n\nAtrium scales out with PostgreSQL read replicas and BullMQ workers on Redis.\n');
    [atrium, host, browser] = await Promise.all([startAtrium({ demoDocs }), startHostServer(), launchChromium()]);
    const origins = [host.url];
    [shop, limited, elsewhere] = await Promise.all([
      createWidgetAssistant(atrium, 'Shop helper', { Refunds: REFUNDS, 'Falcon payloads': PAYLOADS }, { enabled: true, allowedOrigins: origins, greeting: 'Hi! Ask me about refunds.' }),
      createWidgetAssistant(atrium, 'Busy helper', { Refunds: REFUNDS }, { enabled: true, allowedOrigins: origins, rateLimit: { messagesPerMinute: 1 } }),
      createWidgetAssistant(atrium, 'Other site helper', { Refunds: REFUNDS }, { enabled: true, allowedOrigins: ['https://elsewhere.example'] }),
    ]);
    ({ identitySecret } = await atrium.core.assistants.widget.createIdentitySecret(atrium.owner, shop.assistantId));
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await host?.close();
    await atrium?.close();
    if (demoDocs) await rm(demoDocs, { recursive: true, force: true });
  });

  it('opens, takes a question and streams the answer in with a citation, untouched by the host page’s CSS and within its CSP', async () => {
    const { page, problems } = await open('/bubble', bubblePage(shop.publicKey));
    // The hostile CSS is in force on the host page itself.
    expect(await page.locator('#host-button').isVisible()).toBe(false);
    const launcher = page.locator('atrium-chat [part~="launcher"]');
    await launcher.waitFor({ state: 'visible' });
    expect(await launcher.getAttribute('aria-label')).toBeTruthy();

    const chat = await openBubble(page);
    // Watch the answer's aria-busy from inside the shadow root while it streams.
    await page.evaluate(() => {
      const root = document.querySelector('atrium-chat')!.shadowRoot!;
      (window as unknown as { busySeen: boolean }).busySeen = false;
      new MutationObserver(() => {
        if (root.querySelector('[part~="message-assistant"][aria-busy="true"]')) (window as unknown as { busySeen: boolean }).busySeen = true;
      }).observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    const answer = await ask(chat, 'How long do refunds take?');
    expect(answer).toContain('within 14 days');
    expect(await page.evaluate(() => (window as unknown as { busySeen: boolean }).busySeen)).toBe(true);
    const message = chat.locator('[part~="message-assistant"]').last();
    expect(await message.getAttribute('data-message-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await message.locator('[part~="citation"]').count()).toBeGreaterThanOrEqual(1);
    expect(await chat.locator('[part~="message-user"]').last().textContent()).toContain('How long do refunds take?');

    // The widget keeps its own type and layout: the host's 40px !important does not get in.
    const input = chat.locator('[part~="input"]');
    expect(await input.isVisible()).toBe(true);
    const fontSize = await input.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(fontSize).toBeGreaterThanOrEqual(16);
    expect(fontSize).toBeLessThan(40);
    expect(await chat.locator('[part~="send-button"]').isVisible()).toBe(true);
    expect(problems).toEqual([]);
  });

  it('works with the keyboard alone: Tab to the launcher, Enter opens, Enter sends, Shift+Enter breaks a line, Escape closes and gives focus back', async () => {
    const { page, problems } = await open('/keyboard', bubblePage(shop.publicKey));
    await page.locator('atrium-chat [part~="launcher"]').waitFor({ state: 'visible' });
    for (let i = 0; i < 10 && (await focusedPart(page)) !== 'launcher'; i++) await page.keyboard.press('Tab');
    expect(await focusedPart(page)).toBe('launcher');

    await page.keyboard.press('Enter');
    const chat = page.locator('atrium-chat');
    await chat.locator('[part~="panel"]').waitFor({ state: 'visible' });
    await expect.poll(() => focusedPart(page)).toMatch(/\binput\b/);

    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    expect(await chat.locator('[part~="input"]').inputValue()).toBe('first line\nsecond line');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Backspace');

    await page.keyboard.type('How long do refunds take?');
    await page.keyboard.press('Enter');
    expect(await lastAnswer(chat)).toContain('within 14 days');

    await page.keyboard.press('Escape');
    await chat.locator('[part~="panel"]').waitFor({ state: 'hidden' });
    await expect.poll(() => focusedPart(page)).toBe('launcher');
    expect(problems).toEqual([]);
  });

  it('passes axe-core, open and with an answer, with no serious or critical violation', async () => {
    const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    // A plain host page (the hostile one fails contrast on its own), and CSP bypassed only so that axe can be injected.
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Accessible host</title></head><body><main><h1>Accessible host</h1>${scriptTag(`${atrium.url}/widget.js`, { 'assistant-key': shop.publicKey })}</main></body></html>`;
    const { page } = await open('/axe', html, { bypassCSP: true });
    const chat = await openBubble(page);
    await ask(chat, 'How long do refunds take?');
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }> } }).axe;
      const result = await axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
    });
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  });

  it('shows markup and script links in the model’s output as text: no payload runs, even on a page without a CSP', async () => {
    const { page } = await open('/lax', bubblePage(shop.publicKey), { csp: false });
    const chat = await openBubble(page);
    const answer = await ask(chat, 'What are the falcon payloads?');
    expect(answer).toContain('<img src=x onerror=');
    expect(answer).toContain('<script>');
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    const rendered = await page.evaluate(() => {
      const root = document.querySelector('atrium-chat')!.shadowRoot!;
      const all = [...root.querySelectorAll('*')];
      return {
        scripts: root.querySelectorAll('script').length,
        images: root.querySelectorAll('img').length,
        handlers: all.flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${el.tagName}[${a.name}]`)),
        links: [...root.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')!),
      };
    });
    expect(rendered.scripts).toBe(0);
    expect(rendered.images).toBe(0);
    expect(rendered.handlers).toEqual([]);
    for (const href of rendered.links) expect(href).not.toMatch(/^\s*(javascript|data|vbscript):/i);
    // Clicking what the model called a link runs nothing either.
    const link = chat.locator('[part~="message-assistant"] a', { hasText: 'a falcon link' });
    if ((await link.count()) > 0) await link.first().click({ noWaitAfter: true }).catch(() => {});
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
  });

  it('keeps the conversation across a reload', async () => {
    const { page, problems } = await open('/reload', bubblePage(shop.publicKey));
    let chat = await openBubble(page);
    const answer = await ask(chat, 'How long do refunds take?');
    await page.reload();
    chat = page.locator('atrium-chat');
    await chat.locator('[part~="launcher"]').waitFor({ state: 'visible' });
    if (!(await chat.locator('[part~="panel"]').isVisible())) await openBubble(page);
    await expect.poll(() => chat.locator('[part~="message-user"]').first().textContent(), { timeout: 10_000 }).toContain('How long do refunds take?');
    expect(await lastAnswer(chat)).toBe(answer);
    expect(problems).toEqual([]);
  });

  it('tells a page on an origin the widget does not allow so (origin_not_allowed)', async () => {
    const { page } = await open('/not-allowed', bubblePage(elsewhere.publicKey));
    const chat = await openBubble(page);
    const error = chat.locator('[part~="error"]');
    // The widget may find out when it opens or when the visitor first asks.
    if (!(await error.isVisible().catch(() => false))) {
      await error.waitFor({ state: 'visible', timeout: 3_000 }).catch(async () => {
        await chat.locator('[part~="input"]').fill('Hello?');
        await chat.locator('[part~="send-button"]').click();
      });
    }
    await error.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await error.getAttribute('data-error-code')).toBe('origin_not_allowed');
    expect((await error.textContent())!.trim().length).toBeGreaterThan(10);
  });

  it('shows the rate-limit message on a 429 (rate_limited)', async () => {
    const { page } = await open('/limited', bubblePage(limited.publicKey));
    const chat = await openBubble(page);
    expect(await ask(chat, 'How long do refunds take?')).toContain('within 14 days');
    await chat.locator('[part~="input"]').fill('And exchanges?');
    await chat.locator('[part~="send-button"]').click();
    const error = chat.locator('[part~="error"]');
    await error.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await error.getAttribute('data-error-code')).toBe('rate_limited');
  });

  it('runs two instances on one page, each with its own conversation', async () => {
    const attributes = { 'public-key': shop.publicKey, 'base-url': atrium.url, mode: 'inline', 'no-persist': true };
    const html = hostPage(
      `${chatElement({ id: 'first', ...attributes })}\n${chatElement({ id: 'second', ...attributes })}\n${scriptTag(`${atrium.url}/widget.js`, {})}`,
      'Two widgets',
    );
    const { page, problems } = await open('/two', html);
    const first = page.locator('atrium-chat#first');
    const second = page.locator('atrium-chat#second');
    await Promise.all([first.locator('[part~="input"]').waitFor(), second.locator('[part~="input"]').waitFor()]);
    // One after the other: a page has one keyboard focus, and typing into both at once would race for it.
    const a = await ask(first, 'How long do refunds take?');
    const b = await ask(second, 'Are exchanges free of charge?');
    expect(a).toContain('within 14 days');
    expect(b).toContain('free of charge');
    expect(await first.locator('[part~="message-user"]').allTextContents()).toEqual([expect.stringContaining('How long do refunds take?')]);
    expect(await second.locator('[part~="message-user"]').allTextContents()).toEqual([expect.stringContaining('Are exchanges free of charge?')]);
    expect(problems).toEqual([]);
  });

  it('passes a verified identity (data-identity-token) through to the assistant’s conversations', async () => {
    const token = signIdentity(identitySecret, {
      sub: 'customer-42',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const { page, problems } = await open('/identity', bubblePage(shop.publicKey, { 'identity-token': token }));
    const chat = await openBubble(page);
    await ask(chat, 'How long do refunds take?');
    const response = await fetch(`${atrium.url}/api/v1/assistants/${shop.assistantId}/conversations?scope=all&channel=widget`, {
      headers: { Authorization: `Bearer ${await atrium.token()}` },
    });
    const { data } = (await response.json()) as { data: { visitor: { verified: boolean; subject: string | null; name: string | null; email: string | null } | null }[] };
    expect(data.map((c) => c.visitor)).toContainEqual({ id: expect.any(String), verified: true, subject: 'customer-42', name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(problems).toEqual([]);
  });

  it('/demo: the demo assistant in bubble and inline modes, within the page’s own strict CSP', async () => {
    const { page, problems } = await watchedPage();
    const response = await page.goto(`${atrium.url}/demo`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    const widgets = page.locator('atrium-chat');
    await expect.poll(() => widgets.count()).toBe(2);
    await page.locator('atrium-chat[mode="bubble"] [part~="launcher"]').waitFor({ state: 'visible' });
    const inline = page.locator('atrium-chat[mode="inline"]');
    const answer = await ask(inline, 'How does Atrium scale out?');
    expect(answer).toContain('read replicas');
    expect(await inline.locator('[part~="message-assistant"]').last().locator('[part~="citation"]').count()).toBeGreaterThanOrEqual(1);
    expect(problems).toEqual([]);
  });
});
