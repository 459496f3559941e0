import { describe, expect, it } from 'vitest';
import { memoryCache } from './memory-cache.js';

/** A clock the test moves by hand, and a loader that counts its calls. */
const setUp = (options: { ttlMs?: number; maxEntries?: number } = {}) => {
  let time = 1_000;
  const cache = memoryCache<{ v: string }>({ ttlMs: options.ttlMs ?? 2_000, maxEntries: options.maxEntries ?? 100, now: () => time });
  const loads: string[] = [];
  const loader = (key: string, value: string | null = `${key}#${loads.length + 1}`) => {
    return () => {
      loads.push(key);
      return Promise.resolve(value === null ? null : { v: value });
    };
  };
  const get = (key: string) => cache.getOrLoad(key, loader(key));
  return { cache, loads, loader, get, advance: (ms: number) => (time += ms) };
};

/** A load that finishes when the test says so. */
const deferred = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

describe('memoryCache', () => {
  it('loads once and serves the same value until the TTL is over', async () => {
    const { get, loads, advance } = setUp({ ttlMs: 2_000 });
    expect(await get('a')).toEqual({ v: 'a#1' });
    advance(1_999);
    expect(await get('a')).toEqual({ v: 'a#1' });
    expect(loads).toEqual(['a']);
    advance(1);
    expect(await get('a')).toEqual({ v: 'a#2' });
    expect(loads).toEqual(['a', 'a']);
  });

  it('keeps keys apart', async () => {
    const { get, loads } = setUp();
    expect(await get('a')).toEqual({ v: 'a#1' });
    expect(await get('b')).toEqual({ v: 'b#2' });
    expect(await get('a')).toEqual({ v: 'a#1' });
    expect(loads).toEqual(['a', 'b']);
  });

  it('never keeps a miss (null)', async () => {
    const { cache, loads, loader } = setUp();
    expect(await cache.getOrLoad('gone', loader('gone', null))).toBeNull();
    expect(await cache.getOrLoad('gone', loader('gone', null))).toBeNull();
    expect(loads).toEqual(['gone', 'gone']);
  });

  it('holds at most maxEntries, making room by dropping the oldest', async () => {
    const { get, loads } = setUp({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd']) await get(key);
    expect(loads).toEqual(['a', 'b', 'c', 'd']);
    // b, c, d are kept; a was dropped for d.
    await get('b');
    await get('c');
    await get('d');
    expect(loads).toHaveLength(4);
    await get('a');
    expect(loads).toEqual(['a', 'b', 'c', 'd', 'a']);
    // …and a, in turn, pushed out b.
    await get('c');
    await get('d');
    expect(loads).toHaveLength(5);
    await get('b');
    expect(loads).toHaveLength(6);
  });

  it('delete drops one key; the next read loads it again', async () => {
    const { cache, get, loads } = setUp();
    await get('a');
    await get('b');
    cache.delete('a');
    expect(await get('a')).toEqual({ v: 'a#3' });
    expect(await get('b')).toEqual({ v: 'b#2' });
    expect(loads).toEqual(['a', 'b', 'a']);
  });

  it('clear drops everything', async () => {
    const { cache, get, loads } = setUp();
    await get('a');
    await get('b');
    cache.clear();
    await get('a');
    await get('b');
    expect(loads).toEqual(['a', 'b', 'a', 'b']);
  });

  it('does not store a value whose load overlapped an invalidation', async () => {
    const { cache, get, loads } = setUp();
    // A lookup starts, reading the old row…
    const slow = deferred<{ v: string } | null>();
    const racing = cache.getOrLoad('a', () => slow.promise);
    // …the row changes and the use case invalidates…
    cache.delete('a');
    // …then the lookup finishes with what it read before the change.
    slow.resolve({ v: 'old' });
    expect(await racing).toEqual({ v: 'old' });
    // The stale value was handed to that caller only; the next read loads afresh.
    expect(await get('a')).toEqual({ v: 'a#1' });
    expect(loads).toEqual(['a']);
    expect(await get('a')).toEqual({ v: 'a#1' });
  });

  it('is off with a TTL of 0 (every read loads)', async () => {
    const { get, loads } = setUp({ ttlMs: 0 });
    await get('a');
    await get('a');
    expect(loads).toEqual(['a', 'a']);
  });

  it('passes a failing load on and keeps nothing', async () => {
    const { cache, get, loads } = setUp();
    await expect(cache.getOrLoad('a', () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(await get('a')).toEqual({ v: 'a#1' });
    expect(loads).toEqual(['a']);
  });
});
