import { describe, expect, it } from 'vitest';
import { runBilling } from '../../src/billing/run.js';
import { payInvoice, placeOrder } from '../../src/orders/orders.js';
import { ManualClock } from '../../src/platform/clock.js';
import { requestLifecycle } from '../../src/provisioning/actions.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newClient, newProduct, newService } from '../helpers/factories.js';

const DAY = 86_400_000;
const iso = (s: string) => Date.parse(s);

async function setup(
  start: string,
  options: { credit?: number; zone?: string; settings?: Record<string, string> } = {},
) {
  const clock = new ManualClock(iso(start));
  const t = await createTestApp({ clock });
  if (options.zone) await t.app.settings.set('billing.time_zone', options.zone);
  for (const [k, v] of Object.entries(options.settings ?? {})) await t.app.settings.set(k, v);
  const client = await newClient(t.app, { credit_minor: options.credit ?? 0 });
  const product = await newProduct(t.app);
  const service = await newService(t.app, { clientId: client.row.id, productId: product.id });
  return { t, clock, client, product, service };
}

async function dueAt(t: TestApp, id: string, atMs: number, anchorMs: number | null = atMs) {
  await t.app.db.kysely
    .updateTable('services')
    .set({ next_due_at_ms: atMs, billing_anchor_ms: anchorMs })
    .where('id', '=', id)
    .execute();
}

function renewals(t: TestApp, serviceId: string) {
  return t.app.db.kysely
    .selectFrom('invoice_items')
    .innerJoin('invoices', 'invoices.id', 'invoice_items.invoice_id')
    .select(['invoices.id', 'invoices.number', 'invoices.status', 'invoices.due_at_ms', 'invoices.cancel_reason'])
    .select(['invoice_items.period_start_ms', 'invoice_items.period_end_ms', 'invoices.total_minor'])
    .where('invoice_items.service_id', '=', serviceId)
    .where('invoice_items.kind', '=', 'renewal')
    .orderBy('invoice_items.period_start_ms')
    .execute();
}

