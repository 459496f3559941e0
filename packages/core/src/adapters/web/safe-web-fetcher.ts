/**
 * The `WebFetcher` adapter: how Atrium reaches the public web without becoming a way into
 * the network it runs in (ADR 0038).
 *
 * For every URL, and again for every redirect hop:
 * 1. http or https only, no credentials in the URL;
 * 2. every address of the host (A and AAAA) is resolved and judged (address-policy.ts):
 *    one non-public address refuses the URL, unless ATRIUM_CRAWLER_ALLOW_HOSTS opens it;
 * 3. robots.txt of the hop's origin is obeyed (robots.ts), read through this same path;
 * 4. the request waits for its turn at the host (host-gate.ts) and connects through an
 *    undici Agent whose `lookup` answers with the addresses just judged, so no second DNS
 *    lookup happens and a rebinding name cannot switch addresses in between;
 * 5. redirects are not followed by undici (`redirect: 'manual'`) but here, re-checked,
 *    up to a hop limit and never in a loop.
 *
 * Responses are bounded: a connect timeout, a deadline for the whole response, a size cap
 * enforced while the (decompressed) body streams in, and content types checked against
 * what the caller accepts before the body is read. 429 and 503 are retried a few times
 * after the `Retry-After` the host asks for (the whole host waits meanwhile).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { Agent, fetch as undiciFetch, type Response } from 'undici';
import type { WebFetcher, WebFetchRequest, WebFetchResult, WebRefusalReason } from '../../ports/index.js';
import { readCapped } from '../../services/shared/bounded-read.js';
import { describeBytes } from '../../services/shared/public-error.js';
import { EMPTY_ALLOW_LIST, judgeAddress, literalAddress, normalizeHost, parseAllowList, type AllowList } from './address-policy.js';
import { hostGate } from './host-gate.js';
import { robotsCache, type RobotsFile } from './robots.js';
import { defaultUserAgent } from './user-agent.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address of a host name (A and AAAA). Rejects, or returns none, when it does not resolve. */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

/** The operating system's resolver (getaddrinfo: /etc/hosts, then DNS), all addresses, in its order. */
export const systemResolve: Resolve = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export interface SafeWebFetcherOptions {
  /** Sent with every request, and matched against robots.txt groups by its product token (default `AtriumBot/<version>`). */
  userAgent?: string;
  /** ATRIUM_CRAWLER_ALLOW_HOSTS: host names, IPs and CIDRs reachable although private (a string, a list, or parsed). */
  allowHosts?: string | readonly string[] | AllowList;
  /** DNS resolution (default: the system's). Tests inject their own. */
  resolve?: Resolve;
  /** Redirects followed at most (default 5). */
  maxRedirects?: number;
  /** Time to establish a connection, TLS included, in ms (default 10 s). */
  connectTimeoutMs?: number;
  /** Deadline for one request and its whole response body, in ms (default 30 s). */
  timeoutMs?: number;
  /** Largest response body, after decompression, in bytes (default 10 MB). */
  maxBytes?: number;
  /** Requests in flight to one host (default 2). */
  perHostConcurrency?: number;
  /** Least time between two requests to one host, in ms (default 500); a longer robots.txt crawl-delay wins. */
  perHostDelayMs?: number;
  /** Longest robots.txt crawl-delay honoured, in ms (default 30 s); longer ones are capped to it. */
  maxCrawlDelayMs?: number;
  /** Retries of a 429 or 503 (default 2). */
  maxRetries?: number;
  /** Wait before a retry when the host sent no `Retry-After`, doubled each time, in ms (default 1 s). */
  retryBaseMs?: number;
  /** A `Retry-After` longer than this is not waited for: the fetch fails at once (default 60 s). */
  maxRetryAfterMs?: number;
  /** Obey robots.txt (default true). Off only for tests of the transport itself. */
  robots?: boolean;
  /** How long robots.txt answers are cached, in ms (default 24 h; failures 5 min). */
  robotsTtlMs?: number;
  robotsErrorTtlMs?: number;
  /** Time allowed for resolving a host name, in ms (default 10 s). */
  dnsTimeoutMs?: number;
}

