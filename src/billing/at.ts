import { DateTime } from 'luxon';
import { CliUsageError } from '../cli/input.js';

/**
 * `--at 2027-03-01` (a local day in billing.time_zone) or a full ISO time, as epoch ms: the day a
 * billing run is run as, from `portico billing run --at` and the Admin API's `at`.
 */
export function parseAt(value: string, zone: string): number {
  const at = DateTime.fromISO(value.trim(), { zone });
  if (!at.isValid) {
    throw new CliUsageError(
      `--at ${value} is not an ISO date or time: give a day like 2027-03-01 (in ${zone}) or a time like 2027-03-01T09:00:00Z.`,
    );
  }
  return at.toMillis();
}
