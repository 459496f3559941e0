/**
 * What each format's extractor keeps of the document's structure. These run in-process
 * (same code as the worker, without the thread) to keep them fast and debuggable.
 */
import { describe, expect, it } from 'vitest';
import { createInProcessExtractor } from '../../src/adapters/extraction/index.js';
import type { ExtractedBlock } from '../../src/ports/ingestion.js';
import { upload, utf8 } from './fixtures.js';

const extractor = createInProcessExtractor();
const texts = (blocks: ExtractedBlock[]): string => blocks.map((block) => block.text).join('\n');

describe('PDF', () => {
  it('keeps page numbers, paragraphs, larger-font headings and the metadata title', async () => {
    const document = await extractor.extract(upload('two-pages.pdf'));
    expect(document.format).toBe('pdf');
    expect(document.title).toBe('Atrium Field Guide');
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Chapter One: Getting Started', page: 1 },
      {
        kind: 'paragraph',
        text: 'The first page explains how to install the lighthouse keeper. It spans two lines of text.',
        page: 1,
      },
      { kind: 'paragraph', text: 'A second paragraph on page one mentions the aurora borealis.', page: 1 },
      { kind: 'heading', level: 1, text: 'Chapter Two: Operations', page: 2 },
      { kind: 'paragraph', text: 'The second page describes the nightly maintenance window. Backups run at midnight.', page: 2 },
    ]);
  });

  it('reports a truncated PDF as corrupt', async () => {
    await expect(extractor.extract(upload('truncated.pdf'))).rejects.toMatchObject({ kind: 'invalid', code: 'corrupt_file' });
  });
});

describe('DOCX', () => {
  it('keeps headings with levels, list items and table cells', async () => {
    const document = await extractor.extract(upload('report.docx'));
    expect(document.format).toBe('docx');
    expect(document.title).toBe('Quarterly Report');
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Quarterly Report' },
      { kind: 'paragraph', text: 'This report summarises the harbour project for the third quarter.' },
      { kind: 'heading', level: 2, text: 'Milestones' },
      { kind: 'list', text: '- Dredging finished in July\n- New crane installed in August' },
      { kind: 'heading', level: 2, text: 'Budget' },
      { kind: 'table', text: '| Item | Cost |\n| Dredging | 120000 |\n| Crane | 450000 |' },
      { kind: 'paragraph', text: 'Figures are in euros.' },
    ]);
  });

  it('fails a DOCX without any text as empty_document', async () => {
    await expect(extractor.extract(upload('empty.docx'))).rejects.toMatchObject({ kind: 'invalid', code: 'empty_document' });
  });
});

