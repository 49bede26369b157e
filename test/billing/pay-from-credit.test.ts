import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { runBilling } from '../../src/billing/run.js';
import { createTestApp } from '../helpers/app.js';
import { seedDueServices } from './due-services.js';

/**
 * The billing run pays the renewals credit covers a batch at a time. Whatever path an invoice
 * took, it must leave what paying it on its own leaves: one debit in the ledger with the balance
 * after it, one credit payment, the paid invoice, the due date moved to the period's end, one
 * audit entry — and a service suspended for non-payment is unsuspended when its renewal is paid.
 */
describe('renewals paid from credit by the billing run', () => {
  it('write for each invoice the rows a payment on its own writes, and unsuspend an overdue service', async () => {
    const t = await createTestApp();
    const db = t.app.db.kysely;
    const at = DateTime.utc(2027, 3, 10, 12);
    const due = DateTime.utc(2027, 3, 13).toMillis();
    const periodEnd = DateTime.utc(2027, 4, 13).toMillis();
    // 8 clients × 3 services at 4.99; every other client holds credit for all three periods.
    const seeded = await seedDueServices(t.app, { clients: 8, perClient: 3, dueMs: due, creditEvery: 2 });
    const [rich, partial, suspendedClient] = seeded.creditClientIds as [string, string, string];
    // One credit client can pay only two of its three renewals (the two oldest: first issued).
    await db
      .updateTable('clients')
      .set({ credit_minor: 2 * 499 + 100 })
      .where('id', '=', partial)
      .execute();
    await db
      .updateTable('credit_ledger')
      .set({ amount_minor: 2 * 499 + 100, balance_after_minor: 2 * 499 + 100 })
      .where('client_id', '=', partial)
      .execute();
    // One has a service the run suspended for non-payment, with nothing else overdue.
    const suspended = await db
      .selectFrom('services')
      .select('id')
      .where('client_id', '=', suspendedClient)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('services')
      .set({ status: 'suspended', suspension_reason: 'overdue', server_id: null })
      .where('id', '=', suspended.id)
      .execute();

    const report = await runBilling(t.app, { atMs: at.toMillis() });
    const creditClients = seeded.creditClientIds.length;
    expect(report.counts).toMatchObject({ invoice: 24, credit: creditClients * 3 - 1 });

    const invoices = await db.selectFrom('invoices').selectAll().where('kind', '=', 'renewal').execute();
    const paid = invoices.filter((i) => i.status === 'paid');
    expect(paid).toHaveLength(creditClients * 3 - 1);
    expect(new Set(paid.map((i) => i.client_id))).toEqual(new Set(seeded.creditClientIds));
    const payments = await db.selectFrom('payments').selectAll().execute();
    const ledger = await db.selectFrom('credit_ledger').selectAll().where('amount_minor', '<', 0).execute();
    const audits = await db.selectFrom('audit_log').selectAll().where('action', '=', 'invoice.paid').execute();
    for (const invoice of paid) {
      const mine = payments.filter((p) => p.invoice_id === invoice.id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        amount_minor: invoice.total_minor,
        currency: 'USD',
        method: 'credit',
        kind: 'payment',
        actor_type: 'system',
      });
      const debits = ledger.filter((l) => l.invoice_id === invoice.id);
      expect(debits).toHaveLength(1);
      expect(debits[0]).toMatchObject({
        client_id: invoice.client_id,
        amount_minor: -invoice.total_minor,
        payment_id: mine[0]!.id,
        reason: `Payment of ${invoice.number}`,
      });
      expect(Number(invoice.paid_at_ms)).toBeGreaterThan(0);
      expect(audits.filter((a) => a.target_id === invoice.id)).toHaveLength(1);
    }
    expect(payments).toHaveLength(paid.length);
    expect(audits).toHaveLength(paid.length);

    // Each client's debits step its balance down from the opening credit to what is left.
    const clients = await db.selectFrom('clients').select(['id', 'credit_minor']).execute();
    for (const clientId of seeded.creditClientIds) {
      const opening = clientId === partial ? 2 * 499 + 100 : 3 * 499;
      const steps = ledger
        .filter((l) => l.client_id === clientId)
        .map((l) => Number(l.balance_after_minor))
        .sort((a, b) => b - a);
      const expected = (clientId === partial ? [1, 2] : [1, 2, 3]).map((k) => opening - k * 499);
      expect(steps).toEqual(expected);
      expect(Number(clients.find((c) => c.id === clientId)?.credit_minor)).toBe(expected.at(-1));
    }

    // The due date of every paid service moved to the end of the period; the unpaid did not move.
    const services = await db.selectFrom('services').select(['id', 'client_id', 'next_due_at_ms']).execute();
    const paidServices = new Set(
      (
        await db
          .selectFrom('invoice_items')
          .select('service_id')
          .where(
            'invoice_id',
            'in',
            paid.map((i) => i.id),
          )
          .execute()
      ).map((r) => r.service_id),
    );
    for (const s of services) expect(Number(s.next_due_at_ms)).toBe(paidServices.has(s.id) ? periodEnd : due);
    const partialServices = services.filter((s) => s.client_id === partial).sort((a, b) => a.id.localeCompare(b.id));
    expect(partialServices.map((s) => paidServices.has(s.id))).toEqual([true, true, false]);
    expect(services.filter((s) => s.client_id === rich).every((s) => paidServices.has(s.id))).toBe(true);

    // The suspended service's renewal was paid, so it is no longer suspended for non-payment and
    // its unsuspension is queued.
    const after = await db
      .selectFrom('services')
      .select(['suspension_reason'])
      .where('id', '=', suspended.id)
      .executeTakeFirstOrThrow();
    expect(after.suspension_reason).toBeNull();
    expect(report.actions.filter((a) => a.action === 'credit' && a.operation_id)).toHaveLength(1);
    const jobs = await db.selectFrom('jobs').select(['type', 'payload']).execute();
    expect(jobs.filter((j) => j.payload.includes(suspended.id))).toHaveLength(1);
  });
});
