import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { WidgetRateLimiter } from '../../ports/index.js';
import type { LimiterOptions } from './redis-limiters.js';

const MINUTE = 60;
const DAY = 24 * 60 * 60;
/** A widget as a whole (every visitor of its key together) gets this many visitors' budgets. */
const KEY_MULTIPLE = 10;

/**
 * Widget budgets on rate-limiter-flexible: per visitor and per widget, per minute and per
 * day, with the widget's own numbers. Limiters are made per budget size and kept; in memory
 * unless `create` puts them elsewhere (Redis, shared by replicas).
 */
export const widgetRateLimiter = (create: (options: LimiterOptions) => RateLimiterAbstract = (o) => new RateLimiterMemory(o)): WidgetRateLimiter => {
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiter = (name: string, points: number, duration: number) => {
    const id = `${name}:${points}`;
    let found = limiters.get(id);
    if (!found) {
      found = create({ keyPrefix: `widget_${name}`, points, duration });
      limiters.set(id, found);
    }
    return found;
  };
  return {
    async consume({ assistantId, visitorId, perMinute, perDay }) {
      const visitor = `${assistantId}:${visitorId}`;
      const budgets: [RateLimiterAbstract, string][] = [
        [limiter('visitor_minute', perMinute, MINUTE), visitor],
        [limiter('visitor_day', perDay, DAY), visitor],
        [limiter('key_minute', perMinute * KEY_MULTIPLE, MINUTE), assistantId],
        [limiter('key_day', perDay * KEY_MULTIPLE, DAY), assistantId],
      ];
      for (const [budget, key] of budgets) {
        try {
          await budget.consume(key);
        } catch (error) {
          if (!(error instanceof RateLimiterRes)) throw error;
          return { retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
        }
      }
      return null;
    },
  };
};
