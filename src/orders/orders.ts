import type { Kysely } from 'kysely';
import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { applyPaidInvoice } from '../billing/paid.js';
import { findPrice, findProduct } from '../catalog/store.js';
import { changeCredit, findClientById } from '../clients/store.js';
import { recordInvoicePaid } from '../events/events.js';
import { issueInvoice, type NewInvoiceItem } from '../invoices/issue.js';
import { findInvoice, listInvoiceItems, markInvoicePaid } from '../invoices/store.js';
import { ArgumentError, normaliseDomain } from '../panel/domains.js';
import type { BillingCycle, Database } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { insertService } from '../services/store.js';
import type { SettingsSnapshot } from '../settings/definitions.js';
import { insertOrder, insertPayment, markOrderActive } from './store.js';

/**
 * Ordering and paying. An order writes the order, its invoice and a pending service in one
 * transaction; paying writes the payment, the paid invoice, the debited credit and the
 * provisioning jobs in one transaction — so a paid invoice always has its jobs, and a job
 * always has its payment.
 */
type Deps = Pick<AppContext, 'db' | 'clock' | 'settings'>;

export async function placeOrder(
  deps: Deps,
  input: { clientId: string; productId: string; billingCycle: BillingCycle; domain: string },
) {
  let domain: string;
  try {
    domain = normaliseDomain(input.domain);
  } catch (error) {
    const message = error instanceof ArgumentError ? error.message : 'is not a domain name';
    throw new AppError('validation_failed', `The domain ${message}.`, { errors: [{ field: 'body.domain', message }] });
  }
  const db = deps.db.kysely;
  const product = await findProduct(db, input.productId);
  if (product?.enabled !== 1) throw new AppError('not_found', 'The product was not found.');
  const client = await findClientById(db, input.clientId);
  if (!client) throw new AppError('not_found', 'The client was not found.');
  const price = await findPrice(db, product.id, input.billingCycle, client.currency);
  if (!price) {
    throw new AppError('invalid_request', `${product.name} is not sold ${input.billingCycle}.`, {
      errors: [{ field: 'body.billing_cycle', message: 'no price for this cycle' }],
    });
  }
  const now = deps.clock.nowMs();
  const ids = { order: newId('order', now), service: newId('service', now) };
  const total = price.amount_minor + price.setup_fee_minor;
  const invoiceId = await db.transaction().execute(async (trx) => {
    await insertService(trx, {
      id: ids.service,
      client_id: input.clientId,
      product_id: product.id,
      order_id: ids.order,
      domain,
      status: 'pending',
      billing_cycle: input.billingCycle,
      amount_minor: price.amount_minor,
      currency: price.currency,
      created_at_ms: now,
    });
    const items: NewInvoiceItem[] = [
      {
        kind: 'order',
        serviceId: ids.service,
        description: `${product.name} hosting — ${domain} (${input.billingCycle})`,
        amountMinor: price.amount_minor,
      },
    ];
    if (price.setup_fee_minor > 0) {
      items.push({
        kind: 'setup',
        serviceId: ids.service,
        description: `${product.name} setup fee`,
        amountMinor: price.setup_fee_minor,
      });
    }
    const { invoice } = await issueInvoice(trx, deps.settings.snapshot, now, {
      clientId: input.clientId,
      currency: price.currency,
      kind: 'order',
      dueAtMs: now,
      items,
    });
    await insertOrder(trx, {
      id: ids.order,
      client_id: input.clientId,
      product_id: product.id,
      billing_cycle: input.billingCycle,
      domain,
      invoice_id: invoice.id,
      service_id: ids.service,
      created_at_ms: now,
      status: 'pending',
      cancelled_at_ms: null,
    });
    return invoice.id;
  });
  return {
    order_id: ids.order,
    invoice_id: invoiceId,
    service_id: ids.service,
    total: { amount_minor: total, currency: price.currency },
  };
}

export interface PaymentInput {
  invoiceId: string;
  /** Set for a client paying its own invoice: the invoice must be theirs, paid from their credit. */
  clientId?: string;
  method: 'credit' | 'admin' | 'bank_transfer';
  /** The payer's reference (a bank transfer's), shown with the payment. */
  reference?: string | null;
  actor: { type: 'admin' | 'client' | 'cli' | 'system'; id: string | null; ip?: string | null };
  correlationId: string;
}

export async function payInvoice(deps: Deps, input: PaymentInput) {
  const now = deps.clock.nowMs();
  return deps.db.kysely
    .transaction()
    .execute((trx) => payInvoiceInTransaction(trx, deps.settings.snapshot, now, input));
}

/**
 * Paying an invoice in the caller's transaction (the billing run pays renewals from credit in its
 * batch's): the same checks, rows and paid-line handlers as a client's or an admin's payment.
 */
export async function payInvoiceInTransaction(
  trx: Kysely<Database>,
  settings: SettingsSnapshot,
  now: number,
  input: PaymentInput,
) {
  const invoice = await findInvoice(trx, input.invoiceId, input.clientId);
  if (!invoice) throw new AppError('not_found', 'The invoice was not found.');
  if (invoice.status !== 'unpaid') throw new AppError('conflict', `The invoice is already ${invoice.status}.`);
  const paymentId = newId('payment', now);
  if (input.method === 'credit') {
    const client = await findClientById(trx, invoice.client_id);
    if (client && client.currency !== invoice.currency) {
      throw new AppError(
        'conflict',
        `Your credit is in ${client.currency} and the invoice in ${invoice.currency}: credit cannot pay it. Pay it another way or ask for it to be marked paid.`,
      );
    }
    const debited = await changeCredit(trx, {
      id: newId('credit', now),
      client_id: invoice.client_id,
      amount_minor: -invoice.total_minor,
      reason: `Payment of ${invoice.number}`,
      actor_type: input.actor.type,
      actor_id: input.actor.id,
      invoice_id: invoice.id,
      payment_id: paymentId,
      at_ms: now,
    });
    if (!debited) {
      throw new AppError(
        'conflict',
        `Not enough credit: the invoice is ${invoice.total_minor} ${invoice.currency} (minor units), your balance is ${client?.credit_minor ?? 0}. Add credit or ask for the invoice to be marked paid.`,
      );
    }
  }
  if (!(await markInvoicePaid(trx, invoice.id, now)))
    throw new AppError('conflict', 'The invoice was paid by another request.');
  await recordInvoicePaid(trx, now, invoice, { paymentId, method: input.method });
  await insertPayment(trx, {
    id: paymentId,
    invoice_id: invoice.id,
    amount_minor: invoice.total_minor,
    currency: invoice.currency,
    method: input.method,
    actor_type: input.actor.type,
    actor_id: input.actor.id,
    at_ms: now,
    kind: 'payment',
    reference: input.reference ?? null,
  });
  if (invoice.kind === 'order') await markOrderActive(trx, invoice.id);
  const operations = await applyPaidInvoice(
    {
      trx,
      settings,
      nowMs: now,
      invoice,
      actor: input.actor,
      correlationId: input.correlationId,
    },
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
    details: { method: input.method, amountMinor: invoice.total_minor },
  });
  return { payment_id: paymentId, invoice_id: invoice.id, status: 'paid' as const, operations };
}
