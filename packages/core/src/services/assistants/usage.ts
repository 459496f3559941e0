import type { UsageReport } from '../../domain/conversations.js';
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

/** Token usage of the tenant's assistants over [from, to) (tenant owners and admins). */
export const getUsage = async (
  ctx: CoreContext,
  actor: Actor,
  period: { from?: Date | undefined; to?: Date | undefined } = {},
): Promise<UsageReport> => {
  requireTenant(actor, 'usage.read');
  assertValid([checkDate(period.from, 'from'), checkDate(period.to, 'to')]);
  const to = period.to ?? ctx.clock.now();
  const from = period.from ?? new Date(to.getTime() - DEFAULT_USAGE_DAYS * DAY_MS);
  if (from.getTime() >= to.getTime()) throw invalid([{ path: 'from', message: 'Must be before `to`' }]);
  if (to.getTime() - from.getTime() > MAX_USAGE_DAYS * DAY_MS)
    throw invalid([{ path: 'from', message: `The period may span at most ${MAX_USAGE_DAYS} days` }]);
  return ctx.store.forTenant(actor.tenantId).usage.report(from, to);
};
