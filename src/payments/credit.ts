import type { Kysely } from 'kysely';
import { changeCredit, findClientById } from '../clients/store.js';
import type { InvoiceRow } from '../invoices/store.js';
import type { Database } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import type { PaymentActor } from './record.js';

/**
 * The credit method: debits what remains of the invoice from the client's balance (one
 * conditional update, so two payments at once cannot both spend it), in the payment's
 * transaction; the caller then records the payment.
 */
export async function debitCreditForInvoice(
  trx: Kysely<Database>,
  now: number,
  input: { invoice: InvoiceRow; amountMinor: number; paymentId: string; actor: PaymentActor },
): Promise<void> {
  const { invoice } = input;
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
    amount_minor: -input.amountMinor,
    reason: `Payment of ${invoice.number}`,
    actor_type: input.actor.type,
    actor_id: input.actor.id,
    invoice_id: invoice.id,
    payment_id: input.paymentId,
    at_ms: now,
  });
  if (!debited) {
    throw new AppError(
      'conflict',
      `Not enough credit: the invoice is ${input.amountMinor} ${invoice.currency} (minor units), your balance is ${client?.credit_minor ?? 0}. Add credit or ask for the invoice to be marked paid.`,
    );
  }
}
