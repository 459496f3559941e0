/**
 * HTML → main content → Markdown → blocks.
 *
 * Web pages carry navigation, cookie banners and footers that would pollute every
 * answer, so the article is isolated with Mozilla Readability (the Firefox Reader View
 * algorithm) on a linkedom DOM, falling back to the <body> minus obvious boilerplate
 * when Readability finds nothing. The content then goes through turndown to Markdown so
 * that HTML, DOCX and Markdown share one path to blocks (markdown.ts).
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import TurndownService from 'turndown';
import type { ExtractedDocument, WebPageFacts } from '../../ports/ingestion.js';
import { markdownToBlocks, type MarkdownResult } from './markdown.js';

/** Readability walks every element; past this many the page is not an article and we fall back. */
const MAX_ELEMENTS_FOR_READABILITY = 100_000;

const NEVER_CONTENT = ['script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'canvas'];
/** Site chrome. Navigation is never content; headers, footers, sidebars and forms are, inside an article. */
const NAVIGATION_SELECTOR = 'nav, [role="navigation"]';
const CHROME_SELECTOR = 'header, footer, aside, form, [role="banner"], [role="contentinfo"], [aria-hidden="true"]';
/**
 * Cookie and consent banners, wherever they sit: the ids and classes of the common consent
 * tools (OneTrust, Cookiebot, Osano, cookieconsent, Complianz, Didomi, Usercentrics,
 * Quantcast) and the usual hand-written names. Names only, not any "cookie" (a recipe
 * site's `cookie-recipe` is content).
 */
const CONSENT_SELECTOR = [
  '#onetrust-consent-sdk', '#onetrust-banner-sdk', '#CybotCookiebotDialog', '.osano-cm-window', '.cc-window', '.cc-banner',
  '#cmplz-cookiebanner-container', '.cmplz-cookiebanner', '#didomi-host', '#usercentrics-root', '#qc-cmp2-container',
  '#cookie-banner', '.cookie-banner', '#cookie-notice', '.cookie-notice', '#cookie-consent', '.cookie-consent',
  '#cookie-bar', '.cookie-bar', '#cookie-law-info-bar', '#gdpr-cookie-notice', '.gdpr-banner', '#consent-banner', '.consent-banner',
  '[aria-label="cookie banner" i]', '[aria-label="cookie consent" i]', '[aria-label="cookies" i]',
].join(', ');

/** Links read from one page at most: a page with more is a link farm, not a page to follow everywhere. */
export const MAX_PAGE_LINKS = 5_000;

export function extractHtml(html: string): ExtractedDocument {
  const { contentHtml, pageTitle, firstH1, web } = mainContent(html);
  const { blocks } = htmlFragmentToBlocks(contentHtml);
  // Readability drops the article's H1 when it repeats the title, or keeps it as an H2;
  // make it the H1 again so chunks keep it in their heading path, once.
  if (firstH1 && !blocks.some((block) => block.kind === 'heading' && block.level === 1)) {
    const firstHeading = blocks.find((block) => block.kind === 'heading');
    if (firstHeading?.text === firstH1) firstHeading.level = 1;
    else blocks.unshift({ kind: 'heading', level: 1, text: firstH1 });
  }
  // "<h1>How tides work</h1>" beats "How tides work | Ocean Weekly" when the two agree.
  const title = firstH1 && (!pageTitle || pageTitle.includes(firstH1)) ? firstH1 : pageTitle || firstH1;
  return title ? { format: 'html', title, blocks, web } : { format: 'html', blocks, web };
}

/** Converts trusted-shape HTML (e.g. mammoth's DOCX output) without looking for a main article. */
export function htmlFragmentToBlocks(html: string): MarkdownResult {
  return markdownToBlocks(createTurndown().turndown(html));
}

interface MainContent {
  contentHtml: string;
  pageTitle: string | undefined;
  firstH1: string | undefined;
  web: WebPageFacts;
}

/** Read before any chrome is removed: navigation is how a crawler finds the rest of a site. */
function webPageFacts(document: Document): WebPageFacts {
  const attr = (selector: string, name: string) => document.querySelector(selector)?.getAttribute(name)?.trim() || undefined;
  const links: string[] = [];
  for (const a of document.querySelectorAll('a[href]')) {
    if (links.length >= MAX_PAGE_LINKS) break;
    const href = a.getAttribute('href')?.trim();
    if (href) links.push(href);
  }
  const robots = (attr('meta[name="robots" i]', 'content') ?? '').toLowerCase();
  const language = attr('html', 'lang');
  const canonical = attr('link[rel~="canonical" i]', 'href');
  const base = attr('base[href]', 'href');
  return {
    ...(language && { language }),
    ...(canonical && { canonical }),
    ...(base && { base }),
    links,
    noindex: /\b(noindex|none)\b/.test(robots),
    nofollow: /\b(nofollow|none)\b/.test(robots),
  };
}

/**
 * linkedom builds no <head> or <body> for markup that leaves them out (a fragment, or a page
 * written as HTML allows, without the optional tags), so it would find neither title nor
 * text: give it the skeleton a browser's parser would.
 */
function parseDocument(html: string): Document {
  if (/<body[\s>]/i.test(html)) return parseHTML(html).document;
  const { document } = parseHTML('<!doctype html><html><head></head><body></body></html>');
  // The <html> tag's own attributes (lang, dir) survive: the page's language is read there.
  const given = parseHTML(html).document.documentElement;
  if (given?.localName === 'html') for (const { name, value } of Array.from(given.attributes)) document.documentElement.setAttribute(name, value);
  document.body.innerHTML = html.replace(/<!doctype[^>]*>|<\/?(html|head)(\s[^>]*)?>/gi, '');
  for (const element of document.body.querySelectorAll('title, meta, link, base')) document.head.append(element);
  return document;
}

function mainContent(html: string): MainContent {
  const original = parseDocument(html);
  const pageTitle = collapse(original.title ?? '') || undefined;
  const firstH1 = collapse(original.querySelector('main h1, article h1, h1')?.textContent ?? '') || undefined;
  const web = webPageFacts(original);
  const document = parseDocument(html);
  // Readability scores paragraphs and keeps everything on short pages; removing semantic
  // chrome first means a small page does not come back with its menu.
  removeSiteChrome(document);
  try {
    const article = new Readability(document, { maxElemsToParse: MAX_ELEMENTS_FOR_READABILITY }).parse();
    if (article?.content && collapse(article.textContent ?? '') !== '') {
      return { contentHtml: article.content, pageTitle, firstH1, web };
    }
  } catch {
    // Readability gives up on pages it cannot score (or that are too large): use the body.
  }
  const fallback = parseDocument(html);
  removeSiteChrome(fallback);
  return { contentHtml: fallback.body?.innerHTML ?? '', pageTitle, firstH1, web };
}

function removeSiteChrome(document: Document): void {
  for (const element of document.querySelectorAll(`${NEVER_CONTENT.join(',')},${NAVIGATION_SELECTOR},${CONSENT_SELECTOR}`)) element.remove();
  for (const element of document.querySelectorAll(CHROME_SELECTOR)) {
    if (!element.parentElement?.closest('article, main')) element.remove();
  }
}

function createTurndown(): TurndownService {
  const turndown = new TurndownService({
    headingStyle: 'atx',
    codeBlockStyle: 'fenced',
    bulletListMarker: '-',
    emDelimiter: '_',
  });
  turndown.remove([...NEVER_CONTENT, 'img'] as TurndownService.TagName[]);
  // Tables become GFM pipe tables (first row as header) so markdown.ts sees a real table
  // token; turndown alone would flatten the cells into loose paragraphs.
  turndown.addRule('pipeTables', { filter: 'table', replacement: (_content, node) => `\n\n${pipeTable(node)}\n\n` });
  return turndown;
}

function pipeTable(table: HTMLElement): string {
  const rows = tableRows(table).map((row) =>
    Array.from(row.children)
      .filter((cell) => cell.nodeName === 'TD' || cell.nodeName === 'TH')
      .map((cell) => collapse(cell.textContent ?? '').replace(/\|/g, '\\|')),
  );
  const width = Math.max(0, ...rows.map((row) => row.length));
  if (width === 0) return '';
  const line = (cells: string[]): string =>
    `| ${Array.from({ length: width }, (_, i) => cells[i] || ' ').join(' | ')} |`;
  const [header = [], ...body] = rows;
  return [line(header), line(Array(width).fill('---')), ...body.map(line)].join('\n');
}

/** Rows of this table only (not of tables nested in its cells). */
function tableRows(table: Element): Element[] {
  const rows: Element[] = [];
  for (const child of Array.from(table.children)) {
    if (child.nodeName === 'TR') rows.push(child);
    else if (['THEAD', 'TBODY', 'TFOOT'].includes(child.nodeName)) {
      rows.push(...Array.from(child.children).filter((row) => row.nodeName === 'TR'));
    }
  }
  return rows;
}

const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();
