import { hasOverdueRenewal } from '../invoices/store.js';
import { enqueueLifecycle } from '../provisioning/index.js';
import { advanceServiceDue, findServiceBilling, setSuspensionReason } from '../services/store.js';
import { addDays, startOfDay } from './calendar.js';
import type { PaidHandler } from './paid.js';

/**
 * A paid renewal line moves the service's due date to the end of the period it paid — one cycle
 * from the previous due date, not from the day of payment. A service the billing run suspended
 * for non-payment ('overdue') is unsuspended once no other renewal invoice of it is past the
 * suspension threshold; a suspension with another reason (an admin's) stays.
 */
export const renewalPaid: PaidHandler = async (ctx, item) => {
  if (!item.service_id || item.period_end_ms === null) return [];
  await advanceServiceDue(ctx.trx, item.service_id, item.period_end_ms, ctx.nowMs);
  const service = await findServiceBilling(ctx.trx, item.service_id);
  if (service?.suspension_reason !== 'overdue') return [];
  if (service.status !== 'suspended' && service.status !== 'active') return [];
  const days = ctx.settings['billing.suspend_after_days'];
  if (days !== null) {
    const zone = ctx.settings['billing.time_zone'];
    const cutoff = addDays(startOfDay(ctx.nowMs, zone), -days, zone);
    if (await hasOverdueRenewal(ctx.trx, service.id, cutoff)) return [];
  }
  await setSuspensionReason(ctx.trx, service.id, null, ctx.nowMs);
  return [
    await enqueueLifecycle(ctx.trx, {
      action: 'unsuspend',
      serviceId: service.id,
      clientId: service.client_id,
      serverId: service.server_id,
      correlationId: ctx.correlationId,
      actor: ctx.actor,
      nowMs: ctx.nowMs,
    }),
  ];
};
