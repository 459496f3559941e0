import { describe, expect, it } from 'vitest';
import { widgetRateLimiter } from './widget-rate-limiter.js';

describe('widgetRateLimiter', () => {
  const request = (visitorId: string, perMinute = 3, perDay = 100) => ({ assistantId: 'a1', visitorId, perMinute, perDay });

  it("allows a visitor's per-minute budget, then says how long to wait", async () => {
    const limiter = widgetRateLimiter();
    for (let i = 0; i < 3; i++) expect(await limiter.consume(request('v1'))).toBeNull();
    const refused = await limiter.consume(request('v1'));
    expect(refused?.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused?.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Another visitor has a budget of their own.
    expect(await limiter.consume(request('v2'))).toBeNull();
  });

  it('applies the daily budget, and a budget for the widget as a whole (ten visitors worth)', async () => {
    const daily = widgetRateLimiter();
    expect(await daily.consume(request('v1', 10, 2))).toBeNull();
    expect(await daily.consume(request('v1', 10, 2))).toBeNull();
    expect((await daily.consume(request('v1', 10, 2)))?.retryAfterSeconds).toBeGreaterThan(60);

    const whole = widgetRateLimiter();
    // 1 a minute per visitor: the widget as a whole takes 10 a minute, from any visitors.
    for (let i = 0; i < 10; i++) expect(await whole.consume(request(`visitor-${i}`, 1))).toBeNull();
    expect(await whole.consume(request('visitor-10', 1))).not.toBeNull();
  });
});