describe('HTML', () => {
  it('keeps the article and drops navigation, sidebar, footer, scripts and styles', async () => {
    const document = await extractor.extract(upload('article.html'));
    expect(document.format).toBe('html');
    expect(document.title).toBe('How tidal power works');
    expect(document.blocks[0]).toEqual({ kind: 'heading', level: 1, text: 'How tidal power works' });
    expect(document.blocks).toContainEqual({ kind: 'heading', level: 2, text: 'Key facts' });
    expect(document.blocks).toContainEqual({ kind: 'list', text: '- Tides are predictable decades ahead.\n- La Rance opened in 1966.' });
    const all = texts(document.blocks);
    expect(all).toContain('La Rance in Brittany');
    for (const boilerplate of ['Subscribe', 'Sign in', 'Trending', 'gadgets', 'Copyright', 'Cookie', 'analytics', 'font-family']) {
      expect(all).not.toContain(boilerplate);
    }
  });

  it('drops cookie and consent banners, even inside the main content, but keeps cookies as a subject', async () => {
    const html = `<!doctype html><html lang="en"><head><title>Opening hours</title></head><body>
      <div class="cc-window" role="dialog"><p>We use cookies to improve your experience. Accept all?</p></div>
      <main><h1>Opening hours</h1><p>The library opens at nine and closes at five on weekdays.</p>
      <div id="CybotCookiebotDialog"><p>This website uses cookies. Allow selection.</p></div>
      <div class="cookie-recipe"><p>Our café bakes oatmeal cookies every morning.</p></div></main>
      <div id="onetrust-consent-sdk"><p>Manage consent preferences</p></div></body></html>`;
    const document = await extractor.extract({ bytes: utf8(html), declaredType: 'text/html' });
    const all = texts(document.blocks);
    expect(all).toContain('opens at nine');
    expect(all).toContain('oatmeal cookies');
    for (const banner of ['improve your experience', 'Allow selection', 'consent preferences']) expect(all).not.toContain(banner);
  });

  it('keeps the page heading once, as the H1, when Readability keeps it as an H2', async () => {
    const paragraphs = Array.from({ length: 6 }, (_, i) => `<p>Tides rise and fall twice a day because the moon pulls the oceans, paragraph ${i}, with enough words to count as an article.</p>`).join('');
    // Readability keeps the H1 (as an H2) when it differs from the <title>.
    const html = `<!doctype html><html><head><title>Ocean Weekly</title></head><body><article><h1>How tides work</h1>${paragraphs}<h2>Spring tides</h2><p>Spring tides come with full and new moons.</p></article></body></html>`;
    const document = await extractor.extract({ bytes: utf8(html), declaredType: 'text/html' });
    const headings = document.blocks.filter((block) => block.kind === 'heading');
    expect(headings.filter((heading) => heading.text === 'How tides work')).toEqual([{ kind: 'heading', level: 1, text: 'How tides work' }]);
    expect(headings[0]).toEqual({ kind: 'heading', level: 1, text: 'How tides work' });
  });

  it('falls back to the body when there is no article to find', async () => {
    const html = '<!doctype html><html><head><title>Tiny</title></head><body><nav>Menu</nav><p>Opening hours: 9 to 5.</p></body></html>';
    const document = await extractor.extract({ bytes: utf8(html) });
    expect(document.title).toBe('Tiny');
    expect(texts(document.blocks)).toContain('Opening hours: 9 to 5.');
    expect(texts(document.blocks)).not.toContain('Menu');
  });

  it('reports what a web page says about itself and where it leads, navigation included', async () => {
    const html = `<!doctype html><html lang="sv"><head><title>Om oss</title><base href="/sv/">
      <link rel="Canonical" href="https://example.com/sv/om"><meta name="robots" content="noindex, nofollow"></head>
      <body><nav><a href="/">Hem</a> <a href=" kontakt ">Kontakt</a> <a>no href</a></nav><main><h1>Om oss</h1><p>Vi finns i Malmö.</p></main>
      <footer><a href="https://other.example/">Partner</a></footer></body></html>`;
    const document = await extractor.extract({ bytes: utf8(html), declaredType: 'text/html' });
    expect(document.web).toEqual({
      language: 'sv',
      canonical: 'https://example.com/sv/om',
      base: '/sv/',
      links: ['/', 'kontakt', 'https://other.example/'],
      noindex: true,
      nofollow: true,
    });
    const plain = await extractor.extract({ bytes: utf8('<html><body><p>Just text.</p></body></html>') });
    expect(plain.web).toEqual({ links: [], noindex: false, nofollow: false });
  });

  it.each([
    '<title>Fragment</title><p>Opening hours: 9 to 5.</p>',
    '<html lang="en"><head><title>Fragment</title></head><p>Opening hours: 9 to 5.</p></html>',
  ])('reads a page that leaves out the optional <html>, <head> or <body> tags: %s', async (html) => {
    const document = await extractor.extract({ bytes: utf8(html), declaredType: 'text/html' });
    expect(document.format).toBe('html');
    expect(document.title).toBe('Fragment');
    expect(texts(document.blocks)).toContain('Opening hours: 9 to 5.');
    // <html lang> is kept when <body> is left out (it names the page's language).
    expect(document.web?.language).toBe(html.startsWith('<html lang="en">') ? 'en' : undefined);
  });

  it('turns HTML tables into pipe rows', async () => {
    const html =
      '<!doctype html><html><body><h1>Prices</h1><table><tr><th>Plan</th><th>Price</th></tr><tr><td>Basic</td><td>5 | 6</td></tr></table></body></html>';
    const document = await extractor.extract({ bytes: utf8(html) });
    expect(document.blocks).toContainEqual({ kind: 'table', text: '| Plan | Price |\n| Basic | 5 \\| 6 |' });
  });
});

