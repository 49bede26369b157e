import type { Static } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { bankTransferInstructions } from '../payments/bank-transfer.js';
import { enabledMethods } from '../payments/methods.js';
import type { Database, InvoiceStatus } from '../platform/db/schema.js';
import { decodeCursor, toPage } from '../platform/http/checks.js';
import { notFound } from '../platform/http/errors.js';
import type { SettingsSnapshot } from '../settings/definitions.js';
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

export async function getInvoice(
  db: Kysely<Database>,
  settings: SettingsSnapshot,
  clientId: string,
  id: string,
): Promise<Static<typeof Invoice>> {
  const row = await findClientInvoice(db, clientId, id);
  if (!row) throw notFound('The invoice');
  const items = await listInvoiceItems(db, id);
  return {
    ...toSummary(row),
    items: items.map(itemView),
    payment_methods:
      row.status === 'unpaid' ? enabledMethods(settings).filter((m) => m !== 'credit' || row.kind !== 'funds') : [],
    bank_transfer: bankTransferInstructions(settings, row),
  };
}
