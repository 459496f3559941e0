import { XMLParser } from 'fast-xml-parser';
import { readCapped } from '../shared/bounded-read.js';

/**
 * Sitemaps (sitemaps.org): a `<urlset>` of pages or a `<sitemapindex>` of further sitemaps,
 * either of them possibly gzipped. Parsed without entities or DTDs, and decompressed with a
 * bound, since they come from sites we do not trust.
 */

/** The protocol's own limit for one uncompressed sitemap. */
export const MAX_SITEMAP_BYTES = 50 * 1024 * 1024;
/** Sitemaps read per crawl at most (an index of indexes must end). */
export const MAX_SITEMAPS = 100;

export type Sitemap =
  /** `lastModified`: each page's `<lastmod>`, by its `<loc>`, when the sitemap gives a valid one. */
  | { kind: 'urlset'; urls: string[]; lastModified: Map<string, Date> }
  | { kind: 'index'; sitemaps: string[] };

const isGzip = (bytes: Uint8Array) => bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Gunzips with DecompressionStream (web standard: Node, Deno, browsers), stopping past `limit` bytes. */
const gunzip = async (bytes: Uint8Array, limit: number): Promise<Uint8Array | null> => {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  try {
    return await readCapped(stream.getReader(), limit);
  } catch {
    return null; // corrupt gzip
  }
};

const parser = new XMLParser({
  ignoreAttributes: true,
  processEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: true,
  isArray: (name) => name === 'url' || name === 'sitemap',
  parseTagValue: false,
  trimValues: true,
});

const locs = (entries: unknown): string[] =>
  Array.isArray(entries)
    ? entries.flatMap((e) => {
        const loc = (e as { loc?: unknown } | null)?.loc;
        return typeof loc === 'string' && loc !== '' ? [loc.replaceAll('&amp;', '&')] : [];
      })
    : [];

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A `<lastmod>` as the latest moment it can mean: W3C datetimes only. A date alone is the
 * end of that UTC day (a page edited in the afternoon of a day we read it in the morning is
 * not "unchanged"); a time without an offset is read as UTC. Anything else says nothing.
 */
export const parseLastmod = (value: string): Date | undefined => {
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const time = Date.parse(`${text}T00:00:00Z`);
    return Number.isNaN(time) ? undefined : new Date(time + DAY_MS - 1);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return undefined;
  const time = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`);
  return Number.isNaN(time) ? undefined : new Date(time);
};

/** `<lastmod>` by `<loc>`, for the entries that give a valid one. */
const lastModifiedOf = (entries: unknown): Map<string, Date> => {
  const dates = new Map<string, Date>();
  if (!Array.isArray(entries)) return dates;
  for (const e of entries as { loc?: unknown; lastmod?: unknown }[]) {
    if (typeof e?.loc !== 'string' || typeof e.lastmod !== 'string') continue;
    const date = parseLastmod(e.lastmod);
    if (date) dates.set(e.loc.replaceAll('&amp;', '&'), date);
  }
  return dates;
};

/** A sitemap's entries, or null when the bytes are not a sitemap (or too big once unzipped). */
export const parseSitemap = async (bytes: Uint8Array): Promise<Sitemap | null> => {
  const raw = isGzip(bytes) ? await gunzip(bytes, MAX_SITEMAP_BYTES) : bytes;
  if (!raw || raw.byteLength > MAX_SITEMAP_BYTES) return null;
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(new TextDecoder().decode(raw)) as Record<string, unknown>;
  } catch {
    return null;
  }
  const urlset = doc.urlset as { url?: unknown } | undefined;
  if (urlset !== undefined) return { kind: 'urlset', urls: locs(urlset?.url), lastModified: lastModifiedOf(urlset?.url) };
  const index = doc.sitemapindex as { sitemap?: unknown } | undefined;
  if (index !== undefined) return { kind: 'index', sitemaps: locs(index?.sitemap) };
  return null;
};

/** The `Sitemap:` lines of a robots.txt. */
export const sitemapsInRobots = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((line) => /^\s*sitemap\s*:\s*(\S+)/i.exec(line)?.[1])
    .filter((url): url is string => url !== undefined);
