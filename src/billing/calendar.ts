import { DateTime } from 'luxon';
import type { BillingCycle } from '../platform/db/schema.js';

/**
 * Billing periods are calendar periods in the provider's time zone (`billing.time_zone`): a
 * monthly service anchored on 31 January is due on 28 (or 29) February, 31 March, 30 April …
 * Every period is counted from the anchor, never from the previous (clamped) date, so the day
 * comes back after a short month. Due dates are the start of a local day.
 */
export const CYCLE_MONTHS: Record<BillingCycle, number> = {
  monthly: 1,
  quarterly: 3,
  semiannually: 6,
  annually: 12,
  biennially: 24,
};

function local(ms: number, zone: string): DateTime {
  return DateTime.fromMillis(ms, { zone });
}

/** The start (00:00) of the local day that holds `ms`. */
export function startOfDay(ms: number, zone: string): number {
  return local(ms, zone).startOf('day').toMillis();
}

/** The start of period `n` of a service anchored at `anchorMs` (period 0 starts at the anchor's day). */
export function periodStart(anchorMs: number, cycle: BillingCycle, n: number, zone: string): number {
  return local(anchorMs, zone)
    .startOf('day')
    .plus({ months: CYCLE_MONTHS[cycle] * n })
    .toMillis();
}

/** The local day `days` days after (or before, negative) `ms`, at the same wall-clock time. */
export function addDays(ms: number, days: number, zone: string): number {
  return local(ms, zone).plus({ days }).toMillis();
}

/** Whole local days from `fromMs` to `toMs` (negative when `toMs` is earlier). */
export function daysBetween(fromMs: number, toMs: number, zone: string): number {
  return Math.floor(local(toMs, zone).startOf('day').diff(local(fromMs, zone).startOf('day'), 'days').days);
}

/** The year `ms` falls in, in the provider's time zone (invoice numbers restart with it). */
export function localYear(ms: number, zone: string): number {
  return local(ms, zone).year;
}

/** `2027-03-31` in the provider's zone. */
export function localDate(ms: number, zone: string): string {
  return local(ms, zone).toISODate() ?? '';
}

/**
 * Which period of an anchored service starts at `startMs` (the index `periodStart` would need), or
 * -1 when no period starts there. Periods are few (one a month), so this counts from the anchor
 * by whole months between the two dates, then checks.
 */
export function periodIndexAt(anchorMs: number, cycle: BillingCycle, startMs: number, zone: string): number {
  const months = Math.round(local(startMs, zone).diff(local(anchorMs, zone).startOf('day'), 'months').months);
  const n = Math.round(months / CYCLE_MONTHS[cycle]);
  for (const k of [n - 1, n, n + 1]) if (k >= 0 && periodStart(anchorMs, cycle, k, zone) === startMs) return k;
  return -1;
}