export interface SafeWebFetcher extends WebFetcher {
  /** The user agent sent. */
  readonly userAgent: string;
  /** Closes idle connections. */
  close(): Promise<void>;
}

export const DEFAULT_FETCH_LIMITS = {
  maxRedirects: 5,
  connectTimeoutMs: 10_000,
  timeoutMs: 30_000,
  maxBytes: 10 * 1024 * 1024,
  perHostConcurrency: 2,
  perHostDelayMs: 500,
  maxCrawlDelayMs: 30_000,
  maxRetries: 2,
  retryBaseMs: 1_000,
  maxRetryAfterMs: 60_000,
  dnsTimeoutMs: 10_000,
} as const;

/** robots.txt past this size is read up to here, as Google reads up to 500 KiB. */
const ROBOTS_MAX_BYTES = 512 * 1024;
/** Pinned agents kept for reuse of their connections; the least recently used is closed past this. */
const MAX_AGENTS = 64;

type Refusal = { reason: WebRefusalReason; message: string };

interface Target {
  url: URL;
  /** The host name as judged (lower-case, no brackets, no trailing dot). */
  host: string;
  addresses: ResolvedAddress[];
}

/** One HTTP exchange's outcome, before redirects and retries are decided. */
type Exchange =
  | { kind: 'redirect'; status: number; location: string | null }
  | { kind: 'retry'; status: number; retryAfterMs: number | undefined }
  | WebFetchResult;

const isRefusal = (value: Target | Refusal): value is Refusal => 'reason' in value;

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });

/** `Retry-After`: delay-seconds or an HTTP date, as milliseconds from now. */
export const parseRetryAfter = (value: string | null, now = Date.now()): number | undefined => {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
};

/** The media type of a Content-Type header, lower-cased, without parameters. */
const mediaType = (header: string | null): string | undefined => {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type || undefined;
};

const accepts = (accept: readonly string[], type: string): boolean =>
  accept.some((pattern) => {
    const p = pattern.toLowerCase();
    return p === '*/*' || p === type || (p.endsWith('/*') && type.startsWith(p.slice(0, -1)));
  });

/** The error codes undici and Node use for a connection or response that took too long. */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

const causeCode = (error: unknown): string | undefined => {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++)
    if (typeof e.code === 'string') return e.code;
  return undefined;
};

const HTTP_REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  410: 'Gone',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
/** The longest a host's `Retry-After` keeps us away from it. */
const MAX_HOST_PAUSE_MS = 24 * 60 * 60 * 1000;
/** Hosts remembered as paused at most (the oldest pause is forgotten first). */
const MAX_CLOSED_HOSTS = 10_000;

const describeWait = (ms: number): string => {
  const minutes = Math.ceil(ms / 60_000);
  return ms < 60_000 ? `${Math.ceil(ms / 1000)} s` : minutes < 120 ? `${minutes} min` : `${Math.ceil(minutes / 60)} h`;
};

const describeStatus = (status: number) => `${status}${HTTP_REASONS[status] ? ` ${HTTP_REASONS[status]}` : ''}`;

const discard = (response: Response) => response.body?.cancel().catch(() => {});

