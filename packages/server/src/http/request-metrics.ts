import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Latency buckets, in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface RequestMetrics {
  /** Default process metrics plus the two request metrics, for `/metrics`. */
  registry: Registry;
  /** One finished request: method, route template, status, duration in seconds. */
  record(method: string, route: string, status: number, seconds: number): void;
}

/**
 * Request counts (`atrium_http_requests_total{method,route,status}`) and a latency histogram
 * (`atrium_http_request_duration_seconds{method,route}`), labelled by route template rather
 * than by concrete path, which would explode label cardinality with ids.
 */
export const requestMetrics = (): RequestMetrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'atrium_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'atrium_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    record(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, seconds);
    },
  };
};