function serviceRow(t: TestApp, id: string) {
  return t.app.db.kysely.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

function jobs(t: TestApp, serviceId: string) {
  return t.app.db.kysely
    .selectFrom('jobs')
    .select(['type', 'state'])
    .where('service_id', '=', serviceId)
    .orderBy('id')
    .execute();
}

const pay = (t: TestApp, invoiceId: string) =>
  payInvoice(t.app, { invoiceId, method: 'admin', actor: { type: 'admin', id: null }, correlationId: 'req_test' });

describe('billing run: periods', { timeout: 120_000 }, () => {
  it('follows calendar periods from the anchor in the provider zone: Jan 31 → Feb 28 → Mar 31', async () => {
    const zone = 'Europe/Berlin';
    const { t, clock, service } = await setup('2027-01-25T12:00:00Z', { zone });
    const jan31 = iso('2027-01-30T23:00:00Z'); // 00:00 in Berlin
    await dueAt(t, service.id, jan31);
    await runBilling(t.app, {});
    clock.advance(28 * DAY); // Feb 22
    await runBilling(t.app, {});
    clock.advance(31 * DAY); // Mar 25
    await runBilling(t.app, {});
    const periods = (await renewals(t, service.id)).map((r) => [r.period_start_ms, r.period_end_ms].map(Number));
    expect(periods).toEqual([
      [jan31, iso('2027-02-27T23:00:00Z')],
      [iso('2027-02-27T23:00:00Z'), iso('2027-03-30T22:00:00Z')], // Mar 31, summer time
      [iso('2027-03-30T22:00:00Z'), iso('2027-04-29T22:00:00Z')],
    ]);
  });

  it('catches up after 40 days down: each period that fell due, in order, once', async () => {
    const { t, clock, service } = await setup('2027-03-01T09:00:00Z', {
      settings: { 'billing.terminate_after_days': 'off' },
    });
    await dueAt(t, service.id, iso('2027-03-01T00:00:00Z'));
    clock.advance(40 * DAY); // Apr 10: Mar 1 and Apr 1 fell due, May 1 is not within 7 days
    const report = await runBilling(t.app, {});
    expect(report.counts.invoice).toBe(2);
    await runBilling(t.app, {});
    const rows = await renewals(t, service.id);
    expect(rows.map((r) => Number(r.period_start_ms))).toEqual([
      iso('2027-03-01T00:00:00Z'),
      iso('2027-04-01T00:00:00Z'),
    ]);
    expect(rows[0]!.number < rows[1]!.number).toBe(true);
  });

  it('moves the due date one cycle from the previous due date when paid late', async () => {
    const { t, clock, service } = await setup('2027-01-25T09:00:00Z');
    await dueAt(t, service.id, iso('2027-02-01T00:00:00Z'));
    await runBilling(t.app, {});
    clock.advance(10 * DAY); // paid Feb 4
    const [invoice] = await renewals(t, service.id);
    await pay(t, invoice!.id);
    expect(Number((await serviceRow(t, service.id)).next_due_at_ms)).toBe(iso('2027-03-01T00:00:00Z'));
  });

  it('charges the service its own price, not the catalog price of today', async () => {
    const { t, service } = await setup('2027-01-25T09:00:00Z');
    await t.app.db.kysely.updateTable('services').set({ amount_minor: 350 }).where('id', '=', service.id).execute();
    await dueAt(t, service.id, iso('2027-02-01T00:00:00Z'));
    await runBilling(t.app, {});
    expect((await renewals(t, service.id))[0]?.total_minor).toBe(350);
  });

  it('applies a pending billing-cycle change at the next period, at the new cycle’s price', async () => {
    const { t, product, service } = await setup('2027-01-25T09:00:00Z');
    await t.app.db.kysely
      .insertInto('product_prices')
      .values({
        product_id: product.id,
        billing_cycle: 'annually',
        currency: 'USD',
        amount_minor: 4990,
        setup_fee_minor: 0,
      })
      .execute();
    await t.app.db.kysely
      .updateTable('services')
      .set({ next_billing_cycle: 'annually' })
      .where('id', '=', service.id)
      .execute();
    await dueAt(t, service.id, iso('2027-01-01T00:00:00Z'));
    await t.app.db.kysely
      .insertInto('service_periods')
      .values({
        service_id: service.id,
        period_start_ms: iso('2027-01-01T00:00:00Z'),
        period_end_ms: iso('2027-02-01T00:00:00Z'),
        invoice_id: 'inv_old',
        created_at_ms: 0,
      })
      .execute();
    const report = await runBilling(t.app, {});
    expect(report.counts).toMatchObject({ invoice: 1, cycle_change: 1 });
    const rows = await renewals(t, service.id);
    expect(rows.map((r) => [Number(r.period_start_ms), Number(r.period_end_ms), r.total_minor])).toEqual([
      [iso('2027-02-01T00:00:00Z'), iso('2028-02-01T00:00:00Z'), 4990],
    ]);
    expect(await serviceRow(t, service.id)).toMatchObject({
      billing_cycle: 'annually',
      next_billing_cycle: null,
      billing_anchor_ms: iso('2027-02-01T00:00:00Z'),
      amount_minor: 4990,
    });
  });
});

describe('billing run: credit', { timeout: 120_000 }, () => {
  it('leaves the invoice unpaid when apply_credit is off or the credit does not cover it', async () => {
    const off = await setup('2027-01-25T09:00:00Z', { credit: 5000, settings: { 'billing.apply_credit': 'off' } });
    await dueAt(off.t, off.service.id, iso('2027-02-01T00:00:00Z'));
    expect((await runBilling(off.t.app, {})).counts.credit).toBe(0);
    expect((await renewals(off.t, off.service.id))[0]?.status).toBe('unpaid');
    const short = await setup('2027-01-25T09:00:00Z', { credit: 498 });
    await dueAt(short.t, short.service.id, iso('2027-02-01T00:00:00Z'));
    expect((await runBilling(short.t.app, {})).counts.credit).toBe(0);
    expect((await renewals(short.t, short.service.id))[0]?.status).toBe('unpaid');
  });
});

describe('billing run: overdue', { timeout: 120_000 }, () => {
  it('suspends after more than suspend_after_days, once, and a payment queues the unsuspension', async () => {
    const { t, clock, service } = await setup('2027-01-25T09:00:00Z');
    await dueAt(t, service.id, iso('2027-02-01T00:00:00Z'));
    await runBilling(t.app, {});
    clock.advance(10 * DAY); // Feb 4: 3 days overdue, not more
    expect((await runBilling(t.app, {})).counts.suspend).toBe(0);
    clock.advance(DAY); // Feb 5: 4 days
    const report = await runBilling(t.app, {});
    expect(report.counts.suspend).toBe(1);
    expect((await runBilling(t.app, {})).counts.suspend).toBe(0);
    expect((await serviceRow(t, service.id)).suspension_reason).toBe('overdue');
    expect(await jobs(t, service.id)).toEqual([{ type: 'service.suspend', state: 'queued' }]);
    const audit = await t.app.db.kysely
      .selectFrom('audit_log')
      .select(['actor_type', 'details'])
      .where('action', '=', 'billing.suspend')
      .executeTakeFirstOrThrow();
    const [invoice] = await renewals(t, service.id);
    expect(audit.actor_type).toBe('system');
    expect(JSON.parse(audit.details!).cause).toBe(`overdue 4 days, ${invoice!.number}`);
    await pay(t, invoice!.id);
    expect((await serviceRow(t, service.id)).suspension_reason).toBeNull();
    expect((await jobs(t, service.id)).map((j) => j.type).sort()).toEqual(['service.suspend', 'service.unsuspend']);
  });

  it('keeps an admin’s suspension with another reason through a payment', async () => {
    const { t, clock, service } = await setup('2027-01-25T09:00:00Z');
    await dueAt(t, service.id, iso('2027-02-01T00:00:00Z'));
    await runBilling(t.app, {});
    await requestLifecycle(t.app, {
      serviceId: service.id,
      action: 'suspend',
      reason: 'abuse report #12',
      actor: { type: 'admin', id: null },
      correlationId: 'req_test',
    });
    clock.advance(12 * DAY);
    expect((await runBilling(t.app, {})).counts.suspend).toBe(0);
    await pay(t, (await renewals(t, service.id))[0]!.id);
    expect((await serviceRow(t, service.id)).suspension_reason).toBe('abuse report #12');
    expect((await jobs(t, service.id)).map((j) => j.type)).toEqual(['service.suspend']);
  });

  it('terminates past terminate_after_days and cancels the unpaid invoices', async () => {
    const { t, clock, service } = await setup('2027-01-25T09:00:00Z');
    await dueAt(t, service.id, iso('2027-02-01T00:00:00Z'));
    await runBilling(t.app, {});
    clock.advance(38 * DAY); // Mar 4: 31 days overdue; the Mar 1 period was invoiced on the way
    const report = await runBilling(t.app, {});
    expect(report.counts.terminate).toBe(1);
    expect((await runBilling(t.app, {})).counts.terminate).toBe(0);
    expect((await jobs(t, service.id)).map((j) => j.type)).toContain('service.terminate');
    const rows = await renewals(t, service.id);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r).toMatchObject({ status: 'cancelled', cancel_reason: 'terminated: overdue' });
  });

  it('does nothing overdue when suspend_after_days and terminate_after_days are off', async () => {
    const { t, clock, service } = await setup('2027-01-25T09:00:00Z', {
      settings: { 'billing.suspend_after_days': 'off', 'billing.terminate_after_days': 'off' },
    });
    await dueAt(t, service.id, iso('2027-02-01T00:00:00Z'));
    await runBilling(t.app, {});
    clock.advance(60 * DAY);
    const report = await runBilling(t.app, {});
    expect(report.counts).toMatchObject({ suspend: 0, terminate: 0 });
    expect(await jobs(t, service.id)).toEqual([]);
  });
});

