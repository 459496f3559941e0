/**
 * Politeness per host: at most `concurrency` requests in flight to one host, request
 * starts at least `delayMs` apart (or the host's robots.txt crawl-delay, when longer),
 * and nothing at all before a backoff the host asked for (429/503 `Retry-After`) ends.
 * Waiters are served first come, first served.
 */

export interface HostGateOptions {
  /** Requests in flight to one host (default 2). */
  concurrency?: number;
  /** Least time between the starts of two requests to one host, in ms (default 500). */
  delayMs?: number;
  now?: () => number;
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

interface HostState {
  active: number;
  /** No request starts before this time (ms since epoch). */
  nextStart: number;
  /** The host's own delay (crawl-delay), when longer than the default. */
  delayMs: number;
  queue: Waiter[];
  timer: ReturnType<typeof setTimeout> | null;
}

/** Idle hosts are forgotten once this many are tracked (a crawler meets many hosts over time). */
const SWEEP_ABOVE = 1_000;

export interface HostGate {
  /** Waits for a turn at `host`; call the returned function when the request is done. Rejects when `signal` aborts. */
  acquire(host: string, signal?: AbortSignal): Promise<() => void>;
  /** The host's own least delay between requests (robots.txt crawl-delay); the default applies when shorter. */
  setDelay(host: string, delayMs: number): void;
  /** Nothing starts at `host` for `ms` from now (a `Retry-After`, or backoff). */
  pause(host: string, ms: number): void;
}

export const hostGate = (options: HostGateOptions = {}): HostGate => {
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const defaultDelay = Math.max(0, options.delayMs ?? 500);
  const now = options.now ?? Date.now;
  const hosts = new Map<string, HostState>();

  const sweep = () => {
    if (hosts.size <= SWEEP_ABOVE) return;
    const t = now();
    for (const [host, s] of hosts) if (s.active === 0 && s.queue.length === 0 && s.nextStart <= t && !s.timer) hosts.delete(host);
  };

  const stateOf = (host: string): HostState => {
    let s = hosts.get(host);
    if (!s) {
      sweep();
      s = { active: 0, nextStart: 0, delayMs: defaultDelay, queue: [], timer: null };
      hosts.set(host, s);
    }
    return s;
  };

  const pump = (s: HostState) => {
    while (s.active < concurrency && s.queue.length > 0) {
      const wait = s.nextStart - now();
      if (wait > 0) {
        if (!s.timer)
          s.timer = setTimeout(() => {
            s.timer = null;
            pump(s);
          }, wait);
        return;
      }
      const waiter = s.queue.shift()!;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      s.active++;
      s.nextStart = now() + s.delayMs;
      let released = false;
      waiter.resolve(() => {
        if (released) return;
        released = true;
        s.active--;
        pump(s);
      });
    }
  };

  return {
    acquire(host, signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const s = stateOf(host);
        const waiter: Waiter = {
          resolve,
          reject,
          signal,
          onAbort: () => {
            const at = s.queue.indexOf(waiter);
            if (at >= 0) s.queue.splice(at, 1);
            reject(signal!.reason);
          },
        };
        signal?.addEventListener('abort', waiter.onAbort, { once: true });
        s.queue.push(waiter);
        pump(s);
      });
    },
    setDelay(host, delayMs) {
      const s = stateOf(host);
      const next = Math.max(defaultDelay, delayMs);
      if (next === s.delayMs) return;
      // A longer delay also spaces the next start from the last one.
      s.nextStart += next - s.delayMs;
      s.delayMs = next;
    },
    pause(host, ms) {
      const s = stateOf(host);
      s.nextStart = Math.max(s.nextStart, now() + ms);
      if (s.timer) {
        clearTimeout(s.timer);
        s.timer = null;
      }
      pump(s);
    },
  };
};
