import { collectDefaultMetrics, Registry, type Metric } from 'prom-client';

/** Latency buckets, in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

const REQUESTS = 'atrium_http_requests_total';
const DURATION = 'atrium_http_request_duration_seconds';

/** Everything recorded for one method and route template. */
interface Series {
  labels: { method: string; route: string };
  count: number;
  sum: number;
  /** Requests per bucket, not cumulative; the last slot is +Inf. */
  perBucket: number[];
  /** Requests per status code. */
  statuses: Map<number, number>;
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export interface RequestMetrics {
  /** Default process metrics plus the two request metrics, for `/metrics`. */
  registry: Registry;
  /** One finished request: method, route template, status, duration in seconds. */
  record(method: string, route: string, status: number, seconds: number): void;
}

/**
 * Request counts (`atrium_http_requests_total{method,route,status}`) and a latency histogram
 * (`atrium_http_request_duration_seconds{method,route}`) per route template.
 *
 * Why not prom-client's Counter and Histogram: they turn the labels into a key string and
 * validate them on every observation, about 1.5 µs a request, which was a tenth of what the
 * whole middleware stack costs (ADR 0018). Here a request costs one Map lookup on a key the
 * route template already is, and the exposition is built only when `/metrics` is scraped.
 * The two metrics are registered on the registry through the interface its `metrics()` and
 * `getMetricsAsJSON()` read (`name`, `help`, `type`, `aggregator`, `get`, `reset`), so the
 * text is prom-client's own formatting.
 */
export const requestMetrics = (): RequestMetrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const series = new Map<string, Series>();

  const record = (method: string, route: string, status: number, seconds: number) => {
    const key = `${method} ${route}`;
    let s = series.get(key);
    if (!s) {
      s = { labels: { method, route }, count: 0, sum: 0, perBucket: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0), statuses: new Map() };
      series.set(key, s);
    }
    s.count++;
    s.sum += seconds;
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[bucket]!) bucket++;
    s.perBucket[bucket]!++;
    s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
  };

  const view = (name: string, help: string, type: 'counter' | 'histogram', samples: () => Sample[]) => {
    const metric = {
      name,
      help,
      type,
      aggregator: 'sum' as const,
      get: async () => ({ name: metric.name, help, type, aggregator: 'sum' as const, values: samples() }),
      // Both views read the same series, so resetting either clears both (the registry resets all).
      reset: () => series.clear(),
    };
    // prom-client types `registerMetric` with its own classes; what it reads is the above.
    registry.registerMetric(metric as unknown as Metric);
  };

  view(REQUESTS, 'HTTP requests by method, route and status', 'counter', () =>
    [...series.values()].flatMap((s) =>
      [...s.statuses].map(([status, value]) => ({ labels: { ...s.labels, status: String(status) }, value })),
    ),
  );
  view(DURATION, 'HTTP request latency by method and route', 'histogram', () =>
    [...series.values()].flatMap((s) => {
      let cumulative = 0;
      const buckets = LATENCY_BUCKETS.map((le, i) => {
        cumulative += s.perBucket[i]!;
        // `le` first, where prom-client's Histogram puts it (a test compares the two).
        return { labels: { le, ...s.labels }, value: cumulative, metricName: `${DURATION}_bucket` };
      });
      return [
        ...buckets,
        { labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${DURATION}_bucket` },
        { labels: s.labels, value: s.sum, metricName: `${DURATION}_sum` },
        { labels: s.labels, value: s.count, metricName: `${DURATION}_count` },
      ];
    }),
  );

  return { registry, record };
};
