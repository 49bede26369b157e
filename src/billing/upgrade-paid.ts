import { enqueueLifecycle } from '../provisioning/index.js';
import { changeServiceProduct, findServiceBilling } from '../services/store.js';
import type { PaidHandler } from './paid.js';

/**
 * A paid upgrade line makes the change it was issued for: the service takes the new product and
 * its recurring amount, and a change_package job moves the account on the panel. The invoice's
 * credit line (the unused days) is an 'upgrade' line too, without a target product: it does nothing.
 */
export const upgradePaid: PaidHandler = async (ctx, item) => {
  if (!item.service_id || !item.details) return [];
  const details = JSON.parse(item.details) as { to_product_id?: string; new_amount_minor?: number };
  if (!details.to_product_id || typeof details.new_amount_minor !== 'number') return [];
  const service = await findServiceBilling(ctx.trx, item.service_id);
  if (!service || (service.status !== 'active' && service.status !== 'suspended')) return [];
  await changeServiceProduct(
    ctx.trx,
    service.id,
    { productId: details.to_product_id, amountMinor: details.new_amount_minor },
    ctx.nowMs,
  );
  return [
    await enqueueLifecycle(ctx.trx, {
      action: 'change_package',
      serviceId: service.id,
      clientId: service.client_id,
      serverId: service.server_id,
      productId: details.to_product_id,
      correlationId: ctx.correlationId,
      actor: { type: ctx.actor.type, id: ctx.actor.id },
      nowMs: ctx.nowMs,
    }),
  ];
};
