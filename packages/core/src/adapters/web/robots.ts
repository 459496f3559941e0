/**
 * robots.txt, per origin, with Google's reading of the failure cases
 * (https://developers.google.com/search/docs/crawling-indexing/robots/robots_txt):
 *
 * - 2xx: the rules apply (parsed with `robots-parser`, crawl-delay included);
 * - 4xx (429 aside): there are no rules, everything is allowed;
 * - 429, 5xx, a timeout or no connection: the site may be in trouble, nothing is fetched;
 * - the file itself is fetched through the same safe path as pages (redirects included),
 *   so robots.txt cannot be used to reach an address pages could not.
 *
 * Answers are cached per origin: successes and 4xx for `ttlMs`, failures for the shorter
 * `errorTtlMs`, so a site that was down is asked again soon.
 */
import robotsParserModule from 'robots-parser';

type RobotsParser = typeof robotsParserModule.default;
// The package's types declare an ES default export; at run time the CommonJS module is the
// function itself (which Node hands over as the default), and bundlers may do either.
const robotsParser: RobotsParser =
  (robotsParserModule as unknown as { default?: RobotsParser }).default ?? (robotsParserModule as unknown as RobotsParser);

export type RobotsFile =
  | { kind: 'found'; url: string; text: string }
  /** 4xx: no rules. */
  | { kind: 'missing' }
  /** 429, 5xx, unreachable or refused: nothing may be fetched for now. */
  | { kind: 'unreachable'; why: string };

export interface RobotsRules {
  /** Whether our user agent may fetch `url` (of this origin). */
  allows(url: string): boolean;
  /** The crawl-delay the file asks of our user agent, in ms. */
  crawlDelayMs: number | undefined;
  /** Why everything is disallowed, when the file could not be read. */
  unreachable: string | undefined;
}

export interface RobotsCacheOptions {
  userAgent: string;
  /** Fetches `<origin>/robots.txt`; never throws. */
  load(origin: string): Promise<RobotsFile>;
  /** How long a read file (or a 4xx) is trusted (default 24 h, Google's). */
  ttlMs?: number;
  /** How long an unreachable robots.txt blocks the origin before it is asked again (default 5 min). */
  errorTtlMs?: number;
  /** Origins remembered at most (default 1 000; the oldest is forgotten first). */
  maxOrigins?: number;
  now?: () => number;
}

export interface RobotsCache {
  /** The rules for `origin` (`https://host:port`), from the cache or freshly read. Rejects only when `signal` aborts. */
  rulesFor(origin: string, signal?: AbortSignal): Promise<RobotsRules>;
}

const ALLOW_ALL: RobotsRules = { allows: () => true, crawlDelayMs: undefined, unreachable: undefined };

const rulesOf = (file: RobotsFile, userAgent: string): RobotsRules => {
  if (file.kind === 'missing') return ALLOW_ALL;
  if (file.kind === 'unreachable') return { allows: () => false, crawlDelayMs: undefined, unreachable: file.why };
  const robots = robotsParser(file.url, file.text);
  const delay = robots.getCrawlDelay(userAgent);
  return {
    // undefined: a URL of another origin, which these rules do not govern (callers ask per origin).
    allows: (url) => robots.isAllowed(url, userAgent) ?? true,
    crawlDelayMs: delay !== undefined && Number.isFinite(delay) && delay > 0 ? delay * 1000 : undefined,
    unreachable: undefined,
  };
};

const untilAborted = <T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> => {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
};

export const robotsCache = (options: RobotsCacheOptions): RobotsCache => {
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  const errorTtlMs = options.errorTtlMs ?? 5 * 60 * 1000;
  const maxOrigins = options.maxOrigins ?? 1_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { rules: Promise<RobotsRules>; expires: number }>();

  return {
    rulesFor(origin, signal) {
      const cached = entries.get(origin);
      if (cached && cached.expires > now()) return untilAborted(cached.rules, signal);
      // One read per origin at a time; callers that give up do not cancel it for the others.
      const entry = { rules: Promise.resolve(ALLOW_ALL), expires: Number.POSITIVE_INFINITY };
      entry.rules = options
        .load(origin)
        .catch((): RobotsFile => ({ kind: 'unreachable', why: 'robots.txt could not be read' }))
        .then((file) => {
          entry.expires = now() + (file.kind === 'unreachable' ? errorTtlMs : ttlMs);
          return rulesOf(file, options.userAgent);
        });
      entries.delete(origin);
      entries.set(origin, entry);
      while (entries.size > maxOrigins) entries.delete(entries.keys().next().value!);
      return untilAborted(entry.rules, signal);
    },
  };
};
