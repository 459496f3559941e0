import { CONVERSATION_CHANNELS, type UsageOptions, type UsageReport } from '../../domain/conversations.js';
import { invalid } from '../../domain/errors.js';
import type { Actor } from '../../domain/identity.js';
import type { CoreContext } from '../context.js';
import { requireTenant } from '../shared/access.js';
import { assertValid } from '../shared/validation.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** PostgreSQL's timestamptz and ISO 8601 agree on years 1–9999; anything else is refused, not sent. */
const checkDate = (date: Date | undefined, path: string) => {
  if (date === undefined) return null;
  const year = date.getUTCFullYear();
  return Number.isNaN(date.getTime()) || year < 1 || year > 9999 ? { path, message: 'Must be a date between years 1 and 9999' } : null;
};
/** The default period: the last 30 days. */
export const DEFAULT_USAGE_DAYS = 30;
export const MAX_USAGE_DAYS = 366;

/**
 * Token usage of the tenant's assistants over [from, to) (tenant owners and admins): of
 * one channel's answers when `channel` is given, and per UTC day with `groupBy: 'day'`.
 */
export const getUsage = async (
  ctx: CoreContext,
  actor: Actor,
  period: { from?: Date | undefined; to?: Date | undefined } & UsageOptions = {},
): Promise<UsageReport> => {
  requireTenant(actor, 'usage.read');
  assertValid([
    checkDate(period.from, 'from'),
    checkDate(period.to, 'to'),
    period.channel === undefined || CONVERSATION_CHANNELS.includes(period.channel) ? null : { path: 'channel', message: `Must be one of ${CONVERSATION_CHANNELS.join(', ')}` },
    period.groupBy === undefined || period.groupBy === 'day' ? null : { path: 'groupBy', message: 'Must be day' },
  ]);
  const to = period.to ?? ctx.clock.now();
  const from = period.from ?? new Date(to.getTime() - DEFAULT_USAGE_DAYS * DAY_MS);
  if (from.getTime() >= to.getTime()) throw invalid([{ path: 'from', message: 'Must be before `to`' }]);
  if (to.getTime() - from.getTime() > MAX_USAGE_DAYS * DAY_MS)
    throw invalid([{ path: 'from', message: `The period may span at most ${MAX_USAGE_DAYS} days` }]);
  const report = await ctx.store.forTenant(actor.tenantId).usage.report(from, to, { channel: period.channel, groupBy: period.groupBy });
  return report.series ? { ...report, series: everyDay(from, to, report.series) } : report;
};

type Day = NonNullable<UsageReport['series']>[number];

/** Every UTC day [from, to) touches, oldest first, with the totals of the days that had answers and zeros for the rest. */
export const everyDay = (from: Date, to: Date, counted: readonly Day[]): Day[] => {
  const byDate = new Map(counted.map((d) => [d.date, d]));
  const days: Day[] = [];
  const day = new Date(from);
  day.setUTCHours(0, 0, 0, 0);
  for (; day.getTime() < to.getTime(); day.setUTCDate(day.getUTCDate() + 1)) {
    const date = day.toISOString().slice(0, 10);
    days.push(byDate.get(date) ?? { date, promptTokens: 0, completionTokens: 0, messages: 0 });
  }
  return days;
};
