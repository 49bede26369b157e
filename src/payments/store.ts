import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database, PaymentAttemptsTable, StripeCustomersTable } from '../platform/db/schema.js';

/**
 * The payments module's SQL: payment attempts, applied Stripe events, Stripe customers. The
 * payments table itself belongs to the orders module (src/orders/store.ts).
 */
export type PaymentAttemptRow = Selectable<PaymentAttemptsTable>;

export async function insertPaymentAttempt(db: Kysely<Database>, row: Insertable<PaymentAttemptsTable>) {
  await db.insertInto('payment_attempts').values(row).execute();
}

export async function updatePaymentAttempt(
  db: Kysely<Database>,
  id: string,
  changes: Updateable<PaymentAttemptsTable>,
  onlyIfStatus?: PaymentAttemptsTable['status'],
): Promise<boolean> {
  let query = db.updateTable('payment_attempts').set(changes).where('id', '=', id);
  if (onlyIfStatus) query = query.where('status', '=', onlyIfStatus);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function findPaymentAttempt(db: Kysely<Database>, id: string): Promise<PaymentAttemptRow | undefined> {
  return db.selectFrom('payment_attempts').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findPaymentAttemptByProviderRef(db: Kysely<Database>, ref: string) {
  return db.selectFrom('payment_attempts').selectAll().where('provider_ref', '=', ref).executeTakeFirst();
}

/** An invoice's attempts, oldest first. */
export function listInvoiceAttempts(db: Kysely<Database>, invoiceId: string): Promise<PaymentAttemptRow[]> {
  return db
    .selectFrom('payment_attempts')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .orderBy('created_at_ms')
    .orderBy('attempt')
    .orderBy('id')
    .execute();
}

/** Attempts newest first, optionally one status or one client's, keyset by id. */
export function listAttempts(
  db: Kysely<Database>,
  f: {
    status?: PaymentAttemptsTable['status'] | undefined;
    clientId?: string | undefined;
    beforeId: string | null;
    limit: number;
  },
): Promise<PaymentAttemptRow[]> {
  let query = db.selectFrom('payment_attempts').selectAll();
  if (f.status) query = query.where('status', '=', f.status);
  if (f.clientId) query = query.where('client_id', '=', f.clientId);
  if (f.beforeId) query = query.where('id', '<', f.beforeId);
  return query.orderBy('id', 'desc').limit(f.limit).execute();
}

/** The latest renewal-charge attempt of each of these invoices. */
export async function latestRenewalCharges(
  db: Kysely<Database>,
  invoiceIds: string[],
): Promise<Map<string, PaymentAttemptRow>> {
  const out = new Map<string, PaymentAttemptRow>();
  for (let i = 0; i < invoiceIds.length; i += 500) {
    const rows = await db
      .selectFrom('payment_attempts')
      .selectAll()
      .where('invoice_id', 'in', invoiceIds.slice(i, i + 500))
      .where('purpose', '=', 'renewal_charge')
      .orderBy('attempt')
      .execute();
    for (const row of rows) out.set(row.invoice_id, row);
  }
  return out;
}

/** The first renewal-charge attempt of an invoice (when its failures started). */
export function firstRenewalCharge(db: Kysely<Database>, invoiceId: string) {
  return db
    .selectFrom('payment_attempts')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .where('purpose', '=', 'renewal_charge')
    .where('attempt', '=', 1)
    .executeTakeFirst();
}

/** Takes a Stripe event id; false when it was already taken (a replay), so it is applied once. */
export async function claimStripeEvent(
  db: Kysely<Database>,
  row: { id: string; type: string; invoice_id: string | null; outcome: string; received_at_ms: number },
): Promise<boolean> {
  const result = await db
    .insertInto('stripe_events')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function setStripeEventOutcome(
  db: Kysely<Database>,
  id: string,
  outcome: string,
  invoiceId: string | null,
) {
  await db.updateTable('stripe_events').set({ outcome, invoice_id: invoiceId }).where('id', '=', id).execute();
}

export function findStripeCustomer(db: Kysely<Database>, clientId: string) {
  return db.selectFrom('stripe_customers').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

export async function insertStripeCustomer(db: Kysely<Database>, row: Insertable<StripeCustomersTable>) {
  await db
    .insertInto('stripe_customers')
    .values(row)
    .onConflict((oc) => oc.column('client_id').doNothing())
    .execute();
}

export async function saveStripeCard(
  db: Kysely<Database>,
  clientId: string,
  paymentMethodId: string | null,
  nowMs: number,
) {
  await db
    .updateTable('stripe_customers')
    .set({ payment_method_id: paymentMethodId, updated_at_ms: nowMs })
    .where('client_id', '=', clientId)
    .execute();
}

/** Clients with a saved card, among these. */
export async function listClientsWithCards(db: Kysely<Database>) {
  return db
    .selectFrom('stripe_customers')
    .select(['client_id', 'customer_id', 'payment_method_id'])
    .where('payment_method_id', 'is not', null)
    .execute();
}
