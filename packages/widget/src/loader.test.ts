// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';

/** Evaluates the loader as if `script` were the <script> running it. */
const load = async (attributes: Record<string, string>, src = 'https://atrium.example/widget.js') => {
  const script = document.createElement('script');
  script.setAttribute('src', src);
  for (const [name, value] of Object.entries(attributes)) script.setAttribute(name, value);
  // The mounted element starts talking to Atrium: let it wait forever instead.
  vi.stubGlobal('fetch', () => new Promise(() => {}));
  Object.defineProperty(document, 'currentScript', { value: script, configurable: true });
  vi.resetModules();
  await import('./loader.js');
  return [...document.querySelectorAll('atrium-chat')];
};

afterEach(() => {
  Reflect.deleteProperty(document, 'currentScript');
  document.body.replaceChildren();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('widget.js loader', () => {
  it('mounts a bubble talking to the origin the script came from', async () => {
    const [chat] = await load({ 'data-assistant-key': 'atr_pk_1' });
    expect(chat?.getAttribute('public-key')).toBe('atr_pk_1');
    expect(chat?.getAttribute('base-url')).toBe('https://atrium.example');
    expect(chat?.getAttribute('mode')).toBe('bubble');
    expect(chat?.parentElement).toBe(document.body);
  });

  it('passes the data attributes on, and mounts into data-target', async () => {
    const box = document.body.appendChild(document.createElement('div'));
    box.id = 'help';
    const [chat] = await load({
      'data-assistant-key': 'atr_pk_1',
      'data-mode': 'inline',
      'data-target': '#help',
      'data-lang': 'sv',
      'data-identity-token': 'host.jwt',
      'data-no-persist': '',
      'data-storage-key': 'two',
      'data-base-url': 'https://api.example',
    });
    expect(chat?.parentElement).toBe(box);
    expect(Object.fromEntries([...chat!.attributes].map((a) => [a.name, a.value]))).toEqual({
      'public-key': 'atr_pk_1',
      'base-url': 'https://api.example',
      mode: 'inline',
      lang: 'sv',
      'identity-token': 'host.jwt',
      'no-persist': '',
      'storage-key': 'two',
    });
  });

  it('mounts nothing without a key, and says why', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await load({})).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('data-assistant-key'));
  });
});
