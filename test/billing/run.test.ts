import { describe, expect, it } from 'vitest';
import { runBilling } from '../../src/billing/run.js';
import { ManualClock } from '../../src/platform/clock.js';
import { createTestApp } from '../helpers/app.js';
import { newClient, newProduct, newService } from '../helpers/factories.js';

const DAY = 86_400_000;

async function setup(clock: ManualClock, options: { credit?: number } = {}) {
  const t = await createTestApp({ clock });
  const client = await newClient(t.app, { credit_minor: options.credit ?? 0 });
  const product = await newProduct(t.app);
  const service = await newService(t.app, { clientId: client.row.id, productId: product.id });
  return { t, client, product, service };
}

function renewalInvoices(t: Awaited<ReturnType<typeof createTestApp>>, serviceId: string) {
  return t.app.db.kysely
    .selectFrom('invoice_items')
    .innerJoin('invoices', 'invoices.id', 'invoice_items.invoice_id')
    .select(['invoices.id', 'invoices.number', 'invoices.status', 'invoices.due_at_ms', 'invoices.total_minor'])
    .select(['invoice_items.period_start_ms', 'invoice_items.period_end_ms'])
    .where('invoice_items.service_id', '=', serviceId)
    .where('invoice_items.kind', '=', 'renewal')
    .orderBy('invoice_items.period_start_ms')
    .execute();
}

async function dueAt(t: Awaited<ReturnType<typeof createTestApp>>, id: string, at: string) {
  await t.app.db.kysely
    .updateTable('services')
    .set({ next_due_at_ms: Date.parse(at), billing_anchor_ms: Date.parse(at) })
    .where('id', '=', id)
    .execute();
}

describe('billing run: renewals', { timeout: 120_000 }, () => {
  it('issues one renewal invoice per period, however often it runs', async () => {
    const clock = new ManualClock(Date.parse('2027-01-25T10:00:00Z'));
    const { t, service } = await setup(clock);
    await dueAt(t, service.id, '2027-01-31T00:00:00Z');
    const first = await runBilling(t.app, {});
    expect(first.counts.invoice).toBe(1);
    const again = await runBilling(t.app, {});
    expect(again.counts.invoice).toBe(0);
    await Promise.all([runBilling(t.app, {}), runBilling(t.app, {})].map((p) => p.catch(() => null)));
    const invoices = await renewalInvoices(t, service.id);
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({
      status: 'unpaid',
      due_at_ms: Date.parse('2027-01-31T00:00:00Z'),
      period_start_ms: Date.parse('2027-01-31T00:00:00Z'),
      period_end_ms: Date.parse('2027-02-28T00:00:00Z'),
      total_minor: 499,
    });
  });

  it('pays a renewal from credit that covers it and moves the due date one cycle', async () => {
    const clock = new ManualClock(Date.parse('2027-01-25T10:00:00Z'));
    const { t, client, service } = await setup(clock, { credit: 1000 });
    await dueAt(t, service.id, '2027-01-31T00:00:00Z');
    const report = await runBilling(t.app, {});
    expect(report.counts).toMatchObject({ invoice: 1, credit: 1 });
    const [invoice] = await renewalInvoices(t, service.id);
    expect(invoice?.status).toBe('paid');
    const row = await t.app.db.kysely
      .selectFrom('clients')
      .select('credit_minor')
      .where('id', '=', client.row.id)
      .executeTakeFirstOrThrow();
    expect(Number(row.credit_minor)).toBe(501);
    const svc = await t.app.db.kysely
      .selectFrom('services')
      .select('next_due_at_ms')
      .where('id', '=', service.id)
      .executeTakeFirstOrThrow();
    expect(Number(svc.next_due_at_ms)).toBe(Date.parse('2027-02-28T00:00:00Z'));
    clock.advance(DAY);
    expect((await runBilling(t.app, {})).counts.invoice).toBe(0);
  });
});
