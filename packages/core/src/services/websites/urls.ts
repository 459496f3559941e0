import picomatch from 'picomatch';
import type { Website } from '../../domain/websites.js';

/**
 * URLs as the crawler compares them: one spelling per page, so that a page reached by
 * several links is fetched and stored once (ADR 0039).
 */

/** Query parameters that track visitors and never change a page. */
const TRACKING = /^(utm_\w+|gclid|gclsrc|dclid|fbclid|msclkid|mc_cid|mc_eid|yclid|igshid|_ga|_gl|_hsenc|_hsmi|mkt_tok|vero_id|oly_enc_id|oly_anon_id|wickedid|twclid|ttclid|li_fat_id|s_cid|ref_src)$/i;

/**
 * The normal form of a web address: http(s) only, no credentials, no fragment, no tracking
 * parameters, the rest of the query sorted, no default port, no trailing slash but on the
 * root, percent-encoding as WHATWG URL writes it. Null for anything else.
 */
export const normalizeUrl = (raw: string, base?: string): string | null => {
  let url: URL;
  try {
    url = new URL(raw.trim(), base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  url.hash = '';
  const params = [...url.searchParams].filter(([key]) => !TRACKING.test(key));
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = new URLSearchParams(params).toString();
  if (url.pathname.length > 1 && url.pathname.endsWith('/')) url.pathname = url.pathname.replace(/\/+$/, '') || '/';
  return url.toString();
};

/** Extensions of links that are never pages or documents we read: not worth a request. */
const NOT_A_PAGE =
  /\.(png|jpe?g|gif|webp|avif|svg|ico|bmp|tiff?|css|js|mjs|json|xml|rss|atom|zip|gz|tgz|bz2|xz|7z|rar|tar|exe|dmg|msi|apk|iso|bin|mp3|mp4|m4a|m4v|mov|avi|mkv|webm|wav|ogg|flac|woff2?|ttf|otf|eot|pptx?|xlsx?|xls|odt|ods|odp|rtf|epub|csv)$/i;
/** Files a website may download with `includeFiles`. */
const FILE = /\.(pdf|docx)$/i;

export type LinkKind = 'page' | 'file' | 'other';

/** What a link's path says it is (servers may disagree; the fetched content type decides). */
export const linkKind = (url: string): LinkKind => {
  const path = new URL(url).pathname;
  if (FILE.test(path)) return 'file';
  return NOT_A_PAGE.test(path) ? 'other' : 'page';
};

export interface CrawlScope {
  origin: string;
  /** Pages must be this path or under it ('/' for the whole site). */
  pathPrefix: string;
  /** Whether the URL is on the site, under the start path, and passes include/exclude. */
  contains(url: string): boolean;
}

/**
 * The start URL's directory: `/docs/guide` stays `/docs/guide` (a section), `/docs/index.html`
 * becomes `/docs` (the folder of a file), `/` is the whole site.
 */
const sectionOf = (pathname: string): string => {
  const last = pathname.split('/').pop() ?? '';
  const section = last.includes('.') ? pathname.slice(0, pathname.length - last.length) : pathname;
  return section.replace(/\/+$/, '') || '/';
};

const underPath = (pathname: string, prefix: string): boolean =>
  prefix === '/' || pathname === prefix || pathname.startsWith(`${prefix}/`);

/** Include/exclude patterns are globs on the path (`/blog/**`, `**\/*.pdf`), case-sensitive like paths. */
export const pathMatcher = (patterns: readonly string[]): ((path: string) => boolean) =>
  patterns.length === 0 ? () => false : picomatch([...patterns], { dot: true });

/** Whether a pattern compiles (user input is checked before it is stored). */
export const validPattern = (pattern: string): boolean => {
  try {
    picomatch.makeRe(pattern);
    return true;
  } catch {
    return false;
  }
};

/**
 * Same site: the start URL's scheme, host and port, at or under its section, then the
 * website's include patterns (when it has any) and none of its exclude patterns.
 * `wholeSite` drops the path restriction (a sitemap URL names a file, not a section).
 */
export const crawlScope = (website: Pick<Website, 'url' | 'include' | 'exclude'>, wholeSite = false): CrawlScope => {
  const start = new URL(website.url);
  const pathPrefix = wholeSite ? '/' : sectionOf(start.pathname);
  const included = pathMatcher(website.include);
  const excluded = pathMatcher(website.exclude);
  return {
    origin: start.origin,
    pathPrefix,
    contains(url) {
      const u = new URL(url);
      if (u.origin !== start.origin || !underPath(u.pathname, pathPrefix)) return false;
      if (website.include.length > 0 && !included(u.pathname)) return false;
      return !excluded(u.pathname);
    },
  };
};

/** The host without a leading `www.`: `www.example.com` and `example.com` are one site. */
const siteHost = (url: URL): string => url.hostname.replace(/^www\./, '');

/**
 * Whether a redirect from `from` to `to` stays on the same site: the same host but for
 * the scheme, the port or a leading `www.` (http → https, example.com → www.example.com).
 */
export const sameSite = (from: string, to: string): boolean => siteHost(new URL(from)) === siteHost(new URL(to));

/** `url` moved to `origin` (its path and query kept): where the site now answers. */
export const withOrigin = (url: string, origin: string): string => {
  const u = new URL(url);
  return new URL(`${u.pathname}${u.search}`, origin).toString();
};
