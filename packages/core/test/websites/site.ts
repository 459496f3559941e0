import type { JobRunContext } from '../../src/ports/index.js';
import type { FakeWebPage } from '../../src/test/index.js';

/** A web page with a title, a language, a paragraph of text and links. */
export const page = (title: string, options: { text?: string; links?: string[]; canonical?: string; lang?: string; head?: string } = {}): FakeWebPage => ({
  body: `<!doctype html><html lang="${options.lang ?? 'en'}"><head><title>${title}</title>${
    options.canonical ? `<link rel="canonical" href="${options.canonical}">` : ''
  }${options.head ?? ''}</head><body><nav>${(options.links ?? []).map((href) => `<a href="${href}">${href}</a>`).join(' ')}</nav>
<main><h1>${title}</h1><p>${options.text ?? `This page is about ${title}. It explains ${title} in plain words for every reader who asks about ${title}.`}</p></main>
<footer>Copyright</footer></body></html>`,
});

export const runContext = (signal = new AbortController().signal): JobRunContext => ({
  attempt: 1,
  finalAttempt: true,
  signal,
  progress: async () => {},
});
