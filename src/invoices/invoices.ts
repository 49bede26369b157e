import type { Static } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { Database, InvoiceStatus } from '../platform/db/schema.js';
import { decodeCursor, toPage } from '../platform/http/checks.js';
import { notFound } from '../platform/http/errors.js';
import type { Invoice, InvoiceSummary } from './schemas.js';
import { findClientInvoice, type InvoiceRow, listClientInvoices, listInvoiceItems } from './store.js';
import { invoiceFields, itemView } from './views.js';

function toSummary(row: InvoiceRow): Static<typeof InvoiceSummary> {
  return invoiceFields(row);
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
  return { ...toSummary(row), items: items.map(itemView) };
}
