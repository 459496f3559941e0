// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { MarkdownView, safeHref } from './markdown.js';

/** Streams `text` in small pieces, as deltas arrive. */
const stream = (text: string, view = new MarkdownView({ citation: citationButton })) => {
  for (let i = 0; i < text.length; i += 3) view.update(text.slice(0, i + 3), false);
  view.update(text, true);
  return view.element;
};

const citationButton = (index: number) => {
  if (index > 3) return undefined;
  const button = document.createElement('button');
  button.dataset.citation = String(index);
  button.textContent = `[${index}]`;
  return button;
};

describe('safeHref', () => {
  it.each(['https://example.com/a?b=1', 'http://example.com', 'mailto:help@example.com'])('keeps %s', (href) => {
    expect(safeHref(href)).toBe(new URL(href).href);
  });

  it.each(['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' \tjavascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'blob:https://x/y', 'file:///etc/passwd'])(
    'drops %s',
    (href) => {
      expect(safeHref(href)).toBeUndefined();
    },
  );
});

describe('MarkdownView', () => {
  it('renders Markdown as elements while it streams', () => {
    const root = stream('# Title\n\nSome **bold** and `code`.\n\n```js\nlet x = 1;\n```\n\n- one\n- two\n');
    expect(root.querySelector('h1')?.textContent).toBe('Title');
    expect(root.querySelector('strong')?.textContent).toBe('bold');
    expect(root.querySelector('p code')?.textContent).toBe('code');
    expect(root.querySelector('pre > code')?.textContent).toContain('let x = 1;');
    expect([...root.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['one', 'two']);
  });

  it('shows HTML from the model as text, never as markup', () => {
    const root = stream('Hi <img src=x onerror="alert(1)"> and <script>alert(2)</script> **ok**');
    expect(root.querySelector('img, script')).toBeNull();
    expect(root.textContent).toContain('<img src=x onerror="alert(1)">');
    expect(root.textContent).toContain('<script>alert(2)</script>');
  });

  it('keeps http(s) links, opening in a new tab without the opener', () => {
    const root = stream('See [the docs](https://docs.example/a) now.');
    const link = root.querySelector('a')!;
    expect(link.getAttribute('href')).toBe('https://docs.example/a');
    expect(link.getAttribute('rel')).toContain('noopener');
    expect(link.textContent).toBe('the docs');
  });

  it('drops javascript: and data: links, leaving their text', () => {
    const root = stream('Click [here](javascript:alert(1)) or [there](data:text/html,x) please');
    expect(root.querySelector('a')).toBeNull();
    expect(root.textContent).toContain('here');
    expect(root.textContent).toContain('there');
    expect(root.innerHTML).not.toContain('javascript:');
  });

  it('turns an image into a link to it, so nothing loads by itself', () => {
    const root = stream('![a cat](https://img.example/cat.png) ![x](javascript:alert(1))');
    expect(root.querySelector('img')).toBeNull();
    const links = root.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]!.getAttribute('href')).toBe('https://img.example/cat.png');
  });

  it('turns [n] into a citation when there is such a source, and leaves other brackets as text', () => {
    const root = stream('Refunds take 5 days [1][2]. See [9] and [note].');
    expect([...root.querySelectorAll('[data-citation]')].map((b) => b.getAttribute('data-citation'))).toEqual(['1', '2']);
    expect(root.textContent).toBe('Refunds take 5 days [1][2]. See [9] and [note].');
  });

  it.each([1, 3, 1000])('keeps underscores inside words as text, streamed %i characters at a time', (step) => {
    const text =
      'Set OPENAI_API_KEY and snake__case in `MY_VAR_NAME`, see [docs](https://x.example/a_b_c).\n\n```\nexport DB_HOST_NAME=1\n```\n\nBut _this_ and __that__ stay emphasis, like 2_000_000 does not.';
    const view = new MarkdownView();
    for (let i = step; i < text.length; i += step) view.update(text.slice(0, i), false);
    view.update(text, true);
    const root = view.element;
    expect(root.textContent).toContain('Set OPENAI_API_KEY and snake__case in MY_VAR_NAME, see docs.');
    expect(root.querySelector('p code')?.textContent).toBe('MY_VAR_NAME');
    expect(root.querySelector('pre code')?.textContent).toContain('DB_HOST_NAME=1');
    expect(root.querySelector('a')?.getAttribute('href')).toBe('https://x.example/a_b_c');
    expect([...root.querySelectorAll('em, strong')].map((node) => `${node.tagName}:${node.textContent}`)).toEqual(['EM:this', 'STRONG:that']);
    expect(root.textContent).toContain('like 2_000_000 does not.');
    expect(root.textContent).not.toContain('\uE000');
  });

  it.each([1, 2, 1000])('lets an underscore after a word close emphasis but never open it, streamed %i characters at a time', (step) => {
    const text = 'Use foo_. Then bar_ and baz__, but _quoted_. and __init__.py stay emphasis; x_ (y) too.';
    const view = new MarkdownView();
    for (let i = step; i < text.length; i += step) view.update(text.slice(0, i), false);
    view.update(text, true);
    const root = view.element;
    expect([...root.querySelectorAll('em, strong')].map((node) => `${node.tagName}:${node.textContent}`)).toEqual(['EM:quoted', 'STRONG:init']);
    expect(root.textContent).toBe('Use foo_. Then bar_ and baz__, but quoted. and init.py stay emphasis; x_ (y) too.');
  });

  it('parses only what was added since the last update', () => {
    const view = new MarkdownView();
    view.update('Hello', false);
    const first = view.element.querySelector('p')!.firstChild;
    view.update('Hello world', false);
    // The text node written first is still there: nothing was re-rendered.
    expect(view.element.querySelector('p')!.firstChild).toBe(first);
    view.update('Hello world', true);
    expect(view.element.textContent).toBe('Hello world');
  });

  it('starts again when the text is replaced rather than extended', () => {
    const view = new MarkdownView();
    view.update('First answer', true);
    view.update('Other', true);
    expect(view.element.textContent).toBe('Other');
  });
});
