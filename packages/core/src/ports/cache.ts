/**
 * A small cache local to this process: bounded in size, and every entry expires after a
 * short, fixed time. Use cases keep data there that may be served slightly stale, and
 * drop entries when they change that data themselves (see ADR 0011).
 *
 * Values are shared between callers: treat them as read-only.
 */
export interface Cache<V> {
  /**
   * The value under `key`, from the cache while it is fresh, otherwise from `load()`.
   * A loaded value is kept (null never is) unless the cache was invalidated while
   * `load()` ran: a lookup that raced with a change must not put the old value back.
   */
  getOrLoad(key: string, load: () => Promise<V | null>): Promise<V | null>;
  /** Drops `key`. */
  delete(key: string): void;
  /** Drops everything. */
  clear(): void;
}
