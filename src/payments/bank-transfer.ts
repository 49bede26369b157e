import { DateTime } from 'luxon';
import type { AppContext } from '../app-context.js';
import { resolveInvoice } from '../invoices/admin.js';
import { findInvoice, type InvoiceRow } from '../invoices/store.js';
import { AppError } from '../platform/http/errors.js';
import type { SettingsSnapshot } from '../settings/definitions.js';
import { isMethodEnabled } from './methods.js';
import { amountDue, type PaymentActor, recordPayment } from './record.js';

/**
 * The bank transfer method: the invoice shows the provider's bank details and the reference to
 * quote (the invoice number, which the provider matches the transfer by); when the money
 * arrives an admin records it, in parts or whole, through the same path as every payment.
 */
export interface BankTransferInstructions {
  bank_details: string;
  reference: string;
  amount_minor: number;
  currency: string;
}

/** What to transfer for an unpaid invoice, or null when bank transfer is off or nothing is due. */
export function bankTransferInstructions(
  settings: SettingsSnapshot,
  invoice: Pick<InvoiceRow, 'status' | 'number' | 'total_minor' | 'paid_minor' | 'currency'>,
): BankTransferInstructions | null {
  if (invoice.status !== 'unpaid' || !isMethodEnabled(settings, 'bank_transfer')) return null;
  return {
    bank_details: settings['payments.bank_details'],
    reference: invoice.number,
    amount_minor: amountDue(invoice),
    currency: invoice.currency,
  };
}

/** An admin records money received by bank transfer (Admin API, `portico invoices record-payment`). */
export async function recordBankTransfer(
  deps: Pick<AppContext, 'db' | 'clock' | 'settings'>,
  idOrNumber: string,
  input: { amountMinor: number; reference: string; receivedOn?: string | undefined },
  actor: PaymentActor & { requestId?: string | null },
  correlationId: string,
) {
  const now = deps.clock.nowMs();
  const found = await resolveInvoice(deps, idOrNumber);
  return deps.db.kysely.transaction().execute(async (trx) => {
    const invoice = (await findInvoice(trx, found.id)) ?? found;
    if (invoice.status !== 'unpaid') {
      throw new AppError(
        'conflict',
        `Invoice ${invoice.number} is ${invoice.status}: only an unpaid invoice takes a payment. A transfer received for it is refunded or added as credit instead.`,
      );
    }
    const receivedAtMs = input.receivedOn === undefined ? undefined : receivedAt(deps, invoice, input.receivedOn, now);
    return recordPayment(trx, deps.settings.snapshot, now, {
      invoice,
      amountMinor: input.amountMinor,
      ...(receivedAtMs !== undefined ? { receivedAtMs } : {}),
      method: 'bank_transfer',
      reference: input.reference,
      actor,
      correlationId,
    });
  });
}

/**
 * When a transfer that arrived on `day` is dated: the start of that day in the provider's time
 * zone, or now when it is today (so a payment recorded on the day it arrived keeps its time). A
 * day after today or before the invoice was issued is a typing mistake, refused naming the field.
 */
function receivedAt(
  deps: Pick<AppContext, 'settings'>,
  invoice: Pick<InvoiceRow, 'number' | 'issued_at_ms'>,
  day: string,
  now: number,
): number | undefined {
  const zone = deps.settings.snapshot['billing.time_zone'];
  const parsed = DateTime.fromISO(day, { zone });
  const refuse = (message: string, detail: string) =>
    new AppError('invalid_request', detail, { errors: [{ field: 'body.received_on', message }] });
  if (!parsed.isValid)
    throw refuse('not a YYYY-MM-DD date', `received_on must be a date as YYYY-MM-DD (got "${day}").`);
  const start = parsed.startOf('day');
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  if (start > today)
    throw refuse(
      'must not be after today',
      `received_on ${day} is after today: record a transfer once it has arrived.`,
    );
  const issued = DateTime.fromMillis(Number(invoice.issued_at_ms), { zone }).startOf('day');
  if (start < issued) {
    throw refuse(
      `must not be before ${issued.toISODate()}`,
      `received_on ${day} is before invoice ${invoice.number} was issued (${issued.toISODate()}).`,
    );
  }
  return start.equals(today) ? undefined : start.toMillis();
}
