import type { Kysely, Selectable } from 'kysely';
import type { Database, InvoiceItemsTable, InvoiceStatus, InvoicesTable } from '../platform/db/schema.js';

/** The invoices feature's SQL. Every read is scoped to the owning client. */
export type InvoiceRow = Selectable<InvoicesTable>;
export type InvoiceItemRow = Selectable<InvoiceItemsTable>;

export function listClientInvoices(
  db: Kysely<Database>,
  options: { clientId: string; afterId?: string | undefined; status?: InvoiceStatus | undefined; limit: number },
): Promise<InvoiceRow[]> {
  let query = db.selectFrom('invoices').selectAll().where('client_id', '=', options.clientId);
  if (options.afterId) query = query.where('id', '<', options.afterId);
  if (options.status) query = query.where('status', '=', options.status);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}

export function findClientInvoice(db: Kysely<Database>, clientId: string, id: string): Promise<InvoiceRow | undefined> {
  return db
    .selectFrom('invoices')
    .selectAll()
    .where('id', '=', id)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
}

export function listInvoiceItems(db: Kysely<Database>, invoiceId: string): Promise<InvoiceItemRow[]> {
  return db.selectFrom('invoice_items').selectAll().where('invoice_id', '=', invoiceId).orderBy('sort_order').execute();
}

export async function insertInvoice(db: Kysely<Database>, invoice: InvoiceRow, items: InvoiceItemRow[]): Promise<void> {
  await db.insertInto('invoices').values(invoice).execute();
  if (items.length) await db.insertInto('invoice_items').values(items).execute();
}

/** An invoice by id; with clientId, only that client's (another client's invoice is not found). */
export function findInvoice(db: Kysely<Database>, id: string, clientId?: string): Promise<InvoiceRow | undefined> {
  let query = db.selectFrom('invoices').selectAll().where('id', '=', id);
  if (clientId !== undefined) query = query.where('client_id', '=', clientId);
  return query.executeTakeFirst();
}

/** Marks an unpaid invoice paid; false when it no longer was unpaid (another request paid it first). */
export async function markInvoicePaid(db: Kysely<Database>, id: string, nowMs: number): Promise<boolean> {
  const marked = await db
    .updateTable('invoices')
    .set({ status: 'paid', paid_at_ms: nowMs })
    .where('id', '=', id)
    .where('status', '=', 'unpaid')
    .executeTakeFirst();
  return Number(marked.numUpdatedRows) === 1;
}
