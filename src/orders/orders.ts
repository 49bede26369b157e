import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { findPrice, findProduct } from '../catalog/store.js';
import { debitCredit, findClientById } from '../clients/store.js';
import { findInvoice, insertInvoice, listInvoiceItems, markInvoicePaid } from '../invoices/store.js';
import { ArgumentError, normaliseDomain } from '../panel/domains.js';
import type { BillingCycle } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { enqueueLifecycle } from '../provisioning/index.js';
import { insertService, listPendingServices } from '../services/store.js';
import { insertOrder, insertPayment } from './store.js';

/**
 * Ordering and paying. An order writes the order, its invoice and a pending service in one
 * transaction; paying writes the payment, the paid invoice, the debited credit and the
 * provisioning jobs in one transaction — so a paid invoice always has its jobs, and a job
 * always has its payment.
 */
type Deps = Pick<AppContext, 'db' | 'clock'>;
const DAY_MS = 86_400_000;

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
  const price = await findPrice(db, product.id, input.billingCycle);
  if (!price) {
    throw new AppError('invalid_request', `${product.name} is not sold ${input.billingCycle}.`, {
      errors: [{ field: 'body.billing_cycle', message: 'no price for this cycle' }],
    });
  }
  const now = deps.clock.nowMs();
  const ids = { order: newId('order', now), invoice: newId('invoice', now), service: newId('service', now) };
  const total = price.amount_minor + price.setup_fee_minor;
  await db.transaction().execute(async (trx) => {
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
    await insertInvoice(
      trx,
      {
        id: ids.invoice,
        client_id: input.clientId,
        number: `INV-${new Date(now).getUTCFullYear()}-${ids.invoice.slice(-10)}`,
        status: 'unpaid',
        currency: price.currency,
        subtotal_minor: total,
        tax_minor: 0,
        total_minor: total,
        issued_at_ms: now,
        due_at_ms: now + 7 * DAY_MS,
        paid_at_ms: null,
        created_at_ms: now,
      },
      [
        {
          id: newId('invoiceItem', now),
          invoice_id: ids.invoice,
          service_id: ids.service,
          description: `${product.name} hosting — ${domain} (${input.billingCycle})`,
          amount_minor: total,
          sort_order: 1,
        },
      ],
    );
    await insertOrder(trx, {
      id: ids.order,
      client_id: input.clientId,
      product_id: product.id,
      billing_cycle: input.billingCycle,
      domain,
      invoice_id: ids.invoice,
      service_id: ids.service,
      created_at_ms: now,
    });
  });
  return {
    order_id: ids.order,
    invoice_id: ids.invoice,
    service_id: ids.service,
    total: { amount_minor: total, currency: price.currency },
  };
}

export interface PaymentInput {
  invoiceId: string;
  /** Set for a client paying its own invoice: the invoice must be theirs, paid from their credit. */
  clientId?: string;
  method: 'credit' | 'admin';
  actor: { type: 'admin' | 'client' | 'cli' | 'system'; id: string | null; ip?: string | null };
  correlationId: string;
}

export async function payInvoice(deps: Deps, input: PaymentInput) {
  const db = deps.db.kysely;
  const now = deps.clock.nowMs();
  return db.transaction().execute(async (trx) => {
    const invoice = await findInvoice(trx, input.invoiceId, input.clientId);
    if (!invoice) throw new AppError('not_found', 'The invoice was not found.');
    if (invoice.status !== 'unpaid') throw new AppError('conflict', `The invoice is already ${invoice.status}.`);
    if (input.method === 'credit' && !(await debitCredit(trx, invoice.client_id, invoice.total_minor, now))) {
      const client = await findClientById(trx, invoice.client_id);
      throw new AppError(
        'conflict',
        `Not enough credit: the invoice is ${invoice.total_minor} ${invoice.currency} (minor units), your balance is ${client?.credit_minor ?? 0}. Add credit or ask for the invoice to be marked paid.`,
      );
    }
    if (!(await markInvoicePaid(trx, invoice.id, now)))
      throw new AppError('conflict', 'The invoice was paid by another request.');
    const paymentId = newId('payment', now);
    await insertPayment(trx, {
      id: paymentId,
      invoice_id: invoice.id,
      amount_minor: invoice.total_minor,
      currency: invoice.currency,
      method: input.method,
      actor_type: input.actor.type,
      actor_id: input.actor.id,
      at_ms: now,
    });
    const items = await listInvoiceItems(trx, invoice.id);
    const services = await listPendingServices(
      trx,
      items.flatMap((i) => (i.service_id === null ? [] : [i.service_id])),
    );
    const operations: string[] = [];
    for (const s of services) {
      operations.push(
        await enqueueLifecycle(trx, {
          action: 'create',
          serviceId: s.id,
          clientId: s.client_id,
          serverId: s.server_id,
          correlationId: input.correlationId,
          actor: input.actor,
          nowMs: now,
        }),
      );
    }
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
  });
}
