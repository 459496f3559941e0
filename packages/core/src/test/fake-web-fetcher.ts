import type { WebFetcher, WebFetchRequest, WebFetchResult, WebRefusalReason } from '../ports/web.js';

/** One resource of a scripted site. */
export interface FakeWebPage {
  /** Default 200 (or 301 with `redirect`). */
  status?: number;
  body?: string | Uint8Array;
  /** Default `text/html`. */
  contentType?: string;
  etag?: string;
  lastModified?: string;
  /** Answers with a redirect to this URL (absolute or relative). */
  redirect?: string;
  /** Refuses the URL for this reason (e.g. `robots_unreachable`), as the real fetcher would. */
  refuse?: WebRefusalReason;
  /** With a 429/503 `status`: the host asked for this long a pause (the fetcher gave up waiting). */
  retryAfterMs?: number;
}

export interface FakeWebFetcherOptions {
  /** The site: absolute URL → resource. Anything else is a 404. */
  pages?: Record<string, FakeWebPage>;
  /** Path prefixes robots.txt disallows (on every host). */
  disallow?: string[];
  /** Hosts whose addresses are refused (as if they resolved to private addresses). */
  refusedHosts?: string[];
  /** Each fetch takes this long (aborted by the request's signal). */
  delayMs?: number;
}

export interface FakeWebFetcher extends WebFetcher {
  /** Every fetch request, in order. */
  readonly requests: WebFetchRequest[];
  /** The URLs fetched, in order. */
  fetched(): string[];
  /** Adds or replaces a resource. */
  set(url: string, page: FakeWebPage): void;
  /** Removes a resource (it answers 404 from now on). */
  remove(url: string): void;
  disallow(prefix: string): void;
}

const key = (url: string) => new URL(url).toString();

/**
 * An in-memory `WebFetcher` serving a scripted site, with the port's semantics (refusals
 * for bad schemes, refused hosts and robots.txt; 404s; redirects; conditional requests;
 * accepted content types): for tests of whatever fetches through the port, without a network.
 */
export const fakeWebFetcher = (options: FakeWebFetcherOptions = {}): FakeWebFetcher => {
  const pages = new Map(Object.entries(options.pages ?? {}).map(([url, page]) => [key(url), page]));
  const disallowed = [...(options.disallow ?? [])];
  const refusedHosts = new Set(options.refusedHosts ?? []);
  const requests: WebFetchRequest[] = [];

  const refusal = (url: string): { reason: WebRefusalReason; message: string } | null => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return { reason: 'scheme', message: 'Not a URL' };
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return { reason: 'scheme', message: `The ${u.protocol} scheme is not allowed` };
    if (refusedHosts.has(u.hostname)) return { reason: 'address', message: `${u.hostname} resolves to a private address` };
    return null;
  };

  const fetchOne = async (request: WebFetchRequest): Promise<WebFetchResult> => {
    let url = request.url;
    for (let hop = 0; hop <= 5; hop++) {
      const refused = refusal(url);
      if (refused) return { kind: 'refused', url, ...refused };
      const u = new URL(url);
      if (u.pathname !== '/robots.txt' && disallowed.some((prefix) => u.pathname.startsWith(prefix)))
        return { kind: 'refused', url, reason: 'robots', message: 'Disallowed by robots.txt' };
      const page = pages.get(key(url));
      if (!page) return { kind: 'failed', url, status: 404, code: 'http_error', message: 'HTTP 404' };
      if (page.refuse) return { kind: 'refused', url, reason: page.refuse, message: `Refused (${page.refuse})` };
      if (page.redirect) {
        url = new URL(page.redirect, url).toString();
        continue;
      }
      const status = page.status ?? 200;
      if (status >= 400) return { kind: 'failed', url, status, code: 'http_error', message: `HTTP ${status}`, retryAfterMs: page.retryAfterMs };
      const contentType = page.contentType ?? 'text/html';
      if (request.accept && !request.accept.includes(contentType))
        return { kind: 'failed', url, status, code: 'unsupported_type', message: `Unsupported content type ${contentType}` };
      if ((request.etag && request.etag === page.etag) || (request.lastModified && request.lastModified === page.lastModified))
        return { kind: 'not_modified', url };
      const body = page.body ?? '';
      return {
        kind: 'ok',
        url,
        status,
        contentType,
        bytes: typeof body === 'string' ? new TextEncoder().encode(body) : body,
        etag: page.etag,
        lastModified: page.lastModified,
      };
    }
    return { kind: 'refused', url, reason: 'redirects', message: 'Too many redirects' };
  };

  return {
    requests,
    fetched: () => requests.map((r) => r.url),
    set: (url, page) => void pages.set(key(url), page),
    remove: (url) => void pages.delete(key(url)),
    disallow: (prefix) => void disallowed.push(prefix),
    async check(url) {
      const refused = refusal(url);
      return refused ? { ok: false, ...refused } : { ok: true, url: key(url) };
    },
    async robotsAllows(url) {
      const u = new URL(url);
      const page = pages.get(key(url));
      if (page?.refuse === 'robots' || page?.refuse === 'robots_unreachable') return false;
      return !disallowed.some((prefix) => u.pathname.startsWith(prefix));
    },
    async fetch(request) {
      request.signal?.throwIfAborted();
      requests.push(request);
      if (options.delayMs) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, options.delayMs);
          request.signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(request.signal!.reason);
          });
        });
      }
      return fetchOne(request);
    },
  };
};
