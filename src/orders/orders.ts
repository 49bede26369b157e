import type { Kysely } from 'kysely';
import type { AppContext } from '../app-context.js';
import { findPrice, findProduct } from '../catalog/store.js';
import { findClientById } from '../clients/store.js';
import { issueInvoice, type NewInvoiceItem } from '../invoices/issue.js';
import { findInvoice } from '../invoices/store.js';
import { ArgumentError, normaliseDomain } from '../panel/domains.js';
import { debitCreditForInvoice } from '../payments/credit.js';
import { amountDue, recordPayment } from '../payments/record.js';
import type { BillingCycle, Database } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { insertService } from '../services/store.js';
import type { SettingsSnapshot } from '../settings/definitions.js';
import { insertOrder } from './store.js';

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
  /** `credit` debits the client's balance; `admin` records money taken outside Portico. */
  method: 'credit' | 'admin';
  /** The payer's reference, shown with the payment. */
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
 * Paying what remains of an invoice in the caller's transaction (the billing run pays renewals
 * from credit in its batch's): the credit method's debit, then the payment recorded through the
 * one path every method takes (src/payments/record.ts).
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
  const amountMinor = amountDue(invoice);
  if (input.method === 'credit') {
    await debitCreditForInvoice(trx, now, { invoice, amountMinor, paymentId, actor: input.actor });
  }
  const recorded = await recordPayment(trx, settings, now, {
    invoice,
    amountMinor,
    method: input.method,
    reference: input.reference ?? null,
    paymentId,
    actor: input.actor,
    correlationId: input.correlationId,
  });
  return {
    payment_id: recorded.payment_id,
    invoice_id: invoice.id,
    status: 'paid' as const,
    operations: recorded.operations,
  };
}
