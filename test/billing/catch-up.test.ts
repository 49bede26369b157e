import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { runBilling } from '../../src/billing/run.js';
import { changeCredit } from '../../src/clients/store.js';
import { ManualClock } from '../../src/platform/clock.js';
import { newId } from '../../src/platform/ids.js';
import { createTestApp } from '../helpers/app.js';
import { billingState, seedDueServices, seqOf } from './due-services.js';

/**
 * Portico was down for 40 days (no billing run): the first run afterwards issues every period
 * that fell due meanwhile, oldest first, each once, and then applies the overdue rules as the
 * settings say. Provider zone Europe/Berlin; services anchored on 10 January, paid up to
 * 10 February. The last run before the outage was on 1 February (nothing due yet: 10 February is
 * 9 days away, the window is 7); the next is on 13 March, 40 days later. By then the periods of
 * 10 February and 10 March fell due; 10 April is 28 days away. Invoices issued late count their
 * overdue days from the day they were issued (the outage is not the client's fault): suspended
 * more than 3 days after 13 March (17 March), terminated more than 30 days after (13 April).
 */
const ZONE = 'Europe/Berlin';
const local = (y: number, m: number, d: number, h = 0) =>
  DateTime.fromObject({ year: y, month: m, day: d, hour: h }, { zone: ZONE }).toMillis();

async function downForty(settings: Record<string, string>) {
  const clock = new ManualClock(local(2027, 2, 1, 9));
  const t = await createTestApp({ clock });
  await t.app.settings.set('billing.time_zone', ZONE);
  for (const [k, v] of Object.entries(settings)) await t.app.settings.set(k, v);
  const seeded = await seedDueServices(t.app, { clients: 1, perClient: 1, dueMs: local(2027, 2, 10), monthsBack: 1 });
  const before = await runBilling(t.app, {});
  expect(before.counts.invoice).toBe(0);
  clock.advance(40 * 86_400_000);
  expect(DateTime.fromMillis(clock.nowMs(), { zone: ZONE }).toISODate()).toBe('2027-03-13');
  return { t, clock, serviceId: seeded.serviceIds[0]!, clientId: seeded.clientIds[0]! };
}

const svc = (t: Awaited<ReturnType<typeof downForty>>['t'], id: string) =>
  t.app.db.kysely.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('the first billing run after 40 days down', () => {
  it('issues each period that fell due, in order, once; then suspends and terminates on the days the settings say', async () => {
    const { t, clock, serviceId } = await downForty({});
    const report = await runBilling(t.app, {});
    expect(report.counts).toMatchObject({ invoice: 2, suspend: 0, terminate: 0 });

    const s = await billingState(t.app);
    const lines = [...s.lines].sort((a, b) => seqOf(a.number) - seqOf(b.number));
    // Oldest period first, and numbered in that order.
    expect(lines.map((l) => [Number(l.period_start_ms), Number(l.period_end_ms)])).toEqual([
      [local(2027, 2, 10), local(2027, 3, 10)],
      [local(2027, 3, 10), local(2027, 4, 10)],
    ]);
    expect(lines.every((l) => l.status === 'unpaid')).toBe(true);
    // Run again the same day: nothing more.
    const again = await runBilling(t.app, {});
    expect(Object.values(again.counts).every((n) => n === 0)).toBe(true);
    expect((await billingState(t.app)).lines).toHaveLength(2);

    // Every morning after: suspended once on 17 March, terminated once on 13 April.
    const happened: Record<string, Record<string, number>> = {};
    while (DateTime.fromMillis(clock.nowMs(), { zone: ZONE }).toISODate() !== '2027-04-15') {
      clock.advance(86_400_000);
      const r = await runBilling(t.app, {});
      const acted = Object.fromEntries(Object.entries(r.counts).filter(([, n]) => n > 0));
      if (Object.keys(acted).length) happened[DateTime.fromMillis(clock.nowMs(), { zone: ZONE }).toISODate()!] = acted;
    }
    // 10 April's period is invoiced on 3 April (7 days ahead) like any other.
    expect(happened).toEqual({
      '2027-03-17': { suspend: 1 },
      '2027-04-03': { invoice: 1 },
      '2027-04-13': { terminate: 1, cancel_invoice: 3 },
    });
    const service = await svc(t, serviceId);
    expect(service.suspension_reason).toBe('overdue');
    const jobs = await t.app.db.kysely
      .selectFrom('jobs')
      .select(['type'])
      .where('service_id', '=', serviceId)
      .orderBy('id')
      .execute();
    expect(jobs.map((j) => j.type)).toEqual(['service.suspend', 'service.terminate']);
    const invoices = await t.app.db.kysely.selectFrom('invoices').select(['status', 'cancel_reason']).execute();
    expect(invoices).toEqual(Array(3).fill({ status: 'cancelled', cancel_reason: 'terminated: overdue' }));
  }, 120_000);

  it('with the rules off, catches up the invoices and suspends and terminates nothing', async () => {
    const { t, clock, serviceId } = await downForty({
      'billing.suspend_after_days': 'off',
      'billing.terminate_after_days': 'off',
    });
    expect((await runBilling(t.app, {})).counts).toMatchObject({ invoice: 2 });
    clock.advance(60 * 86_400_000);
    const r = await runBilling(t.app, {});
    expect(r.counts).toMatchObject({ invoice: 2, suspend: 0, terminate: 0 });
    expect(await svc(t, serviceId)).toMatchObject({ status: 'active', suspension_reason: null });
  }, 120_000);

  it('pays the periods from credit oldest first while it lasts', async () => {
    const { t, clock, serviceId, clientId } = await downForty({});
    // Credit for one period: it pays 10 February's, not 10 March's.
    await changeCredit(t.app.db.kysely, {
      id: newId('credit', clock.nowMs()),
      client_id: clientId,
      amount_minor: 499,
      reason: 'Top-up',
      actor_type: 'system',
      actor_id: null,
      invoice_id: null,
      payment_id: null,
      at_ms: clock.nowMs(),
    });
    const report = await runBilling(t.app, {});
    expect(report.counts).toMatchObject({ invoice: 2, credit: 1, suspend: 0 });
    const s = await billingState(t.app);
    const byStart = new Map(s.lines.map((l) => [Number(l.period_start_ms), l.status]));
    expect(byStart.get(local(2027, 2, 10))).toBe('paid');
    expect(byStart.get(local(2027, 3, 10))).toBe('unpaid');
    // Paid up to 10 March (the end of the period it paid), whatever day it was paid.
    expect(Number((await svc(t, serviceId)).next_due_at_ms)).toBe(local(2027, 3, 10));
    expect(s.ledger.filter((e) => Number(e.amount_minor) < 0)).toHaveLength(1);
  }, 120_000);
});
