import type { Insertable, Kysely } from 'kysely';
import type { Database, OrdersTable, PaymentsTable } from '../platform/db/schema.js';

/** The orders feature's SQL: orders and payments. Invoices, services and credit belong to their modules. */
export async function insertOrder(db: Kysely<Database>, row: Insertable<OrdersTable>): Promise<void> {
  await db.insertInto('orders').values(row).execute();
}

export async function insertPayment(db: Kysely<Database>, row: Insertable<PaymentsTable>): Promise<void> {
  await db.insertInto('payments').values(row).execute();
}

export async function insertPayments(db: Kysely<Database>, rows: Insertable<PaymentsTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('payments')
      .values(rows.slice(i, i + 500))
      .execute();
  }
}

/** The order an invoice paid for is active (its service is being provisioned or runs). */
export async function markOrderActive(db: Kysely<Database>, invoiceId: string): Promise<void> {
  await db.updateTable('orders').set({ status: 'active' }).where('invoice_id', '=', invoiceId).execute();
}

/**
 * One page (keyset by order id) of pending orders whose invoice is still unpaid and was issued at
 * or before `issuedByMs`: the orders the billing run cancels.
 */
export function listUnpaidOrders(
  db: Kysely<Database>,
  options: { issuedByMs: number; afterId: string | null; limit: number },
) {
  let query = db
    .selectFrom('orders')
    .innerJoin('invoices', 'invoices.id', 'orders.invoice_id')
    .select(['orders.id', 'orders.client_id', 'orders.service_id', 'orders.invoice_id'])
    .select(['invoices.number', 'invoices.issued_at_ms'])
    .where('orders.status', '=', 'pending')
    .where('invoices.status', '=', 'unpaid')
    .where('invoices.issued_at_ms', '<=', options.issuedByMs);
  if (options.afterId) query = query.where('orders.id', '>', options.afterId);
  return query.orderBy('orders.id').limit(options.limit).execute();
}

/** Cancels a pending order (its invoice was never paid). */
export async function cancelPendingOrder(db: Kysely<Database>, id: string, nowMs: number): Promise<boolean> {
  const done = await db
    .updateTable('orders')
    .set({ status: 'cancelled', cancelled_at_ms: nowMs })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(done.numUpdatedRows) === 1;
}

/** A payment by its provider id (a Stripe PaymentIntent or Refund), to record it once. */
export function findPaymentByProviderRef(db: Kysely<Database>, ref: string) {
  return db.selectFrom('payments').selectAll().where('provider_ref', '=', ref).executeTakeFirst();
}

/** What has been refunded through Stripe on an invoice so far. */
export async function stripeRefundedOn(db: Kysely<Database>, invoiceId: string): Promise<number> {
  const row = await db
    .selectFrom('payments')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_minor'), eb.lit(0)).as('sum'))
    .where('invoice_id', '=', invoiceId)
    .where('kind', '=', 'refund')
    .where('method', '=', 'stripe')
    .executeTakeFirst();
  return Number(row?.sum ?? 0);
}

/** Orders for the Admin API, newest first (or oldest), keyset by id, with who, what and the invoice. */
export function listOrdersForAdmin(
  db: Kysely<Database>,
  f: {
    clientId?: string | undefined;
    status?: OrdersTable['status'] | undefined;
    afterId?: string | undefined;
    oldestFirst?: boolean | undefined;
    limit: number;
  },
) {
  let q = db
    .selectFrom('orders')
    .innerJoin('clients', 'clients.id', 'orders.client_id')
    .innerJoin('products', 'products.id', 'orders.product_id')
    .innerJoin('invoices', 'invoices.id', 'orders.invoice_id')
    .selectAll('orders')
    .select([
      'clients.name as client_name',
      'clients.email as client_email',
      'products.name as product_name',
      'invoices.number as invoice_number',
      'invoices.status as invoice_status',
      'invoices.total_minor as total_minor',
      'invoices.currency as currency',
    ]);
  if (f.clientId) q = q.where('orders.client_id', '=', f.clientId);
  if (f.status) q = q.where('orders.status', '=', f.status);
  if (f.afterId) q = q.where('orders.id', f.oldestFirst ? '>' : '<', f.afterId);
  return q
    .orderBy('orders.id', f.oldestFirst ? 'asc' : 'desc')
    .limit(f.limit)
    .execute();
}

/** Payments and refunds for the Admin API, newest first, keyset by id, with the invoice and client. */
export function listPaymentsForAdmin(
  db: Kysely<Database>,
  f: {
    clientId?: string | undefined;
    method?: PaymentsTable['method'] | undefined;
    kind?: PaymentsTable['kind'] | undefined;
    fromMs?: number | undefined;
    toMs?: number | undefined;
    afterId?: string | undefined;
    limit: number;
  },
) {
  let q = db
    .selectFrom('payments')
    .innerJoin('invoices', 'invoices.id', 'payments.invoice_id')
    .innerJoin('clients', 'clients.id', 'invoices.client_id')
    .selectAll('payments')
    .select([
      'invoices.number as invoice_number',
      'invoices.client_id as client_id',
      'clients.name as client_name',
      'clients.email as client_email',
    ]);
  if (f.clientId) q = q.where('invoices.client_id', '=', f.clientId);
  if (f.method) q = q.where('payments.method', '=', f.method);
  if (f.kind) q = q.where('payments.kind', '=', f.kind);
  if (f.fromMs !== undefined) q = q.where('payments.at_ms', '>=', f.fromMs);
  if (f.toMs !== undefined) q = q.where('payments.at_ms', '<', f.toMs);
  if (f.afterId) q = q.where('payments.id', '<', f.afterId);
  return q.orderBy('payments.id', 'desc').limit(f.limit).execute();
}
