// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AtriumChat } from './index.js';
import './index.js';

const config = {
  assistantId: 'a1',
  name: 'Shop helper',
  greeting: 'Hi! Ask me anything.',
  starterPrompts: ['How do refunds work?'],
  theme: { primaryColor: '#ffcc00', position: 'bottom-left' },
  identityRequired: false,
};
const reference = { id: 'ch1', index: 1, documentId: 'd1', documentTitle: 'Refund policy', url: 'https://shop.example/refunds', text: 'Refunds take 5 days.', score: 0.9 };

const sse = (events: [string, unknown][]) =>
  new Response(events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join(''), {
    headers: { 'content-type': 'text/event-stream' },
  });
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': status < 400 ? 'application/json' : 'application/problem+json' } });
const answer = (text: string) =>
  sse([
    ['start', { conversationId: 'c1', messageId: 'm1' }],
    ['references', { references: [reference] }],
    ...text.split(/(?<= )/).map((piece): [string, unknown] => ['delta', { text: piece }]),
    ['done', { messageId: 'm1', finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 1 } }],
  ]);

/** A fake Atrium: config and sessions always work; chat answers with `chat()`. */
let chat: () => Response;
const requests: { url: string; body: unknown }[] = [];
beforeEach(() => {
  requests.length = 0;
  localStorage.clear();
  chat = () => answer('Refunds take 5 days [1].');
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      requests.push({ url: url.pathname, body: init?.body ? JSON.parse(String(init.body)) : undefined });
      if (url.pathname === '/api/v1/widget/config') return json(config);
      if (url.pathname === '/api/v1/widget/sessions') return json({ visitorToken: 'vt1', expiresIn: 3600, visitor: { id: 'v', verified: false, name: null } }, 201);
      if (url.pathname === '/api/v1/widget/chat') return chat();
      if (url.pathname.startsWith('/api/v1/widget/messages/')) return json({ messageId: 'm1', rating: 'up' });
      return json({ status: 404 }, 404);
    }),
  );
});
afterEach(() => {
  document.body.replaceChildren();
  vi.unstubAllGlobals();
});

