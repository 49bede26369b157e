import type { AppContext } from '../app-context.js';
import { findClientById } from '../clients/store.js';
import { issueInvoice } from '../invoices/issue.js';
import { findInvoice, type InvoiceRow } from '../invoices/store.js';
import { payInvoice } from '../orders/orders.js';
import type { PaymentMethodName } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import { formatAmount } from '../platform/money.js';
import { type BankTransferInstructions, bankTransferInstructions } from './bank-transfer.js';
import { requireMethodEnabled } from './methods.js';
import { startStripeCheckout } from './stripe.js';
import type { StripeDeps } from './stripe-client.js';

/**
 * A client pays one of their invoices with a method the provider has switched on: credit pays at
 * once; a bank transfer answers what to transfer and the reference; Stripe answers the Checkout
 * URL to send the client to.
 */
type Deps = Pick<AppContext, 'db' | 'clock' | 'settings' | 'logger'> & StripeDeps;

export interface PaymentStarted {
  payment_id?: string;
  invoice_id: string;
  method: PaymentMethodName;
  status: 'paid' | 'pending';
  operations: string[];
  bank_transfer?: BankTransferInstructions;
  checkout_url?: string;
}

export interface StartPaymentInput {
  invoiceId: string;
  clientId: string;
  method: PaymentMethodName;
  saveCard?: boolean;
  actor: { type: 'client'; id: string; ip?: string | null };
  correlationId: string;
}

async function unpaidInvoiceOf(deps: Deps, clientId: string, invoiceId: string): Promise<InvoiceRow> {
  const invoice = await findInvoice(deps.db.kysely, invoiceId, clientId);
  if (!invoice) throw new AppError('not_found', 'The invoice was not found.');
  if (invoice.status !== 'unpaid') throw new AppError('conflict', `The invoice is already ${invoice.status}.`);
  return invoice;
}

export async function startPayment(deps: Deps, input: StartPaymentInput): Promise<PaymentStarted> {
  const settings = deps.settings.snapshot;
  requireMethodEnabled(settings, input.method);
  if (input.method === 'credit') {
    const invoice = await findInvoice(deps.db.kysely, input.invoiceId, input.clientId);
    if (invoice?.kind === 'funds') {
      throw new AppError('invalid_request', 'Funds cannot be paid from credit: pay this invoice by another method.', {
        errors: [{ field: 'body.method', message: 'credit cannot pay for credit' }],
      });
    }
    const paid = await payInvoice(deps, {
      invoiceId: input.invoiceId,
      clientId: input.clientId,
      method: 'credit',
      actor: input.actor,
      correlationId: input.correlationId,
    });
    return { ...paid, method: 'credit' };
  }
  const invoice = await unpaidInvoiceOf(deps, input.clientId, input.invoiceId);
  if (input.method === 'bank_transfer') {
    const instructions = bankTransferInstructions(settings, invoice);
    if (!instructions) throw new AppError('conflict', 'Nothing is due on this invoice.');
    return {
      invoice_id: invoice.id,
      method: 'bank_transfer',
      status: 'pending',
      operations: [],
      bank_transfer: instructions,
    };
  }
  const checkout = await startStripeCheckout(deps, invoice, { saveCard: input.saveCard === true });
  return {
    invoice_id: invoice.id,
    method: 'stripe',
    status: 'pending',
    operations: [],
    checkout_url: checkout.checkout_url,
  };
}

/**
 * Adding funds: an invoice for the amount (kind `funds`, taxed like any other), to pay by bank
 * transfer or Stripe; once paid, the amount is a credit-ledger entry (src/billing/paid.ts).
 */
export async function startTopUp(
  deps: Deps,
  input: {
    clientId: string;
    amountMinor: number;
    method: Exclude<PaymentMethodName, 'credit'>;
    saveCard?: boolean;
    actor: StartPaymentInput['actor'];
    correlationId: string;
  },
) {
  requireMethodEnabled(deps.settings.snapshot, input.method);
  const db = deps.db.kysely;
  const client = await findClientById(db, input.clientId);
  if (!client) throw new AppError('not_found', 'The client was not found.');
  const now = deps.clock.nowMs();
  const { invoice } = await db.transaction().execute((trx) =>
    issueInvoice(trx, deps.settings.snapshot, now, {
      clientId: client.id,
      currency: client.currency,
      kind: 'funds',
      dueAtMs: now,
      items: [
        {
          kind: 'funds',
          description: `Funds added to your credit: ${formatAmount(input.amountMinor, client.currency)} ${client.currency}`,
          amountMinor: input.amountMinor,
        },
      ],
    }),
  );
  const payment = await startPayment(deps, {
    invoiceId: invoice.id,
    clientId: client.id,
    method: input.method,
    ...(input.saveCard !== undefined ? { saveCard: input.saveCard } : {}),
    actor: input.actor,
    correlationId: input.correlationId,
  });
  return {
    invoice_id: invoice.id,
    number: invoice.number,
    total: { amount_minor: Number(invoice.total_minor), currency: invoice.currency },
    payment,
  };
}
