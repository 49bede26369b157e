import { type Kysely, sql } from 'kysely';
import type { Database } from '../platform/db/schema.js';

/**
 * The dashboard's SQL: read-only aggregates over other features' tables (payments, invoices,
 * services, jobs, servers, orders). Each figure is one query; nothing here writes.
 */

export interface CurrencyTotal {
  currency: string;
  amount_minor: number;
  count: number;
}

const n = (value: unknown) => Number(value ?? 0);

/**
 * Money received in [fromMs, toMs): payments minus refunds, by currency. Paying from credit is
 * left out — that money was counted when the credit was bought.
 */
export async function incomeBetween(db: Kysely<Database>, fromMs: number, toMs: number): Promise<CurrencyTotal[]> {
  const rows = await db
    .selectFrom('payments')
    .select([
      'currency',
      sql<number>`sum(case when kind = 'refund' then -amount_minor else amount_minor end)`.as('amount'),
      sql<number>`sum(case when kind = 'refund' then 0 else 1 end)`.as('count'),
    ])
    .where('method', '<>', 'credit')
    .where('at_ms', '>=', fromMs)
    .where('at_ms', '<', toMs)
    .groupBy('currency')
    .orderBy('currency')
    .execute();
  return rows.map((r) => ({ currency: r.currency, amount_minor: n(r.amount), count: n(r.count) }));
}

/** What active services bring in a month: each price divided by its cycle's months, by currency. */
export async function monthlyRecurring(db: Kysely<Database>): Promise<CurrencyTotal[]> {
  const rows = await db
    .selectFrom('services')
    .select([
      'currency',
      sql<number>`sum(amount_minor * 1.0 / case billing_cycle
        when 'monthly' then 1 when 'quarterly' then 3 when 'semiannually' then 6
        when 'annually' then 12 when 'biennially' then 24 else 1 end)`.as('amount'),
      sql<number>`count(*)`.as('count'),
    ])
    .where('status', '=', 'active')
    .groupBy('currency')
    .orderBy('currency')
    .execute();
  return rows.map((r) => ({ currency: r.currency, amount_minor: Math.round(n(r.amount)), count: n(r.count) }));
}

/** Unpaid invoices past their due date: how many and how much is left to pay, by currency. */
export async function overdueInvoices(db: Kysely<Database>, nowMs: number): Promise<CurrencyTotal[]> {
  const rows = await db
    .selectFrom('invoices')
    .select([
      'currency',
      sql<number>`sum(total_minor - refunded_minor)`.as('amount'),
      sql<number>`count(*)`.as('count'),
    ])
    .where('status', '=', 'unpaid')
    .where('due_at_ms', '<', nowMs)
    .groupBy('currency')
    .orderBy('currency')
    .execute();
  return rows.map((r) => ({ currency: r.currency, amount_minor: n(r.amount), count: n(r.count) }));
}

export async function servicesByStatus(db: Kysely<Database>): Promise<{ status: string; count: number }[]> {
  const rows = await db
    .selectFrom('services')
    .select(['status', sql<number>`count(*)`.as('count')])
    .groupBy('status')
    .orderBy('status')
    .execute();
  return rows.map((r) => ({ status: r.status, count: n(r.count) }));
}

export async function countFailedJobs(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select(sql<number>`count(*)`.as('count'))
    .where('state', '=', 'failed')
    .executeTakeFirst();
  return n(row?.count);
}

export function listPausedServers(db: Kysely<Database>) {
  return db
    .selectFrom('servers')
    .select(['name', 'paused_reason', 'paused_at_ms'])
    .where('paused_reason', 'is not', null)
    .orderBy('paused_at_ms', 'desc')
    .execute();
}

export function listNewestOrders(db: Kysely<Database>, limit: number) {
  return db
    .selectFrom('orders')
    .innerJoin('clients', 'clients.id', 'orders.client_id')
    .innerJoin('products', 'products.id', 'orders.product_id')
    .select([
      'orders.id',
      'orders.status',
      'orders.created_at_ms',
      'orders.service_id',
      'orders.invoice_id',
      'orders.domain',
      'orders.client_id',
      'clients.name as client_name',
      'products.name as product_name',
    ])
    .orderBy('orders.created_at_ms', 'desc')
    .orderBy('orders.id', 'desc')
    .limit(limit)
    .execute();
}
