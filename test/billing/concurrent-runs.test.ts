import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { runBilling } from '../../src/billing/run.js';
import { createTestApp } from '../helpers/app.js';
import { billingState, expectGapFree, seedDueServices } from './due-services.js';

/**
 * Two Portico instances (two `portico serve` on one database) start the billing run at the same
 * moment over a few hundred due services: whichever does the work, every service gets one
 * renewal invoice for its period, credit pays each invoice once, and the numbers have no gaps.
 */
describe('two billing runs at once on one database', () => {
  it('issue every renewal once, pay each from credit once, and number the invoices without gaps', async () => {
    const t = await createTestApp();
    const twin = await t.twin();
    const at = DateTime.utc(2027, 3, 10, 12);
    const due = DateTime.utc(2027, 3, 13).toMillis();
    const seeded = await seedDueServices(t.app, {
      clients: 60,
      perClient: 10,
      dueMs: due,
      creditEvery: 3,
      creditPeriods: 1,
    });

    const results = await Promise.allSettled([
      runBilling(t.app, { atMs: at.toMillis() }),
      runBilling(twin.app, { atMs: at.toMillis() }),
    ]);
    // A run that found the other holding the lock says so (and which run it is) instead of working.
    for (const r of results)
      if (r.status === 'rejected') expect(String(r.reason.message)).toMatch(/another billing run is in progress/i);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    // Whatever was refused is done by running again: there is nothing left to do.
    const again = await runBilling(twin.app, { atMs: at.toMillis() });
    expect(again.counts.invoice).toBe(0);
    expect(again.counts.credit).toBe(0);

    const s = await billingState(t.app);
    const perPeriod = new Map<string, number>();
    for (const l of s.lines)
      perPeriod.set(
        `${l.service_id}|${l.period_start_ms}`,
        (perPeriod.get(`${l.service_id}|${l.period_start_ms}`) ?? 0) + 1,
      );
    expect(perPeriod.size).toBe(seeded.serviceIds.length);
    expect([...perPeriod.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(s.lines.map((l) => l.service_id))).toEqual(new Set(seeded.serviceIds));
    expect(s.lines.every((l) => Number(l.period_start_ms) === due)).toBe(true);
    expect(s.periods).toHaveLength(seeded.serviceIds.length);
    expect(expectGapFree(s.invoices.map((i) => i.number))).toEqual({ ok: true, detail: '' });
    expect(new Set(s.invoices.map((i) => i.number)).size).toBe(s.invoices.length);

    // Credit: the clients who held one period's worth paid all ten invoices, exactly once each.
    const creditClients = new Set(seeded.creditClientIds);
    const paid = s.lines.filter((l) => l.status === 'paid');
    expect(new Set(paid.map((l) => l.client_id))).toEqual(creditClients);
    expect(paid).toHaveLength(seeded.creditClientIds.length * 10);
    const paymentsPerInvoice = new Map<string, number>();
    for (const p of s.payments.filter((p) => p.kind === 'payment'))
      paymentsPerInvoice.set(p.invoice_id, (paymentsPerInvoice.get(p.invoice_id) ?? 0) + 1);
    expect([...paymentsPerInvoice.values()].every((n) => n === 1)).toBe(true);
    expect(paymentsPerInvoice.size).toBe(paid.length);
    for (const c of s.clients) {
      const entries = s.ledger.filter((e) => e.client_id === c.id);
      const sum = entries.reduce((acc, e) => acc + Number(e.amount_minor), 0);
      expect(Number(c.credit_minor)).toBe(sum);
      expect(Number(c.credit_minor)).toBeGreaterThanOrEqual(0);
      // One debit per paid invoice, never two for the same one.
      const debits = entries.filter((e) => Number(e.amount_minor) < 0).map((e) => e.invoice_id);
      expect(new Set(debits).size).toBe(debits.length);
    }
    // Paid services moved on one period; the others wait for their client.
    const services = await t.app.db.kysely.selectFrom('services').select(['client_id', 'next_due_at_ms']).execute();
    for (const svc of services) {
      const expected = creditClients.has(svc.client_id) ? DateTime.utc(2027, 4, 13).toMillis() : due;
      expect(Number(svc.next_due_at_ms)).toBe(expected);
    }
    // Each run's row ended: one or two done, none left running.
    expect(s.runs.every((r) => r.status === 'done')).toBe(true);
  }, 120_000);
});
