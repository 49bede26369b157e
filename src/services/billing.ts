import { DateTime } from 'luxon';
import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { iso } from '../platform/http/checks.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { findServiceBilling, setServiceBilling } from './store.js';

/**
 * A service's own recurring amount and next due date, changed by an admin. A product's price change
 * applies to new orders only; this is how an existing service gets a new price.
 */
type Deps = Pick<AppContext, 'db' | 'clock' | 'settings'>;

export interface BillingChange {
  amountMinor?: number;
  /** `YYYY-MM-DD`: the start of that day in the provider's time zone. */
  nextDue?: string;
}

export interface BillingActor {
  type: 'admin' | 'cli';
  id: string | null;
  ip?: string | null;
  requestId?: string | null;
}

export function parseDueDate(text: string, zone: string, field: string): number {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text) ? DateTime.fromISO(text, { zone }) : null;
  if (!day?.isValid) {
    throw new AppError('invalid_request', `${field} must be a date as YYYY-MM-DD, e.g. 2027-01-31 (got "${text}").`, {
      errors: [{ field, message: 'not a YYYY-MM-DD date' }],
    });
  }
  return day.startOf('day').toMillis();
}

export async function setServicePrice(deps: Deps, actor: BillingActor, serviceId: string, change: BillingChange) {
  const db = deps.db.kysely;
  const service = await findServiceBilling(db, serviceId);
  if (!service) throw notFound('The service');
  const zone = deps.settings.snapshot['billing.time_zone'];
  if (change.amountMinor !== undefined && (!Number.isSafeInteger(change.amountMinor) || change.amountMinor < 0)) {
    throw new AppError('invalid_request', 'The amount must be a whole number of minor units, at least 0.', {
      errors: [{ field: 'amount_minor', message: 'must be an integer ≥ 0' }],
    });
  }
  const nextDueMs = change.nextDue === undefined ? undefined : parseDueDate(change.nextDue, zone, 'next_due_at');
  const now = deps.clock.nowMs();
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  if (change.amountMinor !== undefined && change.amountMinor !== service.amount_minor) {
    changes.amount_minor = { from: service.amount_minor, to: change.amountMinor };
  }
  if (nextDueMs !== undefined && nextDueMs !== service.next_due_at_ms) {
    changes.next_due_at = { from: iso(service.next_due_at_ms), to: iso(nextDueMs) };
  }
  await db.transaction().execute(async (trx) => {
    await setServiceBilling(
      trx,
      service.id,
      {
        ...(change.amountMinor !== undefined ? { amount_minor: change.amountMinor } : {}),
        ...(nextDueMs !== undefined ? { next_due_at_ms: nextDueMs } : {}),
      },
      now,
    );
    if (Object.keys(changes).length) {
      await audit(trx, now, {
        actorType: actor.type,
        actorId: actor.id,
        action: 'service.billing.update',
        targetType: 'service',
        targetId: service.id,
        ip: actor.ip ?? null,
        requestId: actor.requestId ?? null,
        details: { changes, currency: service.currency },
      });
    }
  });
  return {
    id: service.id,
    amount_minor: change.amountMinor ?? service.amount_minor,
    currency: service.currency,
    billing_cycle: service.billing_cycle,
    next_due_at: iso(nextDueMs ?? service.next_due_at_ms),
  };
}
