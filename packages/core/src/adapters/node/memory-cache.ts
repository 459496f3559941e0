import type { Cache } from '../../ports/index.js';

export interface MemoryCacheOptions {
  /** How long an entry is served after it was loaded, in ms; 0 turns the cache off. */
  ttlMs: number;
  /** Entries kept at most; past it the oldest entry makes room. */
  maxEntries: number;
  /** A monotonic clock in ms (tests inject one). */
  now?: () => number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * The `Cache` port in process memory. A `Map` keeps insertion order and every entry lives
 * for the same TTL, so the first entry is always the one that expires first: that is the
 * one evicted when the cache is full (and expired entries are dropped when read).
 *
 * Every `delete`/`clear` bumps a version; a value whose load began before the latest bump
 * is returned to its caller but not stored, so a read that overlapped a change cannot put
 * the old value back for a whole TTL.
 */
export const memoryCache = <V>(options: MemoryCacheOptions): Cache<V> => {
  const { ttlMs, maxEntries } = options;
  const now = options.now ?? (() => performance.now());
  const enabled = ttlMs > 0 && maxEntries > 0;
  const entries = new Map<string, Entry<V>>();
  let version = 0;

  const store = (key: string, value: V) => {
    entries.delete(key);
    while (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done) break;
      entries.delete(oldest.value);
    }
    entries.set(key, { value, expiresAt: now() + ttlMs });
  };

  return {
    async getOrLoad(key, load) {
      const entry = entries.get(key);
      if (entry) {
        if (entry.expiresAt > now()) return entry.value;
        entries.delete(key);
      }
      const loadedAt = version;
      const value = await load();
      if (value !== null && enabled && version === loadedAt) store(key, value);
      return value;
    },
    delete(key) {
      version++;
      entries.delete(key);
    },
    clear() {
      version++;
      entries.clear();
    },
  };
};