const mount = async (attributes: Record<string, string> = {}): Promise<AtriumChat> => {
  const element = document.createElement('atrium-chat');
  element.setAttribute('public-key', 'atr_pk_test');
  element.setAttribute('base-url', 'https://atrium.test');
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  document.body.append(element);
  await vi.waitFor(() => expect(part(element, 'title').textContent).toBe('Shop helper'));
  return element;
};
const part = (element: AtriumChat, name: string) => element.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`)!;
const parts = (element: AtriumChat, name: string) => [...element.shadowRoot!.querySelectorAll<HTMLElement>(`[part~="${name}"]`)];

const ask = async (element: AtriumChat, text: string) => {
  const input = part(element, 'input') as HTMLTextAreaElement;
  input.value = text;
  input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
  await vi.waitFor(() => expect(part(element, 'message-assistant')?.getAttribute('aria-busy')).toBe('false'));
};

describe('<atrium-chat>', () => {
  it('shows a labelled launcher; opening moves focus in, Escape closes and gives it back', async () => {
    const element = await mount();
    const events: string[] = [];
    element.addEventListener('atrium-open', (e) => events.push(e.type));
    element.addEventListener('atrium-close', (e) => events.push(e.type));
    const launcher = part(element, 'launcher');
    expect(launcher.getAttribute('aria-label')).toBe('Open chat');
    expect(launcher.getAttribute('aria-expanded')).toBe('false');
    expect(part(element, 'panel').hidden).toBe(true);

    launcher.click();
    await element.updateComplete;
    expect(element.hasAttribute('open')).toBe(true);
    expect(part(element, 'panel').hidden).toBe(false);
    expect(element.shadowRoot!.activeElement).toBe(part(element, 'input'));

    part(element, 'panel').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await element.updateComplete;
    expect(element.hasAttribute('open')).toBe(false);
    expect(element.shadowRoot!.activeElement).toBe(launcher);
    expect(events).toEqual(['atrium-open', 'atrium-close']);
  });

  it('shows the greeting, starter prompts and the theme from the widget settings', async () => {
    const element = await mount();
    expect(part(element, 'greeting').textContent).toBe('Hi! Ask me anything.');
    expect(parts(element, 'starter-prompt').map((b) => b.textContent)).toEqual(['How do refunds work?']);
    const root = element.shadowRoot!.querySelector<HTMLElement>('.root')!;
    expect(root.style.getPropertyValue('--_theme-primary')).toBe('#ffcc00');
    // Dark text on a yellow brand colour, for contrast.
    expect(root.style.getPropertyValue('--_theme-on-primary')).toBe('#111');
    expect(root.classList.contains('left')).toBe(true);
  });

  it('streams an answer with a citation, sources, feedback and events', async () => {
    const element = await mount({ open: '' });
    const messages: unknown[] = [];
    element.addEventListener('atrium-message', (e) => messages.push(e.detail));
    await ask(element, 'How long do refunds take?');

    const reply = part(element, 'message-assistant');
    expect(reply.getAttribute('part')).toBe('message message-assistant');
    expect(reply.dataset.messageId).toBe('m1');
    expect(reply.textContent).toContain('Refunds take 5 days');
    const citation = part(element, 'citation');
    expect(citation.textContent).toBe('[1]');
    expect(part(element, 'sources').textContent).toContain('Refund policy');
    citation.click();
    expect(part(element, 'sources').querySelector('details')!.hasAttribute('open')).toBe(true);

    expect(messages).toEqual([
      { role: 'user', text: 'How long do refunds take?', messageId: null, conversationId: null, references: [] },
      { role: 'assistant', text: 'Refunds take 5 days [1].', messageId: 'm1', conversationId: 'c1', references: [reference] },
    ]);
    expect(JSON.parse(localStorage.getItem('atrium-chat:atr_pk_test')!)).toEqual({ visitorToken: 'vt1', conversationId: 'c1' });

    part(element, 'feedback-up').click();
    await vi.waitFor(() => expect(part(element, 'feedback-up').getAttribute('aria-pressed')).toBe('true'));
    expect(requests.at(-1)).toEqual({ url: '/api/v1/widget/messages/m1/feedback', body: { rating: 'up' } });
  });

  it('never turns model output into markup, nor links to javascript:', async () => {
    chat = () => answer('<img src=x onerror="alert(1)"> <script>alert(2)</script> [click](javascript:alert(3))');
    const element = await mount({ open: '' });
    await ask(element, 'Hello?');
    const reply = part(element, 'message-assistant');
    expect(reply.querySelector('img, script')).toBeNull();
    expect(reply.querySelector('a')).toBeNull();
    expect(reply.textContent).toContain('<img src=x onerror="alert(1)">');
  });

  it('shows a rate-limit error with a retry that asks again', async () => {
    chat = () => json({ status: 429, code: 'rate_limited', title: 'Too many requests' }, 429);
    const element = await mount({ open: '' });
    const errors: unknown[] = [];
    element.addEventListener('atrium-error', (e) => errors.push(e.detail));
    const input = part(element, 'input') as HTMLTextAreaElement;
    input.value = 'Hello?';
    part(element, 'composer').dispatchEvent(new Event('submit', { cancelable: true }));
    await vi.waitFor(() => expect(part(element, 'error')?.dataset.errorCode).toBe('rate_limited'));
    expect(errors).toEqual([expect.objectContaining({ code: 'rate_limited', status: 429 })]);

    chat = () => answer('Now it works.');
    part(element, 'retry-button').click();
    await vi.waitFor(() => expect(part(element, 'message-assistant')?.textContent).toContain('Now it works.'));
    expect(part(element, 'error')).toBeNull();
  });

  it('starts a new conversation from the header', async () => {
    const element = await mount({ open: '' });
    await ask(element, 'Hello?');
    part(element, 'new-conversation-button').click();
    await element.updateComplete;
    expect(parts(element, 'message')).toHaveLength(0);
    expect(JSON.parse(localStorage.getItem('atrium-chat:atr_pk_test')!)).toEqual({ visitorToken: 'vt1' });
  });

  it('speaks Swedish and German, and lays out right to left for RTL languages', async () => {
    const sv = await mount({ lang: 'sv' });
    expect(part(sv, 'launcher').getAttribute('aria-label')).toBe('Öppna chatten');
    const de = await mount({ lang: 'de-DE' });
    expect(part(de, 'send-button').getAttribute('aria-label')).toBe('Senden');
    const ar = await mount({ lang: 'ar' });
    expect(ar.shadowRoot!.querySelector('.root')!.getAttribute('dir')).toBe('rtl');
    expect(part(ar, 'launcher').getAttribute('aria-label')).toBe('Open chat');
  });

  it('inline mode shows the panel at once, with no launcher and no close button', async () => {
    const element = await mount({ mode: 'inline' });
    expect(part(element, 'launcher')).toBeNull();
    expect(part(element, 'close-button')).toBeNull();
    expect(part(element, 'panel').hidden).toBe(false);
  });

  it('keeps two instances apart', async () => {
    const first = await mount({ open: '', 'storage-key': 'one' });
    const second = await mount({ open: '', 'storage-key': 'two' });
    await ask(first, 'Only here');
    expect(parts(first, 'message')).toHaveLength(2);
    expect(parts(second, 'message')).toHaveLength(0);
    expect(localStorage.getItem('atrium-chat:atr_pk_test:two')).toBeNull();
  });
});
