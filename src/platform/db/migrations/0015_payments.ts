import { type Kysely, sql } from 'kysely';

/**
 * Payments beyond credit: what has been paid of an invoice (bank transfers may come in parts),
 * the provider's id of a payment (unique: a Stripe payment is recorded once), every attempt to
 * collect through a provider (checkouts and off-session renewal charges, with their outcome and
 * the next retry), the Stripe events already applied (unique: a replayed event changes nothing),
 * and each client's Stripe customer and saved card.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('invoices')
    .addColumn('paid_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update invoices set paid_minor = total_minor where status in ('paid', 'refunded')`.execute(db);
  await db.schema.alterTable('payments').addColumn('provider_ref', 'text').execute();
  await db.schema.createIndex('payments_provider_ref').on('payments').column('provider_ref').unique().execute();

  await db.schema
    .createTable('payment_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('provider_ref', 'text')
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('payment_attempts_invoice')
    .on('payment_attempts')
    .columns(['invoice_id', 'id'])
    .execute();
  await db.schema.createIndex('payment_attempts_client').on('payment_attempts').columns(['client_id', 'id']).execute();
  await db.schema
    .createIndex('payment_attempts_provider_ref')
    .on('payment_attempts')
    .column('provider_ref')
    .unique()
    .execute();
  // One row per try of a renewal charge: two instances cannot both take try n of an invoice.
  await sql`create unique index payment_attempts_charge on payment_attempts (invoice_id, attempt) where purpose = 'renewal_charge'`.execute(
    db,
  );

  await db.schema
    .createTable('stripe_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('invoice_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('stripe_customers')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('payment_method_id', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
}
