import { describe, expect, it } from 'vitest';
import { robotsCache, type RobotsFile } from './robots.js';

const ORIGIN = 'https://example.com';

describe('robotsCache', () => {
  const cacheWith = (answers: RobotsFile[], now: { t: number }) => {
    const loads: string[] = [];
    const cache = robotsCache({
      userAgent: 'AtriumBot/1.0 (+https://atrium.example)',
      ttlMs: 1_000,
      errorTtlMs: 100,
      now: () => now.t,
      load: async (origin) => {
        loads.push(origin);
        return answers.shift() ?? { kind: 'missing' };
      },
    });
    return { cache, loads };
  };

  it('applies the group for our product token, with its crawl-delay', async () => {
    const now = { t: 0 };
    const { cache } = cacheWith(
      [{ kind: 'found', url: `${ORIGIN}/robots.txt`, text: 'User-agent: *\nDisallow: /\n\nUser-agent: atriumbot\nDisallow: /admin\nCrawl-delay: 2.5\n' }],
      now,
    );
    const rules = await cache.rulesFor(ORIGIN);
    expect(rules.allows(`${ORIGIN}/docs`)).toBe(true);
    expect(rules.allows(`${ORIGIN}/admin/users`)).toBe(false);
    expect(rules.crawlDelayMs).toBe(2_500);
  });

  it('allows all on a missing file, disallows all while it is unreachable, and asks again after the TTLs', async () => {
    const now = { t: 0 };
    const { cache, loads } = cacheWith([{ kind: 'unreachable', why: 'example.com answered 503' }, { kind: 'missing' }], now);
    const down = await cache.rulesFor(ORIGIN);
    expect(down.allows(`${ORIGIN}/`)).toBe(false);
    expect(down.unreachable).toBe('example.com answered 503');
    now.t = 50;
    await cache.rulesFor(ORIGIN);
    expect(loads).toHaveLength(1); // cached
    now.t = 150; // past the error TTL
    expect((await cache.rulesFor(ORIGIN)).allows(`${ORIGIN}/`)).toBe(true);
    now.t = 1_000;
    await cache.rulesFor(ORIGIN);
    expect(loads).toHaveLength(2);
    now.t = 1_200; // past the TTL
    await cache.rulesFor(ORIGIN);
    expect(loads).toHaveLength(3);
  });

  it('reads a file once for callers that ask at the same time, and a loader that throws counts as unreachable', async () => {
    const now = { t: 0 };
    const { cache, loads } = cacheWith([], now);
    await Promise.all([cache.rulesFor(ORIGIN), cache.rulesFor(ORIGIN), cache.rulesFor(ORIGIN)]);
    expect(loads).toHaveLength(1);
    const throwing = robotsCache({ userAgent: 'AtriumBot', load: async () => Promise.reject(new Error('bug')) });
    expect((await throwing.rulesFor(ORIGIN)).allows(`${ORIGIN}/`)).toBe(false);
  });
});
