import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS, requestMetrics } from './request-metrics.js';

const REQUESTS: [method: string, route: string, status: number, seconds: number][] = [
  ['GET', '/api/v1/me', 200, 0.0004],
  ['GET', '/api/v1/me', 200, 0.001], // on a bucket's bound: counted in that bucket
  ['GET', '/api/v1/me', 401, 0.003],
  ['GET', '/api/v1/me', 200, 0.2],
  ['GET', '/api/v1/me', 200, 42], // past every bound: only +Inf
  ['POST', '/api/v1/spaces', 201, 0.04],
  ['GET', 'unmatched', 404, 0.0001],
];

/** The request metrics lines of a scrape (default process metrics left out). */
const requestLines = (text: string) => text.split('\n').filter((line) => line.includes('atrium_http_'));

describe('request metrics', () => {
  it('expose counts per method, route and status, and latency buckets per method and route', async () => {
    const metrics = requestMetrics();
    for (const [method, route, status, seconds] of REQUESTS) metrics.record(method, route, status, seconds);
    const ours = requestLines(await metrics.registry.metrics());
    expect(ours.length).toBeGreaterThan(20);
    expect(ours).toContain('# HELP atrium_http_requests_total HTTP requests by method, route and status');
    expect(ours).toContain('# TYPE atrium_http_request_duration_seconds histogram');
    expect(ours.filter((line) => line.startsWith('atrium_http_request_duration_seconds_bucket{') && line.includes('route="/api/v1/me"'))).toHaveLength(LATENCY_BUCKETS.length + 1);
    expect(ours).toContain('atrium_http_requests_total{method="GET",route="/api/v1/me",status="200"} 4');
    expect(ours).toContain('atrium_http_request_duration_seconds_bucket{le="0.001",method="GET",route="/api/v1/me"} 2');
    expect(ours).toContain('atrium_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/v1/me"} 5');
    expect(ours).toContain('atrium_http_request_duration_seconds_count{method="GET",route="/api/v1/me"} 5');
  });

  it('read as JSON with their types, and reset with the registry', async () => {
    const metrics = requestMetrics();
    metrics.record('GET', '/healthz', 200, 0.002);
    const json = await metrics.registry.getMetricsAsJSON();
    const requests = json.find((m) => m.name === 'atrium_http_requests_total');
    expect(requests?.type).toBe('counter');
    expect(requests?.values).toEqual([{ labels: { method: 'GET', route: '/healthz', status: '200' }, value: 1 }]);
    const duration = json.find((m) => m.name === 'atrium_http_request_duration_seconds');
    expect(duration?.type).toBe('histogram');
    expect(duration?.values).toContainEqual({
      labels: { method: 'GET', route: '/healthz' },
      value: 1,
      metricName: 'atrium_http_request_duration_seconds_count',
    });
    metrics.registry.resetMetrics();
    expect(requestLines(await metrics.registry.metrics()).filter((line) => !line.startsWith('#'))).toEqual([]);
  });
});
