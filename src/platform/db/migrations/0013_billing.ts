import { type Kysely, sql } from 'kysely';
import { newId } from '../../ids.js';

/**
 * The billing core: hidden categories and products, prices per cycle *and currency*, the credit
 * ledger, gap-free invoice numbers, renewal periods claimed once per service, billing actions
 * taken once per cause, and the billing run's lock.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('categories')
    .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('products')
    .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('products')
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();

  // Prices were keyed by (product, cycle); a product may now be sold in several currencies.
  await db.schema
    .createTable('product_prices_v2')
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('billing_cycle', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('setup_fee_minor', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('product_prices_v2_pk', ['product_id', 'billing_cycle', 'currency'])
    .execute();
  await sql`insert into product_prices_v2 (product_id, billing_cycle, currency, amount_minor, setup_fee_minor)
            select product_id, billing_cycle, currency, amount_minor, setup_fee_minor from product_prices`.execute(db);
  await db.schema.dropTable('product_prices').execute();
  await db.schema.alterTable('product_prices_v2').renameTo('product_prices').execute();

  await db.schema.alterTable('clients').addColumn('address', 'text').execute();
  await db.schema.alterTable('clients').addColumn('tax_id', 'text').execute();

  await db.schema
    .createTable('credit_ledger')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('balance_after_minor', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('invoice_id', 'text')
    .addColumn('payment_id', 'text')
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('credit_ledger_client').on('credit_ledger').columns(['client_id', 'id']).execute();
  // A balance that existed before the ledger becomes its first entry, so the sum is the balance.
  const opening = await db.selectFrom('clients').select(['id', 'credit_minor', 'currency']).execute();
  const now = Date.now();
  for (const c of opening) {
    if (Number(c.credit_minor) === 0) continue;
    await db
      .insertInto('credit_ledger')
      .values({
        id: newId('credit', now),
        client_id: c.id,
        amount_minor: c.credit_minor,
        currency: c.currency,
        balance_after_minor: c.credit_minor,
        reason: 'Opening balance',
        actor_type: 'system',
        actor_id: null,
        invoice_id: null,
        payment_id: null,
        at_ms: now,
      })
      .execute();
  }

  await db.schema
    .alterTable('invoices')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('order'))
    .execute();
  await db.schema.alterTable('invoices').addColumn('tax_name', 'text').execute();
  await db.schema
    .alterTable('invoices')
    .addColumn('tax_rate_bp', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('invoices')
    .addColumn('refunded_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('invoices').addColumn('cancelled_at_ms', 'bigint').execute();
  await db.schema.alterTable('invoices').addColumn('cancel_reason', 'text').execute();
  await db.schema.alterTable('invoices').addColumn('notes', 'text').execute();
  await db.schema.createIndex('invoices_status_due').on('invoices').columns(['status', 'due_at_ms']).execute();

  await db.schema
    .alterTable('invoice_items')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('order'))
    .execute();
  await db.schema.alterTable('invoice_items').addColumn('period_start_ms', 'bigint').execute();
  await db.schema.alterTable('invoice_items').addColumn('period_end_ms', 'bigint').execute();
  await db.schema.alterTable('invoice_items').addColumn('details', 'text').execute();
  await db.schema.createIndex('invoice_items_service').on('invoice_items').column('service_id').execute();

  // One counter per numbering scope (the year, in the provider's time zone): taken in the
  // transaction that issues the invoice, so a rolled-back issue gives its number back.
  await db.schema
    .createTable('invoice_sequences')
    .addColumn('scope', 'text', (c) => c.primaryKey())
    .addColumn('next_seq', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('services').addColumn('suspension_reason', 'text').execute();
  await db.schema.alterTable('services').addColumn('billing_anchor_ms', 'bigint').execute();
  await db.schema.alterTable('services').addColumn('next_billing_cycle', 'text').execute();
  await db.schema.alterTable('services').addColumn('terminated_at_ms', 'bigint').execute();
  await db.schema.createIndex('services_due').on('services').columns(['status', 'next_due_at_ms']).execute();

  // A renewal period is invoiced once: the primary key is the guarantee, whatever runs twice.
  await db.schema
    .createTable('service_periods')
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('period_start_ms', 'bigint', (c) => c.notNull())
    .addColumn('period_end_ms', 'bigint', (c) => c.notNull())
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('service_periods_pk', ['service_id', 'period_start_ms'])
    .execute();

  // What the billing run did, once per (subject, action, cause): a second run inserting the same
  // key is refused by the database and does nothing.
  await db.schema
    .createTable('billing_actions')
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('operation_id', 'text')
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('billing_actions_pk', ['subject_id', 'action', 'cause'])
    .execute();

  await db.schema
    .createTable('billing_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('as_of_ms', 'bigint', (c) => c.notNull())
    .addColumn('started_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('finished_at_ms', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('error', 'text')
    .execute();
  // One run at a time across instances: a lease, taken and renewed like a job's.
  await db.schema
    .createTable('billing_lock')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('run_id', 'text')
    .addColumn('lease_until_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('billing_lock').values({ id: 1, run_id: null, lease_until_ms: 0 }).execute();

  await db.schema
    .alterTable('orders')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .execute();
  await db.schema.alterTable('orders').addColumn('cancelled_at_ms', 'bigint').execute();
  await sql`update orders set status = 'active'
            where invoice_id in (select id from invoices where status = 'paid')`.execute(db);

  await db.schema
    .alterTable('payments')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('payment'))
    .execute();
  await db.schema.alterTable('payments').addColumn('reference', 'text').execute();
}
