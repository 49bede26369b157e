import type { AppContext } from '../app-context.js';
import { findInvoice } from '../invoices/store.js';
import type { PaymentAttemptsTable } from '../platform/db/schema.js';
import { decodeCursor, iso, toPage } from '../platform/http/checks.js';
import { AppError } from '../platform/http/errors.js';
import { listAttempts, listInvoiceAttempts, type PaymentAttemptRow } from './store.js';

/** Payment attempts as the client (their invoice's) and the admin (all, by status) see them. */
export function toAttempt(row: PaymentAttemptRow) {
  return {
    id: row.id,
    invoice_id: row.invoice_id,
    method: row.method,
    purpose: row.purpose,
    amount_minor: Number(row.amount_minor),
    currency: row.currency,
    status: row.status,
    error: row.error,
    attempt: Number(row.attempt),
    next_attempt_at: iso(row.next_attempt_at_ms === null ? null : Number(row.next_attempt_at_ms)),
    created_at: iso(Number(row.created_at_ms)),
    updated_at: iso(Number(row.updated_at_ms)),
  };
}

export function toAdminAttempt(row: PaymentAttemptRow) {
  return { ...toAttempt(row), client_id: row.client_id, provider_ref: row.provider_ref };
}

export async function clientInvoiceAttempts(deps: Pick<AppContext, 'db'>, clientId: string, invoiceId: string) {
  const invoice = await findInvoice(deps.db.kysely, invoiceId, clientId);
  if (!invoice) throw new AppError('not_found', 'The invoice was not found.');
  return { items: (await listInvoiceAttempts(deps.db.kysely, invoice.id)).map(toAttempt) };
}

export async function pageAttempts(
  deps: Pick<AppContext, 'db'>,
  q: {
    limit: number;
    cursor?: string | undefined;
    status?: PaymentAttemptsTable['status'] | undefined;
    clientId?: string | undefined;
  },
) {
  const rows = await listAttempts(deps.db.kysely, {
    status: q.status,
    clientId: q.clientId,
    beforeId: decodeCursor(q.cursor, 'paymentAttempt') ?? null,
    limit: q.limit + 1,
  });
  return toPage(rows, q.limit, toAdminAttempt);
}
