import type { Kysely } from 'kysely';
import { audit } from '../audit/audit.js';
import { applyPaidInvoice } from '../billing/paid.js';
import { recordInvoicePaid } from '../events/events.js';
import { addInvoicePaid, type InvoiceRow, listInvoiceItems, markInvoicePaid } from '../invoices/store.js';
import { insertPayment, markOrderActive } from '../orders/store.js';
import type { Database, PaymentsTable } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { formatAmount } from '../platform/money.js';
import type { SettingsSnapshot } from '../settings/definitions.js';

export interface PaymentActor {
  type: 'admin' | 'client' | 'cli' | 'system';
  id: string | null;
  ip?: string | null;
}

export interface RecordPaymentInput {
  invoice: InvoiceRow;
  amountMinor: number;
  method: PaymentsTable['method'];
  reference?: string | null;
  /** The provider's id of the money (a Stripe PaymentIntent): unique across payments. */
  providerRef?: string | null;
  paymentId?: string;
  /** When the money arrived, when that was before now (a bank transfer recorded days later). */
  receivedAtMs?: number;
  actor: PaymentActor;
  correlationId: string;
}

export interface RecordedPayment {
  payment_id: string;
  invoice_id: string;
  status: 'paid' | 'unpaid';
  paid_minor: number;
  operations: string[];
}

/** What remains to pay of an unpaid invoice. */
export function amountDue(invoice: Pick<InvoiceRow, 'total_minor' | 'paid_minor'>): number {
  return Number(invoice.total_minor) - Number(invoice.paid_minor);
}

/**
 * Money received for an invoice, in the caller's transaction, whatever the method: the payment
 * row and the amount paid so far; once that reaches the total, the invoice is paid and what it
 * pays for is set off (an order provisions, a renewal moves the due date, funds become credit) —
 * the one paid path of every method.
 */
export async function recordPayment(
  trx: Kysely<Database>,
  settings: SettingsSnapshot,
  now: number,
  input: RecordPaymentInput,
): Promise<RecordedPayment> {
  const { invoice } = input;
  const due = amountDue(invoice);
  const money = (n: number) => `${formatAmount(n, invoice.currency)} ${invoice.currency}`;
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0 || input.amountMinor > due) {
    throw new AppError(
      'invalid_request',
      `${money(input.amountMinor)} is more than what remains to pay on ${invoice.number} (${money(due)}), or not positive. Record at most ${money(due)}.`,
      { errors: [{ field: 'body.amount_minor', message: `must be between 1 and ${due}` }] },
    );
  }
  const paidMinor = await addInvoicePaid(trx, invoice.id, input.amountMinor);
  if (paidMinor === null) throw new AppError('conflict', 'The invoice was paid by another request.');
  const paymentId = input.paymentId ?? newId('payment', now);
  await insertPayment(trx, {
    id: paymentId,
    invoice_id: invoice.id,
    amount_minor: input.amountMinor,
    currency: invoice.currency,
    method: input.method,
    actor_type: input.actor.type,
    actor_id: input.actor.id,
    at_ms: input.receivedAtMs ?? now,
    kind: 'payment',
    reference: input.reference ?? null,
    provider_ref: input.providerRef ?? null,
  });
  if (paidMinor < Number(invoice.total_minor)) {
    await audit(trx, now, {
      actorType: input.actor.type,
      actorId: input.actor.id,
      action: 'invoice.payment',
      targetType: 'invoice',
      targetId: invoice.id,
      ip: input.actor.ip ?? null,
      requestId: input.correlationId,
      details: { method: input.method, amountMinor: input.amountMinor, paidMinor, paymentId },
    });
    return { payment_id: paymentId, invoice_id: invoice.id, status: 'unpaid', paid_minor: paidMinor, operations: [] };
  }
  if (!(await markInvoicePaid(trx, invoice.id, now)))
    throw new AppError('conflict', 'The invoice was paid by another request.');
  await recordInvoicePaid(trx, now, invoice, { paymentId, method: input.method });
  if (invoice.kind === 'order') await markOrderActive(trx, invoice.id);
  const operations = await applyPaidInvoice(
    { trx, settings, nowMs: now, invoice, actor: input.actor, correlationId: input.correlationId },
    await listInvoiceItems(trx, invoice.id),
  );
  await audit(trx, now, {
    actorType: input.actor.type,
    actorId: input.actor.id,
    action: 'invoice.paid',
    targetType: 'invoice',
    targetId: invoice.id,
    ip: input.actor.ip ?? null,
    requestId: input.correlationId,
    details: { method: input.method, amountMinor: input.amountMinor },
  });
  return { payment_id: paymentId, invoice_id: invoice.id, status: 'paid', paid_minor: paidMinor, operations };
}