export const safeWebFetcher = (options: SafeWebFetcherOptions = {}): SafeWebFetcher => {
  const limits: Record<keyof typeof DEFAULT_FETCH_LIMITS, number> = { ...DEFAULT_FETCH_LIMITS };
  for (const key of Object.keys(DEFAULT_FETCH_LIMITS) as (keyof typeof DEFAULT_FETCH_LIMITS)[]) {
    const value = options[key];
    if (value !== undefined) limits[key] = value;
  }
  const userAgent = options.userAgent ?? defaultUserAgent();
  const allowList: AllowList =
    options.allowHosts === undefined
      ? EMPTY_ALLOW_LIST
      : typeof options.allowHosts === 'string' || Array.isArray(options.allowHosts)
        ? parseAllowList(options.allowHosts as string | readonly string[])
        : (options.allowHosts as AllowList);
  const resolve = options.resolve ?? systemResolve;
  const obeyRobots = options.robots ?? true;
  const gate = hostGate({ concurrency: limits.perHostConcurrency, delayMs: limits.perHostDelayMs });
  const agents = new Map<string, Agent>();

  /** An Agent that connects to these (already judged) addresses whatever name it is asked for. */
  const agentFor = (addresses: ResolvedAddress[]): Agent => {
    const key = addresses.map((a) => a.address).join(',');
    const existing = agents.get(key);
    if (existing) {
      agents.delete(key);
      agents.set(key, existing);
      return existing;
    }
    const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
      const family = lookupOptions.family === 4 || lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 6 || lookupOptions.family === 'IPv6' ? 6 : 0;
      const usable = addresses.filter((a) => family === 0 || a.family === family);
      if (usable.length === 0) {
        const error: NodeJS.ErrnoException = new Error(`No checked IPv${family} address`);
        error.code = 'ENOTFOUND';
        return callback(error, '', 0);
      }
      if (lookupOptions.all) return callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
      callback(null, usable[0]!.address, usable[0]!.family);
    };
    const agent = new Agent({
      connect: { lookup: pinned, timeout: limits.connectTimeoutMs },
      headersTimeout: limits.timeoutMs,
      bodyTimeout: limits.timeoutMs,
      keepAliveTimeout: 4_000,
      connections: limits.perHostConcurrency,
    });
    agents.set(key, agent);
    while (agents.size > MAX_AGENTS) {
      const [oldestKey, oldest] = agents.entries().next().value!;
      agents.delete(oldestKey);
      void oldest.close().catch(() => {});
    }
    return agent;
  };

  /** Steps 1 and 2: the URL's scheme and credentials, then every address of its host. */
  const judge = async (raw: string | URL): Promise<Target | Refusal> => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { reason: 'scheme', message: 'Not a valid absolute URL' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { reason: 'scheme', message: `Only http and https URLs are fetched, not ${url.protocol.replace(/:$/, '')}:` };
    if (url.username || url.password) return { reason: 'scheme', message: 'URLs with credentials (user:password@host) are not fetched' };
    url.hash = '';
    const host = normalizeHost(url.hostname);
    if (!host) return { reason: 'scheme', message: 'The URL has no host' };

    const literal = literalAddress(url.hostname);
    let addresses: ResolvedAddress[];
    if (literal) addresses = [literal];
    else {
      try {
        addresses = await withTimeout(resolve(host), limits.dnsTimeoutMs);
      } catch {
        addresses = [];
      }
      if (addresses.length === 0) return { reason: 'dns', message: `${host} does not resolve to any address` };
    }
    for (const { address } of addresses) {
      const verdict = judgeAddress(address, host, allowList);
      if (verdict.allowed) continue;
      const hint = verdict.allowable ? '; an administrator can open intranet hosts with ATRIUM_CRAWLER_ALLOW_HOSTS' : '';
      return {
        reason: 'address',
        message: literal ? `${verdict.address} is ${verdict.why}${hint}` : `${host} resolves to ${verdict.address}, ${verdict.why}${hint}`,
      };
    }
    return { url, host, addresses };
  };

  /** One request to a judged target, within the deadline; the caller holds the host's turn. */
  const exchange = async (target: Target, request: WebFetchRequest, maxBytes: number, truncate: boolean): Promise<Exchange> => {
    const deadline = AbortSignal.timeout(limits.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
    const url = target.url.href;
    const headers: Record<string, string> = { 'user-agent': userAgent };
    if (request.accept?.length) headers.accept = [...request.accept, '*/*;q=0.1'].join(', ');
    if (request.etag) headers['if-none-match'] = request.etag;
    if (request.lastModified) headers['if-modified-since'] = request.lastModified;
    try {
      const response = await undiciFetch(url, { dispatcher: agentFor(target.addresses), redirect: 'manual', signal, headers });
      const { status } = response;
      if ([301, 302, 303, 307, 308].includes(status)) {
        await discard(response);
        return { kind: 'redirect', status, location: response.headers.get('location') };
      }
      if (status === 304) {
        await discard(response);
        return { kind: 'not_modified', url };
      }
      if (status === 429 || status === 503) {
        await discard(response);
        return { kind: 'retry', status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
      }
      if (status < 200 || status > 299) {
        await discard(response);
        return { kind: 'failed', url, status, code: 'http_error', message: `${target.url.host} answered ${describeStatus(status)}` };
      }
      const contentType = mediaType(response.headers.get('content-type'));
      if (request.accept?.length && contentType && !accepts(request.accept, contentType)) {
        await discard(response);
        return { kind: 'failed', url, status, code: 'unsupported_type', message: `The page is ${contentType}, not one of ${request.accept.join(', ')}` };
      }
      const tooLarge = (): WebFetchResult => ({
        kind: 'failed',
        url,
        status,
        code: 'too_large',
        message: `The response is larger than the ${describeBytes(maxBytes)} limit`,
      });
      const declared = Number(response.headers.get('content-length'));
      if (!truncate && Number.isFinite(declared) && declared > maxBytes) {
        await discard(response);
        return tooLarge();
      }
      const bytes = response.body ? await readCapped(response.body.getReader(), maxBytes, truncate) : new Uint8Array(0);
      if (!bytes) return tooLarge();
      return {
        kind: 'ok',
        url,
        status,
        contentType,
        bytes,
        etag: response.headers.get('etag') ?? undefined,
        lastModified: response.headers.get('last-modified') ?? undefined,
      };
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      const code = causeCode(error);
      if (deadline.aborted || (code && TIMEOUT_CODES.has(code)))
        return { kind: 'failed', url, code: 'timeout', message: `${target.url.host} did not answer within ${Math.round(limits.timeoutMs / 1000)} s` };
      return { kind: 'failed', url, code: 'network', message: `Could not connect to ${target.url.host}${code ? ` (${code})` : ''}` };
    }
  };

  /** Hosts that asked for a longer pause than we wait: not contacted again before `until`. */
  const closedHosts = new Map<string, { until: number; status: number }>();
  /** Closes a host, dropping the pauses that have ended (and, past MAX_CLOSED_HOSTS, the oldest): a long-lived worker meets many hosts. */
  const closeHost = (host: string, ms: number, status: number) => {
    const now = Date.now();
    for (const [name, closed] of closedHosts) if (closed.until <= now) closedHosts.delete(name);
    closedHosts.delete(host);
    closedHosts.set(host, { until: now + ms, status });
    while (closedHosts.size > MAX_CLOSED_HOSTS) closedHosts.delete(closedHosts.keys().next().value!);
  };
  const closedFor = (target: Target): Exchange | null => {
    const closed = closedHosts.get(target.host);
    if (!closed) return null;
    const left = closed.until - Date.now();
    if (left <= 0) {
      closedHosts.delete(target.host);
      return null;
    }
    return {
      kind: 'failed',
      url: target.url.href,
      status: closed.status,
      code: 'http_error',
      message: `${target.url.host} answered ${describeStatus(closed.status)} and asked not to be contacted for ${describeWait(left)}`,
      retryAfterMs: left,
    };
  };

  /**
   * One hop: waits for the host's turn, retrying 429/503 after the wait the host asks for.
   * A host that asks for more than maxRetryAfterMs is left alone for as long as it asked
   * (up to MAX_HOST_PAUSE_MS): every fetch from it fails at once meanwhile, uncontacted.
   */
  const exchangeWithRetries = async (target: Target, request: WebFetchRequest, maxBytes: number, truncate: boolean): Promise<Exchange> => {
    for (let attempt = 0; ; attempt++) {
      const closed = closedFor(target);
      if (closed) return closed;
      const release = await gate.acquire(target.host, request.signal);
      let outcome: Exchange;
      try {
        outcome = await exchange(target, request, maxBytes, truncate);
      } finally {
        release();
      }
      if (outcome.kind !== 'retry') return outcome;
      const wait = outcome.retryAfterMs ?? limits.retryBaseMs * 2 ** attempt;
      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > limits.maxRetryAfterMs) {
        closeHost(target.host, Math.min(outcome.retryAfterMs, MAX_HOST_PAUSE_MS), outcome.status);
        return closedFor(target)!;
      }
      if (attempt >= limits.maxRetries || wait > limits.maxRetryAfterMs)
        return {
          kind: 'failed',
          url: target.url.href,
          status: outcome.status,
          code: 'http_error',
          message: `${target.url.host} answered ${describeStatus(outcome.status)}${attempt > 0 ? ` ${attempt + 1} times` : ''}${outcome.retryAfterMs !== undefined ? ` (retry after ${Math.ceil(outcome.retryAfterMs / 1000)} s)` : ''}`,
        };
      gate.pause(target.host, wait);
    }
  };

  const robots = robotsCache({
    userAgent,
    ttlMs: options.robotsTtlMs,
    errorTtlMs: options.robotsErrorTtlMs,
    load: async (origin): Promise<RobotsFile> => {
      const result = await follow({ url: `${origin}/robots.txt` }, { obeyRobots: false, maxBytes: ROBOTS_MAX_BYTES, truncate: true });
      switch (result.kind) {
        case 'ok':
          return { kind: 'found', url: result.url, text: new TextDecoder().decode(result.bytes) };
        case 'failed':
          if (result.code === 'http_error' && result.status !== undefined && result.status >= 400 && result.status < 500 && result.status !== 429)
            return { kind: 'missing' };
          return { kind: 'unreachable', why: result.message };
        case 'refused':
          return { kind: 'unreachable', why: result.message };
        default:
          return { kind: 'missing' };
      }
    },
  });

  /** Step 3: robots.txt of the hop's origin (which also sets the host's crawl-delay). */
  const robotsRefusal = async (target: Target, signal: AbortSignal | undefined): Promise<Refusal | null> => {
    const rules = await robots.rulesFor(target.url.origin, signal);
    if (rules.crawlDelayMs !== undefined) gate.setDelay(target.host, Math.min(rules.crawlDelayMs, limits.maxCrawlDelayMs));
    if (rules.allows(target.url.href)) return null;
    if (rules.unreachable)
      return { reason: 'robots_unreachable', message: `robots.txt of ${target.url.origin} could not be read (${rules.unreachable}), so nothing is fetched from the site for now` };
    return { reason: 'robots', message: `robots.txt of ${target.url.origin} disallows ${target.url.pathname} for ${userAgent.split('/')[0]}` };
  };

  /** The whole fetch: judge, robots, exchange, and the same again for every redirect. */
  const follow = async (
    request: WebFetchRequest,
    how: { obeyRobots: boolean; maxBytes: number; truncate: boolean },
  ): Promise<WebFetchResult> => {
    let current: string = request.url;
    const seen = new Set<string>();
    for (let hop = 0; ; hop++) {
      request.signal?.throwIfAborted();
      const target = await judge(current);
      if (isRefusal(target)) return { kind: 'refused', url: current, ...target };
      const url = target.url.href;
      seen.add(url);
      if (how.obeyRobots) {
        const refusal = await robotsRefusal(target, request.signal);
        if (refusal) return { kind: 'refused', url, ...refusal };
      }
      const outcome = await exchangeWithRetries(target, request, how.maxBytes, how.truncate);
      if (outcome.kind !== 'redirect') return outcome as WebFetchResult;
      if (!outcome.location)
        return { kind: 'failed', url, status: outcome.status, code: 'http_error', message: `${target.url.host} answered ${outcome.status} without a Location` };
      let next: URL;
      try {
        next = new URL(outcome.location, target.url);
      } catch {
        return { kind: 'failed', url, status: outcome.status, code: 'http_error', message: `${target.url.host} redirected to an invalid URL` };
      }
      next.hash = '';
      if (seen.has(next.href)) return { kind: 'refused', url, reason: 'redirects', message: `Redirect loop: ${url} leads back to ${next.href}` };
      if (hop + 1 > limits.maxRedirects)
        return { kind: 'refused', url, reason: 'redirects', message: `More than ${limits.maxRedirects} redirects` };
      current = next.href;
    }
  };

  return {
    userAgent,
    async check(url) {
      const target = await judge(url);
      return isRefusal(target) ? { ok: false, ...target } : { ok: true, url: target.url.href };
    },
    fetch: (request) => follow(request, { obeyRobots, maxBytes: limits.maxBytes, truncate: false }),
    async robotsAllows(url, signal) {
      if (!obeyRobots) return true;
      const rules = await robots.rulesFor(new URL(url).origin, signal);
      return rules.allows(url);
    },
    async close() {
      const all = [...agents.values()];
      agents.clear();
      await Promise.all(all.map((a) => a.close().catch(() => {})));
    },
  };
};
