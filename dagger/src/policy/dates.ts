/**
 * Calendar-day arithmetic in UTC. Exception expiry dates are calendar days (`YYYY-MM-DD`,
 * the last day the exception holds), so the gate compares days, never instants: the same
 * policy gives the same answer at 00:05 and 23:55, in any time zone.
 */

const MS_PER_DAY = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC calendar day of an instant, as `YYYY-MM-DD`. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`); negative when `to` is earlier. NaN if either is not a day. */
export function daysBetween(from: string, to: string): number {
  if (!ISO_DAY.test(from) || !ISO_DAY.test(to)) return Number.NaN;
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY);
}
