import { DateTime } from 'luxon';
import type { AppContext } from '../../src/app-context.js';
import { changeCredit } from '../../src/clients/store.js';
import { hashPassword } from '../../src/platform/crypto/password.js';
import type { Database } from '../../src/platform/db/schema.js';
import { newId } from '../../src/platform/ids.js';
import { newProduct } from '../helpers/factories.js';

/**
 * Many active monthly services due on one day, seeded in bulk (multi-row inserts in one
 * transaction) for the tests that need a run with real work in it: `clients` clients with
 * `perClient` services each at 4.99 USD, anchored `monthsBack` months before the due date (so the
 * due date is a period start counted from the anchor). Every `creditEvery`-th client holds credit
 * for `creditPeriods` periods of all its services.
 */
export interface DueServices {
  productId: string;
  clientIds: string[];
  serviceIds: string[];
  creditClientIds: string[];
  dueMs: number;
}

let passwordHash: Promise<string> | undefined;

export async function seedDueServices(
  app: AppContext,
  options: {
    clients: number;
    perClient: number;
    dueMs: number;
    monthsBack?: number;
    creditEvery?: number;
    creditPeriods?: number;
    amountMinor?: number;
  },
): Promise<DueServices> {
  const zone = app.settings.snapshot['billing.time_zone'];
  const amount = options.amountMinor ?? 499;
  const product = await newProduct(app);
  passwordHash ??= hashPassword('correct-horse-battery');
  const hash = await passwordHash;
  const now = app.clock.nowMs();
  const anchor = DateTime.fromMillis(options.dueMs, { zone })
    .minus({ months: options.monthsBack ?? 3 })
    .toMillis();
  const clients: Database['clients'][] = [];
  const services: Database['services'][] = [];
  const creditClientIds: string[] = [];
  for (let c = 0; c < options.clients; c++) {
    const id = newId('client', now);
    clients.push({
      id,
      email: `due-${id.toLowerCase()}@example.test`,
      name: `Due Client ${c}`,
      company: null,
      phone: null,
      country: null,
      address: null,
      tax_id: null,
      password_hash: hash,
      status: 'active',
      credit_minor: 0,
      currency: 'USD',
      is_demo: 0,
      created_at_ms: now,
      updated_at_ms: now,
    });
    if (options.creditEvery && c % options.creditEvery === 0) creditClientIds.push(id);
    for (let s = 0; s < options.perClient; s++) {
      services.push({
        id: newId('service', now),
        client_id: id,
        product_id: product.id,
        order_id: null,
        server_id: null,
        panel_username: null,
        domain: `due${c}-${s}.example.test`,
        status: 'active',
        billing_cycle: 'monthly',
        amount_minor: amount,
        currency: 'USD',
        next_due_at_ms: options.dueMs,
        cancellation_type: null,
        cancellation_reason: null,
        cancellation_requested_at_ms: null,
        panel_password_sealed: null,
        panel_password_revealed_at_ms: null,
        suspension_reason: null,
        billing_anchor_ms: anchor,
        next_billing_cycle: null,
        terminated_at_ms: null,
        created_at_ms: anchor,
        updated_at_ms: anchor,
      });
    }
  }
  const db = app.db.kysely;
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < clients.length; i += 500)
      await trx
        .insertInto('clients')
        .values(clients.slice(i, i + 500))
        .execute();
    for (let i = 0; i < services.length; i += 500)
      await trx
        .insertInto('services')
        .values(services.slice(i, i + 500))
        .execute();
    for (const clientId of creditClientIds) {
      await changeCredit(trx, {
        id: newId('credit', now),
        client_id: clientId,
        amount_minor: amount * options.perClient * (options.creditPeriods ?? 1),
        reason: 'Opening credit',
        actor_type: 'system',
        actor_id: null,
        invoice_id: null,
        payment_id: null,
        at_ms: now,
      });
    }
  });
  return {
    productId: product.id,
    clientIds: clients.map((c) => c.id),
    serviceIds: services.map((s) => s.id),
    creditClientIds,
    dueMs: options.dueMs,
  };
}

/**
 * What billing left in the database, for the exactly-once assertions: renewal lines per service
 * and period, invoice numbers, the credit ledger against each balance.
 */
export async function billingState(app: AppContext) {
  const db = app.db.kysely;
  const lines = await db
    .selectFrom('invoice_items')
    .innerJoin('invoices', 'invoices.id', 'invoice_items.invoice_id')
    .select([
      'invoice_items.service_id',
      'invoice_items.period_start_ms',
      'invoice_items.period_end_ms',
      'invoices.id as invoice_id',
      'invoices.number',
      'invoices.status',
      'invoices.total_minor',
      'invoices.client_id',
    ])
    .where('invoice_items.kind', '=', 'renewal')
    .execute();
  const invoices = await db.selectFrom('invoices').select(['id', 'number', 'status']).execute();
  const periods = await db.selectFrom('service_periods').selectAll().execute();
  const ledger = await db.selectFrom('credit_ledger').selectAll().execute();
  const clients = await db.selectFrom('clients').select(['id', 'credit_minor']).execute();
  const payments = await db.selectFrom('payments').select(['id', 'invoice_id', 'kind']).execute();
  const actions = await db.selectFrom('billing_actions').selectAll().execute();
  const runs = await db.selectFrom('billing_runs').selectAll().orderBy('started_at_ms').execute();
  return { lines, invoices, periods, ledger, clients, payments, actions, runs };
}

/** The sequence part of `INV-2027-00012` → 12. */
export const seqOf = (number: string) => Number(/(\d+)$/.exec(number)?.[1]);

/** Numbers per year are exactly 1…n: none missing, none twice. */
export function expectGapFree(numbers: string[]): { ok: boolean; detail: string } {
  const byYear = new Map<string, number[]>();
  for (const n of numbers) {
    const year = /(\d{4})/.exec(n)?.[1] ?? '?';
    byYear.set(year, [...(byYear.get(year) ?? []), seqOf(n)]);
  }
  for (const [year, seqs] of byYear) {
    const sorted = [...seqs].sort((a, b) => a - b);
    const expected = sorted.map((_, i) => i + 1);
    if (sorted.join() !== expected.join())
      return { ok: false, detail: `${year}: ${sorted.slice(0, 20).join(',')}… is not 1…${sorted.length}` };
  }
  return { ok: true, detail: '' };
}
