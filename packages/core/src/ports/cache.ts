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
  /**
   * The value under `key` if the cache holds it fresh, without loading anything; undefined
   * otherwise. Optional: it lets a caller answer synchronously when the value is at hand
   * (authentication of a known caller, ADR 0019); callers fall back to `getOrLoad`.
   */
  peek?(key: string): V | undefined;
  /** Drops `key`. */
  delete(key: string): void;
  /** Drops everything. */
  clear(): void;
}