describe('billing run: cancellations and orders', { timeout: 120_000 }, () => {
  it('terminates an end-of-period cancellation at its due date, without a renewal invoice', async () => {
    const { t, clock, service } = await setup('2027-01-25T09:00:00Z');
    await dueAt(t, service.id, iso('2027-02-01T00:00:00Z'));
    await t.app.db.kysely
      .updateTable('services')
      .set({ cancellation_type: 'end_of_period', cancellation_requested_at_ms: clock.nowMs() })
      .where('id', '=', service.id)
      .execute();
    expect((await runBilling(t.app, {})).counts).toMatchObject({ invoice: 0, terminate: 0 });
    clock.advance(7 * DAY);
    expect((await runBilling(t.app, {})).counts.terminate).toBe(1);
    expect((await runBilling(t.app, {})).counts.terminate).toBe(0);
    expect(await renewals(t, service.id)).toEqual([]);
    expect((await jobs(t, service.id)).map((j) => j.type)).toEqual(['service.terminate']);
  });

  it('cancels an order unpaid after cancel_unpaid_orders_after_days, with its invoice and pending service', async () => {
    const { t, clock, client, product } = await setup('2027-01-25T09:00:00Z');
    const order = await placeOrder(t.app, {
      clientId: client.row.id,
      productId: product.id,
      billingCycle: 'monthly',
      domain: 'unpaid-order.example',
    });
    clock.advance(13 * DAY);
    expect((await runBilling(t.app, {})).counts.cancel_order).toBe(0);
    clock.advance(DAY);
    expect((await runBilling(t.app, {})).counts.cancel_order).toBe(1);
    const db = t.app.db.kysely;
    expect(await db.selectFrom('orders').select('status').where('id', '=', order.order_id).executeTakeFirst()).toEqual({
      status: 'cancelled',
    });
    expect(
      await db.selectFrom('invoices').select('status').where('id', '=', order.invoice_id).executeTakeFirst(),
    ).toEqual({ status: 'cancelled' });
    expect((await serviceRow(t, order.service_id)).status).toBe('cancelled');
  });
});

describe('billing run: dry run', { timeout: 120_000 }, () => {
  it('reports what it would do and changes no table', async () => {
    const { t, clock, service } = await setup('2027-01-25T09:00:00Z', { credit: 2000 });
    await dueAt(t, service.id, iso('2027-01-01T00:00:00Z'));
    clock.advance(DAY);
    const db = t.app.db.kysely;
    const tables = [
      'invoices',
      'invoice_items',
      'invoice_sequences',
      'service_periods',
      'billing_actions',
      'billing_runs',
      'billing_lock',
      'jobs',
      'audit_log',
      'credit_ledger',
      'payments',
      'services',
      'clients',
      'orders',
    ] as const;
    const snapshot = async () =>
      Object.fromEntries(
        await Promise.all(
          tables.map(async (name) => [name, JSON.stringify(await db.selectFrom(name).selectAll().execute())]),
        ),
      );
    const before = await snapshot();
    const report = await runBilling(t.app, { dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(report.counts.invoice).toBe(2);
    expect(report.counts.credit).toBe(2);
    expect(await snapshot()).toEqual(before);
  });
});
