import type { Insertable, Kysely } from 'kysely';
import type { Database, OrdersTable, PaymentsTable } from '../platform/db/schema.js';

/** The orders feature's SQL: orders and payments. Invoices, services and credit belong to their modules. */
export async function insertOrder(db: Kysely<Database>, row: Insertable<OrdersTable>): Promise<void> {
  await db.insertInto('orders').values(row).execute();
}

export async function insertPayment(db: Kysely<Database>, row: Insertable<PaymentsTable>): Promise<void> {
  await db.insertInto('payments').values(row).execute();
}

/** The order an invoice paid for is active (its service is being provisioned or runs). */
export async function markOrderActive(db: Kysely<Database>, invoiceId: string): Promise<void> {
  await db.updateTable('orders').set({ status: 'active' }).where('invoice_id', '=', invoiceId).execute();
}