describe('Markdown', () => {
  it('keeps heading levels, lists (nested), tables and code, and strips HTML comments and inline markup', async () => {
    const document = await extractor.extract(upload('handbook.md'));
    expect(document.format).toBe('markdown');
    expect(document.title).toBe('Operations Handbook');
    const headings = document.blocks.filter((block) => block.kind === 'heading').map(({ level, text }) => [level, text]);
    expect(headings).toEqual([
      [1, 'Operations Handbook'],
      [2, 'Deployments'],
      [3, 'Rollbacks'],
      [2, 'Contacts'],
    ]);
    expect(document.blocks).toContainEqual({ kind: 'paragraph', text: 'Welcome to the operations handbook. See the wiki for more.' });
    expect(document.blocks).toContainEqual({
      kind: 'list',
      text: '1. Stop the release.\n2. Revert the commit.\n  - Notify the on-call engineer.',
    });
    expect(document.blocks).toContainEqual({ kind: 'table', text: '| Team | Channel |\n| Platform | #platform |\n| Security | #security |' });
    expect(document.blocks).toContainEqual({ kind: 'code', text: 'atrium rollback --to previous' });
    expect(texts(document.blocks)).not.toContain('internal note');
  });
});

describe('CSV', () => {
  it('turns every row into a record that repeats the headers', async () => {
    const document = await extractor.extract(upload('people.csv'));
    expect(document.format).toBe('csv');
    expect(document.blocks).toEqual([
      { kind: 'record', text: 'name: Ada Lovelace\nrole: Mathematician\ncity: London' },
      { kind: 'record', text: 'name: Grace Hopper\nrole: Rear admiral\ncity: Arlington, Virginia' },
      { kind: 'record', text: 'name: Alan Turing\nrole: Computer scientist\ncity: Wilmslow' },
    ]);
  });

  it('names blank headers and skips empty cells', async () => {
    const document = await extractor.extract({ bytes: utf8('id,,note\n1,x,\n'), filename: 'a.csv' });
    expect(document.blocks).toEqual([{ kind: 'record', text: 'id: 1\nColumn 2: x' }]);
  });

  it('fails a CSV with only a header row as empty', async () => {
    await expect(extractor.extract({ bytes: utf8('a,b\n'), filename: 'a.csv' })).rejects.toMatchObject({ code: 'empty_document' });
  });
});

describe('plain text', () => {
  it('splits paragraphs on blank lines and keeps line breaks inside them', async () => {
    const document = await extractor.extract(upload('notes.txt'));
    expect(document).toEqual({
      format: 'text',
      blocks: [
        { kind: 'paragraph', text: 'Meeting notes' },
        { kind: 'paragraph', text: 'The harbour crane arrives on Monday.\nBring hard hats.' },
        { kind: 'paragraph', text: 'Next meeting: Friday.' },
      ],
    });
  });

  it('rejects random bytes sent as text with binary_text, and unknown binaries as unsupported', async () => {
    await expect(extractor.extract(upload('random-bytes.txt'))).rejects.toMatchObject({ kind: 'invalid', code: 'binary_text' });
    await expect(extractor.extract(upload('image-named.pdf'))).rejects.toMatchObject({
      kind: 'unsupported',
      code: 'unsupported_media_type',
    });
  });

  it('detects from the first MiB but extracts all of it: text that turns binary later fails as binary_text', async () => {
    const bytes = new Uint8Array(2 * 1024 * 1024).fill(0x61);
    bytes.fill(0, 1536 * 1024);
    await expect(extractor.detect({ bytes })).resolves.toBe('text');
    await expect(extractor.extract({ bytes })).rejects.toMatchObject({ code: 'binary_text' });
  });

    it('fails whitespace-only text as empty', async () => {
    await expect(extractor.extract({ bytes: utf8(' \n\n \t\n') })).rejects.toMatchObject({ code: 'empty_document' });
  });
});

describe('error messages', () => {
  it('are written for the person who uploaded the file', async () => {
    const error = await extractor.extract(upload('empty.docx')).catch((e: unknown) => e);
    expect((error as Error).message).toBe('No text was found in the Word (.docx) document.');
    const unsupported = await extractor.extract(upload('image-named.pdf')).catch((e: unknown) => e);
    expect((unsupported as Error).message).toMatch(/not supported\. Upload a PDF, a Word \(\.docx\) document/);
  });
});
