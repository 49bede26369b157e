import type { Kysely } from 'kysely';
import { changeCredit } from '../clients/store.js';
import type { InvoiceItemRow, InvoiceRow } from '../invoices/store.js';
import type { Database, InvoiceItemKind } from '../platform/db/schema.js';
import { enqueueLifecycle } from '../provisioning/index.js';
import type { LifecyclePayload } from '../provisioning/lifecycle.js';
import { listPendingServices } from '../services/store.js';
import type { SettingsSnapshot } from '../settings/definitions.js';
import { renewalPaid } from './renewal.js';
import { upgradePaid } from './upgrade-paid.js';

/**
 * What paying an invoice sets off, line by line, in the payment's transaction: an order line
 * starts provisioning, a renewal line moves the due date, a funds line adds credit. Whatever the
 * payment came through (credit, an admin, a gateway), the same handlers run.
 */
export interface PaidContext {
  trx: Kysely<Database>;
  settings: SettingsSnapshot;
  nowMs: number;
  invoice: InvoiceRow;
  actor: LifecyclePayload['actor'] & { ip?: string | null };
  correlationId: string;
}

/** A line's effect; returns the operations (job ids) it queued. */
export type PaidHandler = (ctx: PaidContext, item: InvoiceItemRow) => Promise<string[]>;

const orderPaid: PaidHandler = async (ctx, item) => {
  if (!item.service_id) return [];
  const [service] = await listPendingServices(ctx.trx, [item.service_id]);
  if (!service) return [];
  return [
    await enqueueLifecycle(ctx.trx, {
      action: 'create',
      serviceId: service.id,
      clientId: service.client_id,
      serverId: service.server_id,
      correlationId: ctx.correlationId,
      actor: ctx.actor,
      nowMs: ctx.nowMs,
    }),
  ];
};

const fundsPaid: PaidHandler = async (ctx, item) => {
  await changeCredit(ctx.trx, {
    id: `crd_${item.id.slice(4)}`,
    client_id: ctx.invoice.client_id,
    amount_minor: item.amount_minor,
    reason: `Funds added (${ctx.invoice.number})`,
    actor_type: ctx.actor.type,
    actor_id: ctx.actor.id,
    invoice_id: ctx.invoice.id,
    payment_id: null,
    at_ms: ctx.nowMs,
  });
  return [];
};

const nothing: PaidHandler = async () => [];

const HANDLERS: Record<InvoiceItemKind, PaidHandler> = {
  order: orderPaid,
  setup: nothing,
  renewal: renewalPaid,
  upgrade: upgradePaid,
  funds: fundsPaid,
  manual: nothing,
};

export async function applyPaidInvoice(ctx: PaidContext, items: InvoiceItemRow[]): Promise<string[]> {
  const operations: string[] = [];
  for (const item of items) operations.push(...(await HANDLERS[item.kind](ctx, item)));
  return operations;
}
