/**
 * The one way core reaches the public web: the website crawler and `{url}` documents
 * both fetch through a `WebFetcher`. The adapter owns everything that makes fetching
 * safe and polite (SSRF checks on every resolved address and every redirect hop,
 * robots.txt, per-host concurrency and delay, timeouts, size caps), so use cases only
 * decide what to fetch and what to do with the answer.
 */

/** Why a URL was not fetched. Refused addresses are never contacted. */
export type WebRefusalReason =
  /** Not http(s), credentials in the URL, or not a URL at all. */
  | 'scheme'
  /** The host resolves to a private, loopback, link-local, metadata or otherwise non-public address. */
  | 'address'
  /** The host does not resolve. */
  | 'dns'
  /** robots.txt disallows it for our user agent. */
  | 'robots'
  /** robots.txt could not be read (a 5xx, a timeout): nothing is fetched from the site for now (RFC 9309). */
  | 'robots_unreachable'
  /** More redirects than the hop limit, or a redirect loop. */
  | 'redirects';

export interface WebFetchRequest {
  url: string;
  signal?: AbortSignal | undefined;
  /** Validators from the previous fetch of this URL: sent as If-None-Match / If-Modified-Since. */
  etag?: string | undefined;
  lastModified?: string | undefined;
  /** Content types the caller can use (e.g. HTML only while following links); others fail with `unsupported_type`. */
  accept?: readonly string[] | undefined;
}

export type WebFetchResult =
  | {
      kind: 'ok';
      /** The URL after redirects (normalised). */
      url: string;
      status: number;
      /** The media type without parameters, lower-cased, when the server sent one. */
      contentType: string | undefined;
      bytes: Uint8Array;
      etag: string | undefined;
      lastModified: string | undefined;
    }
  /** 304 to a conditional request: the page is unchanged. */
  | { kind: 'not_modified'; url: string }
  | { kind: 'refused'; url: string; reason: WebRefusalReason; message: string }
  /** HTTP errors, timeouts, oversized bodies, unsupported types, connection failures. */
  | {
      kind: 'failed';
      url: string;
      status?: number | undefined;
      code: 'http_error' | 'timeout' | 'too_large' | 'unsupported_type' | 'network';
      message: string;
      /**
       * Set when the host asked (429/503 with `Retry-After`) for a longer pause than the
       * fetcher waits: the host is not contacted again until then, in ms from now.
       */
      retryAfterMs?: number | undefined;
    };

export interface WebFetcher {
  /**
   * Checks a URL a user gives before anything is stored: scheme, syntax, and that every
   * address its host resolves to may be reached. Returns a refusal (never throws for a
   * bad URL) so the caller can answer 422 with the reason.
   */
  check(url: string): Promise<{ ok: true; url: string } | { ok: false; reason: WebRefusalReason; message: string }>;
  /** Fetches one URL (robots.txt, politeness, redirects and SSRF checks included). Never throws except on abort. */
  fetch(request: WebFetchRequest): Promise<WebFetchResult>;
  /**
   * Whether robots.txt lets us fetch `url` now, without fetching it: a page the crawler
   * skips (its sitemap `<lastmod>` is old) must still be one it may fetch. Fetchers without
   * it get every page fetched instead.
   */
  robotsAllows?(url: string, signal?: AbortSignal): Promise<boolean>;
}
