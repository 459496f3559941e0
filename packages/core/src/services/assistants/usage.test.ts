import { describe, expect, it } from 'vitest';
import { everyDay } from './usage.js';

describe('everyDay', () => {
  const zero = (date: string) => ({ date, promptTokens: 0, completionTokens: 0, messages: 0 });

  it('lists every UTC day the period touches, keeping counted days and filling the others with zeros', () => {
    const counted = [{ date: '2026-12-01', promptTokens: 10, completionTokens: 4, messages: 2 }];
    expect(everyDay(new Date('2026-11-29T18:00:00Z'), new Date('2026-12-02T00:00:00Z'), counted)).toEqual([
      zero('2026-11-29'),
      zero('2026-11-30'),
      counted[0],
      // 2026-12-02 starts exactly at `to` (exclusive): not in the period.
    ]);
  });

  it('counts a period inside one day as that day, and works for the first years of the calendar', () => {
    expect(everyDay(new Date('2026-12-07T08:00:00Z'), new Date('2026-12-07T09:00:00Z'), [])).toEqual([zero('2026-12-07')]);
    expect(everyDay(new Date('0001-01-01T00:00:00Z'), new Date('0001-01-03T00:00:00Z'), [])).toEqual([zero('0001-01-01'), zero('0001-01-02')]);
  });
});
