import { advanceServiceDue } from '../services/store.js';
import type { PaidHandler } from './paid.js';

/**
 * A paid renewal line moves the service's due date to the end of the period it paid — one cycle
 * from the previous due date, not from the day of payment.
 */
export const renewalPaid: PaidHandler = async (ctx, item) => {
  if (!item.service_id || item.period_end_ms === null) return [];
  await advanceServiceDue(ctx.trx, item.service_id, item.period_end_ms, ctx.nowMs);
  return [];
};
