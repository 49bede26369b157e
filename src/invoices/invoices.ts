import type { Static } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { Database, InvoiceStatus } from '../platform/db/schema.js';
import { notFound } from '../platform/http/errors.js';
import { decodeCursor, iso, toPage } from '../platform/http/schemas.js';
import type { Invoice, InvoiceSummary } from './schemas.js';
import { findClientInvoice, type InvoiceRow, listClientInvoices, listInvoiceItems } from './store.js';

function toSummary(row: InvoiceRow): Static<typeof InvoiceSummary> {
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    currency: row.currency,
    subtotal_minor: row.subtotal_minor,
    tax_minor: row.tax_minor,
    total_minor: row.total_minor,
    issued_at: iso(row.issued_at_ms),
    due_at: iso(row.due_at_ms),
    paid_at: iso(row.paid_at_ms),
  };
}

export async function pageInvoices(
  db: Kysely<Database>,
  options: { clientId: string; limit: number; cursor?: string | undefined; status?: InvoiceStatus | undefined },
) {
  const afterId = decodeCursor(options.cursor, 'invoice');
  const rows = await listClientInvoices(db, { ...options, afterId, limit: options.limit + 1 });
  return toPage(rows, options.limit, toSummary);
}

export async function getInvoice(db: Kysely<Database>, clientId: string, id: string): Promise<Static<typeof Invoice>> {
  const row = await findClientInvoice(db, clientId, id);
  if (!row) throw notFound('The invoice');
  const items = await listInvoiceItems(db, id);
  return {
    ...toSummary(row),
    items: items.map((i) => ({
      id: i.id,
      service_id: i.service_id,
      description: i.description,
      amount_minor: i.amount_minor,
    })),
  };
}
